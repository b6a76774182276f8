import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUDTRAIL_EVENTS } from '../../../pipeline/tables/cloudtrail-tables.js';
import { CompactionWorld, event, NOW } from './compaction-world.js';

/** Two closed days, an open one; the same events delivered twice (in two files) on 2024-03-05. */
const FILES = [
  { name: 'a1', day: '2024-03-04', records: [event('e1', '2024-03-04T10:00:00Z'), event('e2', '2024-03-04T09:00:00Z')] },
  { name: 'a2', day: '2024-03-04', records: [event('e3', '2024-03-04T11:00:00Z')] },
  { name: 'b1', day: '2024-03-05', records: [event('e4', '2024-03-05T08:00:00Z'), event('e5', '2024-03-05T07:00:00Z')] },
  // CloudTrail delivering e4 and e5 again, in another file.
  {
    name: 'b2',
    day: '2024-03-05',
    records: [event('e5', '2024-03-05T07:00:00Z'), event('e4', '2024-03-05T08:00:00Z'), event('e6', '2024-03-05T06:00:00Z')],
  },
  { name: 'open', day: '2024-03-10', records: [event('e7', '2024-03-10T01:00:00Z')] },
];

describe('compactLake over CloudTrail', () => {
  let world: CompactionWorld;

  beforeAll(async () => {
    world = await CompactionWorld.create();
    await world.ingest(FILES);
  });

  afterAll(async () => {
    await world.close();
    await world.remove();
  });

  it('compacts the closed partitions into one sorted file each, removing the duplicated deliveries', async () => {
    const before = await world.readerRows('SELECT eventid FROM cloudtrail_events');
    expect(before).toHaveLength(9);
    const summary = await world.compact();
    expect(summary.toJSON()).toMatchObject({
      compacted: 2,
      failed: 0,
      duplicatesRemoved: 2,
      objectsBefore: 4,
      objectsAfter: 2,
      rowsIn: 8,
      rowsOut: 6,
    });
    expect(await world.readerRows('SELECT eventid, day FROM cloudtrail_events ORDER BY eventid')).toEqual([
      { eventid: 'e1', day: '2024-03-04' },
      { eventid: 'e2', day: '2024-03-04' },
      { eventid: 'e3', day: '2024-03-04' },
      { eventid: 'e4', day: '2024-03-05' },
      { eventid: 'e5', day: '2024-03-05' },
      { eventid: 'e6', day: '2024-03-05' },
      { eventid: 'e7', day: '2024-03-10' },
    ]);
    // Sorted by time inside the compacted file.
    const generation = (await world.readerRows("SELECT location FROM opslake_partitions WHERE partition_path LIKE '%2024-03-05/'"))[0];
    const file = `${world.lakeDir}/${String(generation?.location)}part-00000.parquet`;
    expect(await world.readerRows(`SELECT eventid FROM read_parquet('${file}')`)).toEqual([
      { eventid: 'e6' },
      { eventid: 'e5' },
      { eventid: 'e4' },
    ]);
    // The open day is left as it is.
    expect(await world.readerRows("SELECT count(*)::INT AS n FROM opslake_partitions WHERE partition_path LIKE '%2024-03-10/'")).toEqual([
      { n: 0 },
    ]);
  });

  it('keeps the superseded objects for the grace period, then deletes them', async () => {
    const live = async () => (await collect(world.lake.list('cloudtrail/events/account=111122223333/'))).length;
    expect(await live()).toBe(5);
    const early = await world.compact({ clock: () => new Date(NOW.getTime() + 30 * 60_000) });
    expect(early.toJSON()).toMatchObject({ compacted: 0, deleted: 0 });
    const later = await world.compact({ clock: () => new Date(NOW.getTime() + 61 * 60_000) });
    expect(later.toJSON()).toMatchObject({ compacted: 0, deleted: 4 });
    // Only the open day's live object is left.
    expect(await live()).toBe(1);
    expect(await world.readerRows('SELECT count(*)::INT AS n FROM cloudtrail_events')).toEqual([{ n: 7 }]);
  });

  it('makes a late file for a compacted day visible at the next run, and a replayed input adds nothing', async () => {
    const at = new Date(NOW.getTime() + 2 * 3_600_000);
    const late = await world.ingest(
      [{ name: 'late', day: '2024-03-06', records: [event('e8', '2024-03-05T23:59:00Z'), event('e4', '2024-03-05T08:00:00Z')] }],
      () => at,
    );
    expect(late.filesIngested).toBe(1);
    // Written, marked dirty, not yet visible: readers still see the compacted generation.
    expect(await world.readerRows("SELECT count(*)::INT AS n FROM cloudtrail_events WHERE day = '2024-03-05'")).toEqual([{ n: 3 }]);
    expect((await world.state.listDirtyPartitions('cloudtrail_events')).map((mark) => mark.values.day)).toEqual(['2024-03-05']);
    const summary = await world.compact({ clock: () => at });
    expect(summary.toJSON()).toMatchObject({ compacted: 1, duplicatesRemoved: 1 });
    expect(await world.readerRows("SELECT eventid FROM cloudtrail_events WHERE day = '2024-03-05' ORDER BY eventid")).toEqual(
      ['e4', 'e5', 'e6', 'e8'].map((eventid) => ({ eventid })),
    );
    // The same files again (a replay): the ledger holds them, nothing is written.
    const replay = await world.ingest([], () => at);
    expect(replay.toJSON()).toMatchObject({ filesIngested: 0, skippedExisting: 6 });
    expect((await world.compact({ clock: () => at })).toJSON()).toMatchObject({ compacted: 0 });
    expect(await world.readerRows("SELECT count(*)::INT AS n FROM cloudtrail_events WHERE day = '2024-03-05'")).toEqual([{ n: 4 }]);
  });

  it('adds nothing when inputs already folded into compacted files are ingested again (a lost ledger, --force)', async () => {
    const at = new Date(NOW.getTime() + 3 * 3_600_000);
    const before = await world.readerRows('SELECT eventid, day FROM cloudtrail_events ORDER BY eventid, day');
    const redone = await world.ingest([], () => at, true);
    expect(redone.filesIngested).toBeGreaterThan(0);
    // The live objects are written again and the closed days they touch marked dirty; readers still
    // see the compacted generations.
    expect((await world.state.listDirtyPartitions('cloudtrail_events')).map((mark) => mark.values.day).sort()).toEqual([
      '2024-03-04',
      '2024-03-05',
    ]);
    expect(await world.readerRows('SELECT eventid, day FROM cloudtrail_events ORDER BY eventid, day')).toEqual(before);
    const summary = await world.compact({ clock: () => at });
    expect(summary.toJSON()).toMatchObject({ failed: 0 });
    // Folded in again and de-duplicated by eventID: every event once, as before the replay.
    expect(Number(summary.toJSON().duplicatesRemoved)).toBeGreaterThan(0);
    expect(await world.readerRows('SELECT eventid, day FROM cloudtrail_events ORDER BY eventid, day')).toEqual(before);
  });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('compactLake over bad lake content', () => {
  let world: CompactionWorld;

  beforeAll(async () => {
    world = await CompactionWorld.create();
    await world.ingest(FILES.slice(0, 4));
  });

  afterAll(async () => {
    await world.close();
    await world.remove();
  });

  it('stops the partition whose object cannot be read, naming it, leaves it as it was and compacts the others', async () => {
    const bad = 'cloudtrail/events/account=111122223333/region=us-east-1/day=2024-03-05/0000aaaa.parquet';
    await world.lake.putBytes(bad, 'PAR1 but not really');
    const summary = await world.compact();
    expect(summary.toJSON()).toMatchObject({ compacted: 1, failed: 1, partitionsOverdue: 1 });
    const [failed] = summary.failed;
    expect(failed?.path).toBe('account=111122223333/region=us-east-1/day=2024-03-05/');
    expect(failed?.error?.key).toBe(bad);
    expect(failed?.error?.message).toContain('not a readable Parquet file');
    expect(summary.format()).toContain(`FAILED: ${bad}`);
    // The failed partition still points at its live folder; the run marked it for the next one.
    const locations: Record<string, string | undefined> = {};
    for await (const page of world.catalog.listPartitions(CLOUDTRAIL_EVENTS, { fromDay: '2024-03-04', toDay: '2024-03-05' })) {
      for (const partition of page) locations[partition.values.day ?? ''] = partition.location;
    }
    expect(locations['2024-03-05']).toBe('cloudtrail/events/account=111122223333/region=us-east-1/day=2024-03-05/');
    expect(locations['2024-03-04']).toMatch(/_compacted\/.*day=2024-03-04\/gen=[0-9a-f]{24}\/$/);
    expect((await world.state.listDirtyPartitions('cloudtrail_events')).map((mark) => mark.values.day)).toContain('2024-03-05');

    // Once the object is gone, the next run compacts the partition.
    await world.lake.delete(bad);
    expect((await world.compact()).toJSON()).toMatchObject({ compacted: 1, failed: 0 });
  });
});
