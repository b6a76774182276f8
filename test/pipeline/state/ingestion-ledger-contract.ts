import { beforeEach, describe, expect, it } from 'vitest';
import { ledgerDay } from '../../../pipeline/cloudtrail/cloudtrail-key.js';
import { StateStoreError } from '../../../pipeline/errors.js';
import type { IngestionLedger, LedgerEntry } from '../../../pipeline/ports/ingestion-ledger.js';

/** A CloudTrail key delivered on `day` (YYYY-MM-DD), numbered `n`. */
export function trailKey(day: string, n: number, account = '111122223333', region = 'us-east-1'): string {
  const [year, month, date] = day.split('-');
  const stamp = `${year}${month}${date}T${String(Math.floor(n / 12) % 24).padStart(2, '0')}${String((n % 12) * 5).padStart(2, '0')}Z`;
  return `AWSLogs/${account}/CloudTrail/${region}/${year}/${month}/${date}/${account}_CloudTrail_${region}_${stamp}_n${n}.json.gz`;
}

export function ledgerEntry(key: string, overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    source: 'trail-bucket',
    key,
    day: ledgerDay(key),
    account: '111122223333',
    region: 'us-east-1',
    size: 1_234,
    etag: 'abc123',
    sha256: 'f'.repeat(64),
    status: 'ingested',
    events: 7,
    insights: 0,
    partitions: [
      { table: 'cloudtrail_events', values: { account: '111122223333', region: 'us-east-1', day: ledgerDay(key) }, rows: 7, objects: 1 },
    ],
    recordedAt: '2026-03-01T12:00:00.000Z',
    ...overrides,
  };
}

export async function listAll(ledger: IngestionLedger, fromDay: string, toDay: string): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  for await (const page of ledger.listLedgerEntries({ fromDay, toDay })) entries.push(...page);
  return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** What both state stores owe the ingestion and the digest check. Each adapter runs it over empty state. */
export function describeIngestionLedgerContract(createLedger: () => Promise<IngestionLedger>): void {
  describe('IngestionLedger contract', () => {
    let ledger: IngestionLedger;

    beforeEach(async () => {
      ledger = await createLedger();
    });

    it('finds what was put, keyed by input key, and nothing for keys never put', async () => {
      const a = ledgerEntry(trailKey('2026-03-01', 1));
      const b = ledgerEntry(trailKey('2026-03-02', 2), { status: 'quarantined', reason: 'truncated', message: 'cut short', events: 0 });
      await ledger.putLedgerEntries([a, b]);

      const found = await ledger.getLedgerEntries('trail-bucket', [a.key, b.key, trailKey('2026-03-01', 3)]);
      expect([...found.keys()].sort()).toEqual([a.key, b.key].sort());
      expect(found.get(a.key)).toEqual(a);
      expect(found.get(b.key)).toEqual(b);
    });

    it('keeps sources apart: the same key of another bucket has no entry', async () => {
      const entry = ledgerEntry(trailKey('2026-03-01', 1));
      await ledger.putLedgerEntries([entry]);
      expect((await ledger.getLedgerEntries('other-bucket', [entry.key])).size).toBe(0);
    });

    it('replaces an earlier entry of the same input', async () => {
      const key = trailKey('2026-03-01', 1);
      await ledger.putLedgerEntries([ledgerEntry(key, { size: 1, etag: 'first' })]);
      await ledger.putLedgerEntries([ledgerEntry(key, { size: 2, etag: 'second' })]);
      expect((await ledger.getLedgerEntries('trail-bucket', [key])).get(key)).toMatchObject({ size: 2, etag: 'second' });
      expect(await listAll(ledger, '2026-03-01', '2026-03-01')).toHaveLength(1);
    });

    it('lists the entries of a day range, inclusive, and none outside it', async () => {
      const entries = [
        ledgerEntry(trailKey('2026-02-28', 1)),
        ledgerEntry(trailKey('2026-03-01', 2)),
        ledgerEntry(trailKey('2026-03-01', 3), { status: 'digest', events: 0, partitions: [] }),
        ledgerEntry(trailKey('2026-03-02', 4)),
        ledgerEntry(trailKey('2026-03-03', 5)),
      ];
      await ledger.putLedgerEntries(entries);
      const listed = await listAll(ledger, '2026-03-01', '2026-03-02');
      expect(listed.map((entry) => entry.key)).toEqual([entries[1], entries[2], entries[3]].map((entry) => entry?.key));
      expect(listed.find((entry) => entry.status === 'digest')).toBeDefined();
    });

    it('files a key that is not CloudTrail under the day unknown, found by its key', async () => {
      const entry = ledgerEntry('notes/readme.txt', { status: 'quarantined', reason: 'not-cloudtrail', partitions: [], events: 0 });
      expect(entry.day).toBe('unknown');
      await ledger.putLedgerEntries([entry]);
      expect((await ledger.getLedgerEntries('trail-bucket', ['notes/readme.txt'])).get('notes/readme.txt')).toEqual(entry);
    });

    it('refuses an entry whose day is not its key delivery day, and writes nothing of the batch', async () => {
      const good = ledgerEntry(trailKey('2026-03-01', 1));
      const bad = ledgerEntry(trailKey('2026-03-01', 2), { day: '2026-03-02' });
      await expect(ledger.putLedgerEntries([good, bad])).rejects.toBeInstanceOf(StateStoreError);
      expect((await ledger.getLedgerEntries('trail-bucket', [good.key])).size).toBe(0);
    });

    it('looks up a few hundred keys in one call, across days', async () => {
      const entries = Array.from({ length: 260 }, (_, n) => ledgerEntry(trailKey(`2026-03-0${1 + (n % 3)}`, n)));
      await ledger.putLedgerEntries(entries);
      const keys = entries.map((entry) => entry.key);
      const found = await ledger.getLedgerEntries('trail-bucket', [...keys, ...keys.slice(0, 10)]);
      expect(found.size).toBe(260);
      expect(await listAll(ledger, '2026-03-01', '2026-03-03')).toHaveLength(260);
    });
  });
}
