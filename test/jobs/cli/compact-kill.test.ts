import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../jobs/cli/main.js';
import { DuckDbCatalog } from '../../../pipeline/catalog/duckdb-catalog.js';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import { generateDemoTrail } from '../../../pipeline/simulators/cloudtrail/demo-trail.js';
import { FileStateStore } from '../../../pipeline/state/file-state-store.js';
import { CLOUDTRAIL_TABLES } from '../../../pipeline/tables/cloudtrail-tables.js';
import { captureOutput } from '../../harness/capture-output.js';
import { buildCliChild, removeCliChild } from '../../harness/cli-child.js';
import { objectKeys, type KillJob, killChains, parquetRows, referenceRun } from '../../harness/kill-points.js';
import { useTempFolders } from '../../harness/temp-folders.js';

/**
 * `opslake compact` of an ingested CloudTrail lake killed with SIGKILL at 30 seeded points over
 * its run (6 chains of 5 kills), each chain then run to completion with --take-over-lease: what
 * readers resolve through the catalog (the object keys of every partition's location, and their
 * rows) and the compaction state equal an uninterrupted run's, and no lease is left.
 */

/** Seconds to minutes on a busy machine; vitest's default limit is for one step, not a suite of runs. */
const LONG_TEST_MS = 900_000;

const folder = useTempFolders('opslake-compact-kill-');
let bundle = '';
let template = '';

/** The objects readers reach through the DuckDB catalog, with their rows. */
async function resolved(dir: string): Promise<{ keys: string[]; rows: Record<string, string[]> }> {
  const lake = join(dir, 'lake');
  const { instance, connection } = await openDuckDb({ path: join(dir, 'catalog.duckdb') });
  const keys: string[] = [];
  try {
    const catalog = new DuckDbCatalog({ connection, lakeDir: lake });
    for (const table of CLOUDTRAIL_TABLES) {
      for await (const page of catalog.listPartitions(table, { fromDay: '0000-01-01', toDay: '9999-12-31' })) {
        for (const { location } of page) {
          if (location === undefined) continue;
          keys.push(...(await objectKeys(lake, location)));
        }
      }
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  keys.sort();
  return { keys, rows: await parquetRows(lake, keys) };
}

async function compactionState(stateDir: string): Promise<unknown> {
  const store = new FileStateStore(stateDir);
  const tables: Record<string, unknown> = {};
  for (const table of CLOUDTRAIL_TABLES) {
    const dirty = (await store.listDirtyPartitions(table.name)).map(({ markedAt: _markedAt, ...partition }) => partition);
    tables[table.name] = { watermark: (await store.getCompactionWatermark(table.name, '*')).day, dirty };
  }
  const lease = await store.acquireLease('compaction', 'fault-suite-check', 60_000, new Date());
  await store.releaseLease(lease);
  return tables;
}

const job: KillJob = {
  prepare: async (dir) => {
    await cp(template, dir, { recursive: true });
  },
  args: (dir, rerun) => ['compact', '--config', join(dir, 'opslake.yaml'), ...(rerun ? ['--take-over-lease'] : [])],
  snapshot: async (dir) => ({ ...(await resolved(dir)), state: await compactionState(join(dir, 'state')) }),
};

beforeAll(async () => {
  bundle = await buildCliChild();
  template = folder();
  await mkdir(template, { recursive: true });
  await writeFile(
    join(template, 'opslake.yaml'),
    ['lake: ./lake', 'state: ./state', 'catalog: ./catalog.duckdb', 'clusters: []', ''].join('\n'),
  );
  const trail = join(folder(), 'trail');
  await generateDemoTrail({ dir: trail, clusterNames: ['analytics'], start: new Date('2024-03-04T20:00:00Z'), seed: 12, hours: 4 });
  const ingested = await captureOutput(() => main(['cloudtrail', 'ingest', trail, '--config', join(template, 'opslake.yaml')]));
  expect(ingested.result, ingested.stdout).toBe(0);
});

afterAll(async () => {
  await removeCliChild(bundle);
});

describe('opslake compact killed anywhere', () => {
  it(
    'leaves, once run again to completion, what readers resolve and the compaction state of an uninterrupted run',
    async () => {
      const reference = await referenceRun(bundle, job, folder());
      expect((reference.snapshot as { keys: string[] }).keys.some((key) => key.includes('/_compacted/'))).toBe(true);
      const report = await killChains(bundle, job, { seed: 11_422, chains: 6, killsPerChain: 5, folder, reference });
      process.stdout.write(`compact kill points: ${JSON.stringify(report)}\n`);
      expect(report.killPoints).toBe(30);
      // Kills are drawn over a whole run, start-up included, so some always land inside one; how many
      // depends on the machine's speed, and is reported rather than asserted.
      expect(report.killed).toBeGreaterThan(0);
    },
    LONG_TEST_MS,
  );
});
