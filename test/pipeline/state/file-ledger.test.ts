import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStateStore } from '../../../pipeline/state/file-state-store.js';
import { describeIngestionLedgerContract, ledgerEntry, listAll, trailKey } from './ingestion-ledger-contract.js';
import { useTempFolders } from '../../harness/temp-folders.js';

describe('FileLedger (FileStateStore)', () => {
  const newFolder = useTempFolders('opslake-file-ledger-');

  describeIngestionLedgerContract(async () => new FileStateStore(newFolder()));

  it('appends one NDJSON line per put to the file of the delivery day, beside state.json', async () => {
    const folder = newFolder();
    const store = new FileStateStore(folder);
    const key = trailKey('2026-03-01', 1);
    await store.putLedgerEntries([ledgerEntry(key)]);
    await store.putLedgerEntries([ledgerEntry(key, { size: 99 })]);
    const lines = (await readFile(join(folder, 'ledger', '2026-03-01.ndjson'), 'utf8')).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ kind: 'ledger', ledger_key: key, size: 99 });
  });

  it('ignores a line torn by a crash, and starts the next put on a fresh line', async () => {
    const folder = newFolder();
    const store = new FileStateStore(folder);
    const first = ledgerEntry(trailKey('2026-03-01', 1));
    await store.putLedgerEntries([first]);
    const file = join(folder, 'ledger', '2026-03-01.ndjson');
    // The start of a real line of another entry, cut short: what a crash in the middle of an append leaves.
    const torn = trailKey('2026-03-01', 2);
    const elsewhere = newFolder();
    await new FileStateStore(elsewhere).putLedgerEntries([ledgerEntry(torn)]);
    const line = (await readFile(join(elsewhere, 'ledger', '2026-03-01.ndjson'), 'utf8')).trimEnd();
    await appendFile(file, line.slice(0, line.length - 20));

    // A second process (a fresh store) and this one with its cache both skip the torn line.
    for (const reader of [store, new FileStateStore(folder)]) {
      const found = await reader.getLedgerEntries('trail-bucket', [first.key, torn]);
      expect([...found.keys()]).toEqual([first.key]);
    }
    const next = ledgerEntry(trailKey('2026-03-01', 3));
    await store.putLedgerEntries([next]);
    expect((await new FileStateStore(folder).getLedgerEntries('trail-bucket', [next.key])).get(next.key)).toEqual(next);
    expect((await listAll(store, '2026-03-01', '2026-03-01')).map((entry) => entry.key)).toEqual([first.key, next.key].sort());
  });

  it('keeps the earlier entry when the update of it was torn', async () => {
    const folder = newFolder();
    const store = new FileStateStore(folder);
    const entry = ledgerEntry(trailKey('2026-03-01', 1));
    await store.putLedgerEntries([entry]);
    const file = join(folder, 'ledger', '2026-03-01.ndjson');
    const line = (await readFile(file, 'utf8')).trimEnd();
    await appendFile(file, line.slice(0, line.length - 30));
    await store.putLedgerEntries([ledgerEntry(trailKey('2026-03-01', 2))]);
    expect((await new FileStateStore(folder).getLedgerEntries('trail-bucket', [entry.key])).get(entry.key)).toEqual(entry);
  });

  it('sees what another process appended since its index was built', async () => {
    const folder = newFolder();
    const reader = new FileStateStore(folder);
    const writer = new FileStateStore(folder);
    const a = ledgerEntry(trailKey('2026-03-01', 1));
    await writer.putLedgerEntries([a]);
    expect((await reader.getLedgerEntries('trail-bucket', [a.key])).size).toBe(1);
    const b = ledgerEntry(trailKey('2026-03-01', 2));
    await writer.putLedgerEntries([b, ledgerEntry(a.key, { status: 'quarantined', reason: 'truncated' })]);
    const found = await reader.getLedgerEntries('trail-bucket', [a.key, b.key]);
    expect(found.get(a.key)?.status).toBe('quarantined');
    expect(found.get(b.key)).toEqual(b);
  });

  it('reads a day file replaced by hand from the start again', async () => {
    const folder = newFolder();
    const store = new FileStateStore(folder);
    const a = ledgerEntry(trailKey('2026-03-01', 1));
    await store.putLedgerEntries([a, ledgerEntry(trailKey('2026-03-01', 2))]);
    expect((await store.getLedgerEntries('trail-bucket', [a.key])).size).toBe(1);
    await writeFile(join(folder, 'ledger', '2026-03-01.ndjson'), '');
    expect((await store.getLedgerEntries('trail-bucket', [a.key])).size).toBe(0);
  });
});
