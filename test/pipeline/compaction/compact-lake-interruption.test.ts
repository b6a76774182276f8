import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_COMPACTION_SETTINGS } from '../../../pipeline/config/compaction-settings.js';
import { compactLake } from '../../../pipeline/compaction/compact-lake.js';
import { RUN_LEASE_MS } from '../../../pipeline/state/held-lease.js';
import { CLOUDTRAIL_TABLES } from '../../../pipeline/tables/cloudtrail-tables.js';
import { CompactionWorld, event, NOW } from './compaction-world.js';

/** Three closed partitions: the run is interrupted after the first. */
const FILES = [
  { name: 'a', day: '2024-03-04', records: [event('e1', '2024-03-04T10:00:00Z')] },
  { name: 'b', day: '2024-03-05', records: [event('e2', '2024-03-05T10:00:00Z')] },
  { name: 'c', day: '2024-03-06', records: [event('e3', '2024-03-06T10:00:00Z')] },
];

describe('compactLake interrupted', () => {
  let world: CompactionWorld;

  beforeAll(async () => {
    world = await CompactionWorld.create();
    await world.ingest(FILES);
  });

  afterAll(async () => {
    await world.close();
    await world.remove();
  });

  it('starts no partition once its signal is aborted, releases the lease, and the next run compacts the rest', async () => {
    const controller = new AbortController();
    const stopped = await compactLake({
      catalog: world.catalog,
      state: world.state,
      compactor: world.compactor(),
      tables: CLOUDTRAIL_TABLES,
      settings: DEFAULT_COMPACTION_SETTINGS,
      clock: () => NOW,
      signal: controller.signal,
      onPartition: () => controller.abort(),
    });
    expect(stopped.toJSON()).toMatchObject({ compacted: 1, interrupted: true });
    expect(stopped.notStarted).toBeGreaterThanOrEqual(1);
    expect(stopped.format()).toMatch(/interrupted with \d+ partition\(s\) of the current table left for the next run/);
    const lease = await world.state.acquireLease('compaction', 'another-run', RUN_LEASE_MS, NOW);
    await world.state.releaseLease(lease);
    const rest = await world.compact();
    expect(rest.toJSON()).toMatchObject({ compacted: 2, failed: 0 });
    expect(await world.readerRows('SELECT eventid FROM cloudtrail_events ORDER BY eventid')).toEqual([
      { eventid: 'e1' },
      { eventid: 'e2' },
      { eventid: 'e3' },
    ]);
  }, 300_000);
});
