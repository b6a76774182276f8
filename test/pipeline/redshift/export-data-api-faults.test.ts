import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../../../pipeline/config/opslake-config.js';
import { ThrottledError } from '../../../pipeline/errors.js';
import type { ExportStep } from '../../../pipeline/redshift/export-events.js';
import { DataApiSqlRunner } from '../../../pipeline/redshift/sql/data-api-sql-runner.js';
import { SeededRandom } from '../../../pipeline/simulators/seeded-random.js';
import type { SimulatedCluster } from '../../../pipeline/simulators/redshift/index.js';
import { type DataApiEmulator, type DataApiOperation, startDataApiEmulator } from '../../harness/data-api-emulator.js';
import { clusterConfig, exportOnce, lakeFiles, lakeFixture, simulatedCluster } from '../../harness/export-harness.js';

const READS: readonly DataApiOperation[] = ['ExecuteStatement', 'DescribeStatement', 'GetStatementResult', 'GetStatementResultV2'];

interface Endpoint {
  readonly emulator: DataApiEmulator;
  readonly runner: DataApiSqlRunner;
  close(): Promise<void>;
}

/** The Data API emulator over the simulated cluster, and a runner on it that retries throttled calls at once. */
async function endpoint(sim: SimulatedCluster, cluster: ClusterConfig): Promise<Endpoint> {
  const emulator = await startDataApiEmulator({ db: sim.db, pageSize: 500, describesBeforeFinished: 1 });
  const client = new RedshiftDataClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const runner = new DataApiSqlRunner({ client, cluster, sleep: async () => undefined });
  return {
    emulator,
    runner,
    close: async () => {
      await runner.close();
      client.destroy();
      await emulator.close();
    },
  };
}

/**
 * Faults of the Data API during an export: throttling the runner's backoff absorbs leaves the
 * lake an uninterrupted export writes; throttling that outlasts it, and a statement the database
 * fails, stop the run with an error (retryable for throttling, so a scheduler or the Lambda runs
 * it again), and the next run ends with that same lake: nothing lost, nothing doubled, nothing
 * half done trusted.
 */
describe('an export through the Data API with faults injected', () => {
  const cluster = clusterConfig('faulty');
  let sim: SimulatedCluster;
  let reference: Map<string, Buffer>;

  beforeAll(async () => {
    sim = await simulatedCluster({ name: 'faulty', historyHours: 3, seed: 23 });
    const clean = await endpoint(sim, cluster);
    const lake = await lakeFixture();
    try {
      expect((await exportOnce(lake, clean.runner, cluster)).status).toBe('done');
      reference = await lakeFiles(lake.lakeDir);
    } finally {
      await lake.close();
      await clean.close();
    }
    expect(reference.size).toBeGreaterThan(10);
  });

  afterAll(async () => {
    await sim?.close();
  });

  it('absorbs throttling of every operation (seeded, within the retry budget) and writes the same lake', async () => {
    const random = SeededRandom.fromSeed(11);
    const faulty = await endpoint(sim, cluster);
    const lake = await lakeFixture();
    let injected = 0;
    // Before each table: one to three throttled calls of every operation, fewer than the
    // runner's six retries even where a table makes no call of one and they add up.
    const onStep = (step: ExportStep) => {
      if (!step.startsWith('planned:')) return;
      for (const operation of READS) {
        const count = 1 + Math.floor(random.next() * 2);
        const kind = random.next() < 0.5 ? 'ThrottlingException' : 'ActiveStatementsExceededException';
        faulty.emulator.throttleNext(operation, count, kind);
        injected += count;
      }
    };
    try {
      expect((await exportOnce(lake, faulty.runner, cluster, { onStep })).status).toBe('done');
      expect(await lakeFiles(lake.lakeDir)).toEqual(reference);
      const throttled = faulty.emulator.requests.filter((request) => request.error !== undefined).length;
      expect(throttled).toBeGreaterThan(10);
      expect(throttled).toBeLessThanOrEqual(injected);
    } finally {
      await lake.close();
      await faulty.close();
    }
  });

  const midRun: ReadonlyArray<[string, ExportStep, (emulator: DataApiEmulator) => void, (error: unknown) => void]> = [
    [
      'throttling that outlasts the backoff',
      'object-written:stl_scan',
      (emulator) => {
        for (const operation of READS) emulator.throttleNext(operation, 100);
      },
      (error) => {
        expect(error).toBeInstanceOf(ThrottledError);
        expect((error as ThrottledError).retryable).toBe(true);
      },
    ],
    [
      'a statement the database fails',
      'watermark-moved:stl_wlm_query',
      (emulator) => emulator.failNextStatement('ERROR: Query (1234) cancelled on user request'),
      (error) => expect(String((error as Error).message)).toMatch(/cancelled on user request/),
    ],
  ];

  it.each(midRun)('stops on %s at %s, and the next run ends with the same lake', async (_name, step, inject, check) => {
    const lake = await lakeFixture();
    const faulty = await endpoint(sim, cluster);
    try {
      let fired = false;
      const onStep = (at: ExportStep) => {
        if (at !== step || fired) return;
        fired = true;
        inject(faulty.emulator);
      };
      const failure = await exportOnce(lake, faulty.runner, cluster, { onStep }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(fired).toBe(true);
      expect(failure).toBeDefined();
      check(failure);
      const partial = await lakeFiles(lake.lakeDir);
      expect(partial.size).toBeLessThan(reference.size);
    } finally {
      await faulty.close();
    }
    const healthy = await endpoint(sim, cluster);
    try {
      expect((await exportOnce(lake, healthy.runner, cluster)).status).toBe('done');
      expect(await lakeFiles(lake.lakeDir)).toEqual(reference);
    } finally {
      await lake.close();
      await healthy.close();
    }
  });
});
