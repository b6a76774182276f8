import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLakeCompactHandler, type LakeCompactDependencies } from '../../../jobs/lake-compact/handler.js';
import { DEFAULT_COMPACTION_SETTINGS } from '../../../pipeline/config/compaction-settings.js';
import { CLOUDTRAIL_TABLES } from '../../../pipeline/tables/cloudtrail-tables.js';
import { CompactionWorld, event, NOW } from '../../pipeline/compaction/compaction-world.js';

/** Two closed days of one account and region; the events of 2024-03-05 delivered twice. */
const FILES = [
  { name: 'a1', day: '2024-03-04', records: [event('e1', '2024-03-04T10:00:00Z'), event('e2', '2024-03-04T09:00:00Z')] },
  { name: 'b1', day: '2024-03-05', records: [event('e3', '2024-03-05T08:00:00Z')] },
  { name: 'b2', day: '2024-03-05', records: [event('e3', '2024-03-05T08:00:00Z'), event('e4', '2024-03-05T07:00:00Z')] },
];
const BAD = 'cloudtrail/events/account=111122223333/region=us-east-1/day=2024-03-05/0000aaaa.parquet';

interface Recorded {
  readonly metrics: Map<string, number>;
  readonly logs: Array<{ level: string; message: string; extra: Record<string, unknown> }>;
  published: number;
}

function dependencies(world: CompactionWorld, recorded: Recorded): LakeCompactDependencies {
  const log = (level: string) => (message: string, extra?: unknown) => {
    recorded.logs.push({ level, message, extra: (extra ?? {}) as Record<string, unknown> });
  };
  return {
    lake: world.lake,
    state: world.state,
    catalog: world.catalog,
    settings: { ...DEFAULT_COMPACTION_SETTINGS, graceMinutes: 0 },
    tables: CLOUDTRAIL_TABLES,
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    metrics: {
      addMetric: (name, _unit, value) => {
        recorded.metrics.set(name, value);
      },
      publishStoredMetrics: () => {
        recorded.published += 1;
      },
    },
    clock: () => NOW,
    tempDirectory: `${world.root}/handler-tmp`,
  };
}

function recorder(): Recorded {
  return { metrics: new Map(), logs: [], published: 0 };
}

const context = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs, awsRequestId: 'request-1' });

describe('lake-compact handler', () => {
  let world: CompactionWorld;

  beforeAll(async () => {
    world = await CompactionWorld.create();
    await world.ingest(FILES);
    await world.lake.putBytes(BAD, 'PAR1 but not really');
  });

  afterAll(async () => {
    await world.close();
    await world.remove();
  });

  it('starts no partition when Lambda is too close to its limit, and counts the closed partitions left as overdue', async () => {
    const recorded = recorder();
    const response = await createLakeCompactHandler(dependencies(world, recorded))({}, context(60_000));
    expect(response).toEqual({ compacted: 0, failed: 0, partitionsOverdue: 2, stoppedAtDeadline: true });
    expect(recorded.metrics.get('PartitionsOverdue')).toBe(2);
    expect(recorded.metrics.get('PartitionsCompacted')).toBe(0);
    expect(recorded.published).toBe(1);
    expect(recorded.logs.some((line) => line.level === 'warn' && line.message === 'compaction stopped at the deadline')).toBe(true);
  });

  it('compacts the closed partitions, logs the failed one with the object it names, and publishes the counts', async () => {
    const recorded = recorder();
    const response = await createLakeCompactHandler(dependencies(world, recorded))({}, context(900_000));
    expect(response).toEqual({ compacted: 1, failed: 1, partitionsOverdue: 1, stoppedAtDeadline: false });
    expect(Object.fromEntries(recorded.metrics)).toMatchObject({
      PartitionsCompacted: 1,
      CompactionFailures: 1,
      PartitionsOverdue: 1,
      ObjectsBefore: 1,
      ObjectsAfter: 1,
    });
    const failure = recorded.logs.find((line) => line.level === 'error');
    expect(failure?.extra).toMatchObject({ partition: 'account=111122223333/region=us-east-1/day=2024-03-05/', object: BAD });

    // With the bad object gone the next run folds the dirty partition, removing the duplicate.
    await world.lake.delete(BAD);
    const next = recorder();
    expect(await createLakeCompactHandler(dependencies(world, next))({}, context(900_000))).toMatchObject({ compacted: 1, failed: 0 });
    expect(next.metrics.get('DuplicatesRemoved')).toBe(1);
    expect(next.metrics.get('PartitionsOverdue')).toBe(0);
    expect(await world.readerRows('SELECT eventid FROM cloudtrail_events ORDER BY eventid')).toEqual(
      ['e1', 'e2', 'e3', 'e4'].map((eventid) => ({ eventid })),
    );
  });
});
