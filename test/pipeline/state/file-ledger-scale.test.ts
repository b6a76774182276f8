import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../../pipeline/ports/ingestion-ledger.js';
import { FileStateStore } from '../../../pipeline/state/file-state-store.js';
import { ledgerEntry, trailKey } from './ingestion-ledger-contract.js';

const ENTRIES = 1_000_000;
const DAYS = 10;
const LOOKUPS = 10_000;
const PUT_BATCH = 5_000;

/** Deterministic pseudo-random numbers (the lookups must be the same on every run). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function dayOf(n: number): string {
  return `2026-03-${String(1 + (n % DAYS)).padStart(2, '0')}`;
}

function entryOf(n: number): LedgerEntry {
  return ledgerEntry(trailKey(dayOf(n), n, String(100_000_000_000 + (n % 100))), { size: n, events: n % 500 });
}

/**
 * A million entries in the file ledger: written in batches as a backfill does, then 10,000 found
 * at random by a store that has read nothing yet. Times are printed, not asserted (the machine is
 * shared); what is asserted is that every lookup finds its own entry.
 */
describe('FileLedger at a million entries', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'opslake-ledger-scale-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes 1,000,000 entries and finds 10,000 of them at random', async () => {
    const folder = join(root, 'state');
    const writer = new FileStateStore(folder);
    const writeStart = performance.now();
    for (let start = 0; start < ENTRIES; start += PUT_BATCH) {
      await writer.putLedgerEntries(Array.from({ length: PUT_BATCH }, (_, i) => entryOf(start + i)));
    }
    const writeMs = performance.now() - writeStart;

    const next = random(7);
    const wanted = Array.from({ length: LOOKUPS }, () => Math.floor(next() * ENTRIES));
    const reader = new FileStateStore(folder);
    const lookStart = performance.now();
    const found = await reader.getLedgerEntries(
      'trail-bucket',
      wanted.map((n) => trailKey(dayOf(n), n, String(100_000_000_000 + (n % 100)))),
    );
    const coldMs = performance.now() - lookStart;
    const warmStart = performance.now();
    const again = await reader.getLedgerEntries(
      'trail-bucket',
      wanted.slice(0, 1_000).map((n) => entryOf(n).key),
    );
    const warmMs = performance.now() - warmStart;

    process.stdout.write(
      `file ledger: ${ENTRIES.toLocaleString('en-US')} entries written in ${(writeMs / 1000).toFixed(1)} s ` +
        `(${Math.round(ENTRIES / (writeMs / 1000)).toLocaleString('en-US')}/s); ${LOOKUPS.toLocaleString('en-US')} random lookups ` +
        `from cold ${(coldMs / 1000).toFixed(2)} s (indexing ${DAYS} day files), 1,000 more warm ${warmMs.toFixed(0)} ms; ` +
        `heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB\n`,
    );
    expect(found.size).toBe(new Set(wanted).size);
    for (const n of wanted) expect(found.get(entryOf(n).key)?.size).toBe(n);
    expect(again.size).toBe(new Set(wanted.slice(0, 1_000)).size);
  }, 600_000);
});
