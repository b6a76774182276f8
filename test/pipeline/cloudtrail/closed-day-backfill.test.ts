import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectBackfillStep } from '../../../pipeline/cloudtrail/closed-day-backfill.js';
import { ledgerSourceName } from '../../../pipeline/cloudtrail/ledger-source.js';
import type { CompactionStep } from '../../../pipeline/compaction/partition-compactor.js';
import { CompactionWorld, Crash, event, NOW } from '../compaction/compaction-world.js';
import { logKey } from './cloudtrail-test-support.js';

type TrailFile = Parameters<CompactionWorld['ingest']>[0][number];
type AnyFile = Parameters<CompactionWorld['backfill']>[0][number];

/** Closed days (2024-03-04 and 05 at NOW), a duplicate delivery, an event of the 4th delivered on the 5th, and an open day. */
const FILES: TrailFile[] = [
  { name: 'a1', day: '2024-03-04', records: [event('e1', '2024-03-04T10:00:00Z'), event('e2', '2024-03-04T09:00:00Z')] },
  { name: 'a2', day: '2024-03-04', records: [event('e2', '2024-03-04T09:00:00Z'), event('e3', '2024-03-04T11:00:00Z')] },
  { name: 'b1', day: '2024-03-05', records: [event('e4', '2024-03-05T08:00:00Z'), event('e8', '2024-03-04T23:58:00Z')] },
  { name: 'b2', day: '2024-03-05', records: [event('e5', '2024-03-05T07:00:00Z'), event('e6', '2024-03-05T06:00:00Z')] },
  { name: 'c1', day: '2024-03-05', account: '444455556666', records: [event('e7', '2024-03-05T05:00:00Z', '444455556666')] },
  { name: 'o1', day: '2024-03-10', records: [event('e9', '2024-03-10T08:00:00Z')] },
];

const ALL_ROWS = 'SELECT * FROM cloudtrail_events ORDER BY eventid, source_key';

const STEPS: readonly (CompactionStep | DirectBackfillStep)[] = [
  'staged',
  'written',
  'manifest',
  'switched',
  'recorded',
  'deleted',
  'ledger',
];

/** Live objects of the lake (outside any generation), by day. */
function liveDays(objects: Record<string, string>): string[] {
  return Object.keys(objects)
    .filter((key) => key.startsWith('cloudtrail/events/account=') && key.endsWith('.parquet'))
    .map((key) => /day=([0-9-]+)/.exec(key)?.[1] ?? '');
}

/** Generation folders per partition path. */
function generations(objects: Record<string, string>): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const key of Object.keys(objects)) {
    const match = /^cloudtrail\/events\/_compacted\/(.+)\/gen=([0-9a-f]+)\//.exec(key);
    if (match === null) continue;
    const [, path = '', generation = ''] = match;
    found.set(path, (found.get(path) ?? new Set()).add(generation));
  }
  return found;
}

async function ledgerOf(world: CompactionWorld, files: readonly AnyFile[]): Promise<unknown[]> {
  const keys = files.map((file) => logKey(file.name, { day: file.day, ...(file.account ? { account: file.account } : {}) }));
  const entries = await world.state.getLedgerEntries(ledgerSourceName(world.trail), keys);
  return keys.map((key) => entries.get(key) ?? null);
}

describe('the backfill of closed days', () => {
  let scratch: string;
  let reference: Awaited<ReturnType<CompactionWorld['snapshot']>>;
  let referenceRows: Record<string, unknown>[];
  let referenceLedger: unknown[];
  let liveThenCompacted: Record<string, unknown>[];

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'opslake-direct-backfill-'));
    const direct = await CompactionWorld.create(join(scratch, 'direct'));
    const summary = await direct.backfill(FILES);
    expect(summary.failed).toEqual([]);
    expect(summary.toJSON()).toMatchObject({ filesIngested: 6, generationsWritten: 3, objectsWritten: 4 });
    reference = await direct.snapshot();
    referenceRows = await direct.readerRows(ALL_ROWS);
    referenceLedger = await ledgerOf(direct, FILES);
    await direct.close();

    const live = await CompactionWorld.create(join(scratch, 'live'));
    await live.ingest(FILES);
    await live.compact({ graceMs: 0 });
    liveThenCompacted = await live.readerRows(ALL_ROWS);
    await live.close();
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('writes closed days as one compacted generation per partition, no live objects, and the catalog points at them', () => {
    expect(liveDays(reference.objects)).toEqual(['2024-03-10']);
    const found = generations(reference.objects);
    expect([...found.keys()].sort()).toEqual([
      'account=111122223333/region=us-east-1/day=2024-03-04',
      'account=111122223333/region=us-east-1/day=2024-03-05',
      'account=444455556666/region=us-east-1/day=2024-03-05',
    ]);
    for (const [path, gens] of found) expect(gens.size, path).toBe(1);
    expect(reference.locations).toHaveLength(3);
    for (const location of reference.locations) {
      const path = String(location.partition_path).replace(/\/$/, '');
      expect(String(location.location)).toMatch(new RegExp(`_compacted/${path}/gen=${[...(found.get(path) ?? [])][0]}/$`));
    }
  });

  it('gives the rows of a live ingest followed by a compaction, duplicates removed', () => {
    expect(referenceRows.map((row) => row.eventid)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9']);
    expect(referenceRows).toEqual(liveThenCompacted);
  });

  it('records every input in the ledger once its rows are in place', () => {
    expect(referenceLedger.map((entry) => (entry as { status: string } | null)?.status)).toEqual(Array(FILES.length).fill('ingested'));
  });

  it.each(STEPS)('a run killed after %s, run again, gives the same lake, catalog and ledger', async (step) => {
    const world = await CompactionWorld.create(join(scratch, `crash-${step}`));
    try {
      await expect(world.backfill(FILES, { crashAfter: step })).rejects.toBeInstanceOf(Crash);
      const rerun = await world.backfill([]);
      expect(rerun.failed).toEqual([]);
      expect(await world.snapshot()).toEqual(reference);
      expect(await world.readerRows(ALL_ROWS)).toEqual(referenceRows);
      expect(await ledgerOf(world, FILES)).toEqual(referenceLedger);
    } finally {
      await world.close();
    }
  });

  it('folds what the partition already holds (a generation, live objects) into one new generation', async () => {
    const world = await CompactionWorld.create(join(scratch, 'fold'));
    const [a1, a2, b1, b2] = FILES;
    try {
      await world.ingest([a1, b2].flatMap((file) => (file ? [file] : [])));
      await world.compact({ graceMs: 0 });
      await world.ingest([
        { name: 'a3', day: '2024-03-04', records: [event('e10', '2024-03-04T12:00:00Z'), event('e1', '2024-03-04T10:00:00Z')] },
      ]);
      const summary = await world.backfill([a2, b1].flatMap((file) => (file ? [file] : [])));
      expect(summary.failed).toEqual([]);
      const snapshot = await world.snapshot();
      expect(liveDays(snapshot.objects)).toEqual([]);
      for (const [path, gens] of generations(snapshot.objects)) expect(gens.size, path).toBe(1);
      const ids = (await world.readerRows()).map((row) => row.eventid);
      expect(ids).toEqual(['e1', 'e10', 'e2', 'e3', 'e4', 'e5', 'e6', 'e8']);
    } finally {
      await world.close();
    }
  });

  it('keeps unknown members, lands a file DuckDB refuses through the JS path, and a quarantined file stays quarantined', async () => {
    const world = await CompactionWorld.create(join(scratch, 'checks'));
    const utf8 = Buffer.from(JSON.stringify({ Records: [{ ...event('u1', '2024-03-04T01:00:00Z'), userAgent: 'agent-XX' }] }));
    const at = utf8.indexOf('XX');
    utf8[at] = 0xff;
    utf8[at + 1] = 0xfe;
    const files: AnyFile[] = [
      { name: 'unknown', day: '2024-03-04', records: [{ ...event('k1', '2024-03-04T02:00:00Z'), brandNewMember: { depth: 1 } }] },
      { name: 'utf8', day: '2024-03-04', body: gzipSync(utf8) },
      { name: 'bad', day: '2024-03-04', body: Buffer.from('not gzip, not JSON') },
    ];
    try {
      const first = await world.backfill(files);
      expect(first.failed).toEqual([]);
      const badKey = logKey('bad', { day: '2024-03-04' });
      expect(first.quarantined.map((file) => file.key)).toEqual([badKey]);
      const rows = await world.readerRows('SELECT eventid, unknown_fields, useragent FROM cloudtrail_events ORDER BY eventid');
      expect(rows).toEqual([
        { eventid: 'k1', unknown_fields: expect.stringContaining('brandNewMember'), useragent: null },
        { eventid: 'u1', unknown_fields: null, useragent: 'agent-\uFFFD\uFFFD' },
      ]);
      expect(liveDays((await world.snapshot()).objects)).toEqual([]);
      const [unknown, mended, bad] = (await ledgerOf(world, files)) as Array<{ status: string; reason?: string }>;
      expect([unknown?.status, mended?.status, bad?.status]).toEqual(['ingested', 'ingested', 'quarantined']);
      expect(bad?.reason).toBe(first.quarantined[0]?.reason);
      const again = await world.backfill([]);
      expect(again.quarantined).toEqual([]);
      expect((await ledgerOf(world, files))[2]).toMatchObject({ status: 'quarantined' });
      expect(Object.keys((await world.snapshot()).objects).filter((key) => key.startsWith('_quarantine/'))).toHaveLength(2);
    } finally {
      await world.close();
    }
  });

  it('while a compaction holds the lease, puts closed days in the live folders, and the compaction folds them later', async () => {
    const world = await CompactionWorld.create(join(scratch, 'lease-held'));
    try {
      const held = await world.state.acquireLease('compaction', 'compact-elsewhere', 600_000, NOW);
      const summary = await world.backfill(FILES);
      expect(summary.toJSON()).toMatchObject({ filesIngested: 6, generationsWritten: 0, compactionLeaseHeldBy: 'compact-elsewhere' });
      expect(summary.format()).toContain('compact-elsewhere holds the compaction lease');
      const objects = (await world.snapshot()).objects;
      expect(generations(objects).size).toBe(0);
      expect(new Set(liveDays(objects))).toEqual(new Set(['2024-03-04', '2024-03-05', '2024-03-10']));
      expect(await ledgerOf(world, FILES)).toEqual(referenceLedger.map(() => expect.objectContaining({ status: 'ingested' })));
      // The other run's lease is left as it was.
      await expect(world.state.acquireLease('compaction', 'someone-else', 1_000, NOW)).rejects.toThrow(/compact-elsewhere/);

      await world.state.releaseLease(held);
      await world.compact({ graceMs: 0 });
      expect(await world.readerRows(ALL_ROWS)).toEqual(referenceRows);
      // A backfill that took the lease gives it back when it ends.
      const late: AnyFile = { name: 'a3', day: '2024-03-04', records: [event('e10', '2024-03-04T12:00:00Z')] };
      expect((await world.backfill([late])).toJSON()).toMatchObject({ generationsWritten: 1 });
      await expect(world.state.acquireLease('compaction', 'next-run', 1_000, NOW)).resolves.toMatchObject({ owner: 'next-run' });
    } finally {
      await world.close();
    }
  });

  it('a rerun of a finished backfill skips every input and changes nothing', async () => {
    const copy = join(scratch, 'copy');
    await cp(join(scratch, 'direct'), copy, { recursive: true });
    const world = await CompactionWorld.create(copy);
    try {
      const again = await world.backfill(FILES);
      expect(again.events).toBe(0);
      expect(await world.snapshot()).toEqual(reference);
    } finally {
      await world.close();
    }
  });
});
