import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatedCluster } from '../../../pipeline/simulators/redshift/index.js';
import { FileStateStore } from '../../../pipeline/state/file-state-store.js';
import { buildCliChild, removeCliChild } from '../../harness/cli-child.js';
import { SIM_START } from '../../harness/export-harness.js';
import { objectKeys, type KillJob, killChains, parquetRows, referenceRun } from '../../harness/kill-points.js';
import { useTempFolders } from '../../harness/temp-folders.js';

/**
 * `opslake export` of a simulated cluster killed with SIGKILL at 30 seeded points over its run
 * (6 chains of 5 kills), each chain then run to completion with --take-over-lease (the lease of
 * a killed run is left behind until it expires): the lake (object keys, and every Parquet file's
 * rows) and the watermarks equal an uninterrupted run's, and no lease is left.
 */

/** Seconds to minutes on a busy machine; vitest's default limit is for one step, not a suite of runs. */
const LONG_TEST_MS = 900_000;

const folder = useTempFolders('opslake-export-kill-');
let bundle = '';
let template = '';

const CONFIG = ['lake: ./lake', 'state: ./state', 'catalog: ./catalog.duckdb', 'clusters:', '  - name: analytics', '    kind: provisioned'];

async function state(stateDir: string): Promise<unknown> {
  const store = new FileStateStore(stateDir);
  // Versions count writes, which a killed run may add to; what was sealed and the gaps are the state.
  const watermarks = (await store.listWatermarks()).map(({ cluster, table, sealedThrough, gaps }) => ({
    cluster,
    table,
    sealedThrough,
    gaps,
  }));
  const dialects = (await store.listSourceDialects()).map(({ detectedAt: _detectedAt, ...dialect }) => dialect);
  // No lease left: another owner can take the cluster's lease at once.
  const lease = await store.acquireLease('cluster#analytics', 'fault-suite-check', 60_000, new Date());
  await store.releaseLease(lease);
  return { watermarks, dialects };
}

const job: KillJob = {
  prepare: async (dir) => {
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'opslake.yaml'),
      [...CONFIG, '    database: dev', '    dbUser: opslake', '    pglite: ./cluster', ''].join('\n'),
    );
  },
  // The export only reads the cluster, but PGlite opens its folder read-write and a SIGKILL can
  // leave it half-written: a real cluster is not harmed by its client's death, so every run gets
  // a fresh copy of the same cluster (same rows, same clock).
  beforeRun: async (dir) => {
    await rm(join(dir, 'cluster'), { recursive: true, force: true });
    await cp(template, join(dir, 'cluster'), { recursive: true });
  },
  args: (dir, rerun) => ['export', '--config', join(dir, 'opslake.yaml'), ...(rerun ? ['--take-over-lease'] : [])],
  snapshot: async (dir) => {
    const lake = join(dir, 'lake');
    const keys = await objectKeys(lake);
    return { keys, rows: await parquetRows(lake, keys), state: await state(join(dir, 'state')) };
  },
};

beforeAll(async () => {
  bundle = await buildCliChild();
  template = join(folder(), 'cluster');
  const sim = await createSimulatedCluster({
    name: 'analytics',
    profile: 'analytics',
    seed: 5,
    start: SIM_START,
    historyHours: 2,
    dataDir: template,
  });
  await sim.close();
});

afterAll(async () => {
  await removeCliChild(bundle);
});

describe('opslake export killed anywhere', () => {
  it(
    'leaves, once run again to completion, the lake and watermarks of an uninterrupted run, and no lease',
    async () => {
      const reference = await referenceRun(bundle, job, folder());
      const report = await killChains(bundle, job, { seed: 11_421, chains: 6, killsPerChain: 5, folder, reference });
      process.stdout.write(`export kill points: ${JSON.stringify(report)}\n`);
      expect(report.killPoints).toBe(30);
      // Kills are drawn over a whole run, start-up included, so some always land inside one; how many
      // depends on the machine's speed, and is reported rather than asserted.
      expect(report.killed).toBeGreaterThan(0);
    },
    LONG_TEST_MS,
  );
});
