import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompactionStep } from '../../../pipeline/compaction/partition-compactor.js';
import { Crash, CompactionWorld, event } from './compaction-world.js';

const FILES = [
  { name: 'a1', day: '2024-03-04', records: [event('e1', '2024-03-04T10:00:00Z'), event('e2', '2024-03-04T09:00:00Z')] },
  { name: 'a2', day: '2024-03-04', records: [event('e2', '2024-03-04T09:00:00Z'), event('e3', '2024-03-04T11:00:00Z')] },
  { name: 'b1', day: '2024-03-05', records: [event('e4', '2024-03-05T08:00:00Z'), event('e5', '2024-03-05T07:00:00Z')] },
  { name: 'b2', day: '2024-03-05', records: [event('e5', '2024-03-05T07:00:00Z'), event('e6', '2024-03-05T06:00:00Z')] },
  { name: 'c1', day: '2024-03-05', account: '444455556666', records: [event('e7', '2024-03-05T05:00:00Z', '444455556666')] },
];

const STEPS: readonly CompactionStep[] = ['written', 'manifest', 'switched', 'recorded', 'deleted'];

/**
 * A compaction killed between any two of its steps, then run again, leaves the same lake (every
 * object, byte for byte) and the same catalog as a run that was never interrupted; and while it
 * lies crashed, readers see the rows of before or of after, nothing in between.
 */
describe('compaction crashed at every step', () => {
  let scratch: string;
  let base: string;
  let reference: Awaited<ReturnType<CompactionWorld['snapshot']>>;
  let before: Record<string, unknown>[];
  let after: Record<string, unknown>[];

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'opslake-compaction-crash-'));
    base = join(scratch, 'base');
    const world = await CompactionWorld.create(base);
    await world.ingest(FILES);
    before = await world.readerRows();
    await world.close();
    await cp(base, join(scratch, 'reference'), { recursive: true });
    const uninterrupted = await CompactionWorld.create(join(scratch, 'reference'));
    const summary = await uninterrupted.compact({ graceMs: 0 });
    expect(summary.toJSON()).toMatchObject({ compacted: 3, failed: 0, duplicatesRemoved: 2 });
    reference = await uninterrupted.snapshot();
    after = await uninterrupted.readerRows();
    await uninterrupted.close();
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('the uninterrupted run removed the duplicates and the superseded objects', () => {
    expect(before).toHaveLength(9);
    expect(after.map((row) => row.eventid)).toEqual(['e2', 'e1', 'e3', 'e7', 'e6', 'e5', 'e4'].sort());
    expect(Object.keys(reference.objects).filter((key) => key.startsWith('cloudtrail/events/account='))).toEqual([]);
    expect(reference.locations).toHaveLength(3);
  });

  it.each(STEPS)('a crash after %s, then a rerun, gives the lake and catalog of the uninterrupted run', async (step) => {
    const folder = join(scratch, `crash-${step}`);
    await cp(base, folder, { recursive: true });
    const world = await CompactionWorld.create(folder);
    try {
      await expect(world.compact({ graceMs: 0, crashAfter: step })).rejects.toBeInstanceOf(Crash);
      const seen = await world.readerRows();
      // The crashed partition is seen whole before or whole after; the others as before.
      expect(seen.length === before.length || seen.length === before.length - 1).toBe(true);
      expect(new Set(seen.map((row) => row.eventid))).toEqual(new Set(before.map((row) => row.eventid)));

      const rerun = await world.compact({ graceMs: 0 });
      expect(rerun.toJSON()).toMatchObject({ failed: 0 });
      expect(await world.snapshot()).toEqual(reference);
      expect(await world.readerRows()).toEqual(after);
    } finally {
      await world.close();
    }
  });
});
