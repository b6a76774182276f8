import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../../pipeline/ports/ingestion-ledger.js';
import { generateDemoTrail } from '../../../pipeline/simulators/cloudtrail/demo-trail.js';
import { FileStateStore } from '../../../pipeline/state/file-state-store.js';
import { buildCliChild, removeCliChild } from '../../harness/cli-child.js';
import { objectKeys, type KillJob, killChains, parquetRows, referenceRun } from '../../harness/kill-points.js';
import { useTempFolders } from '../../harness/temp-folders.js';

/**
 * `opslake cloudtrail ingest` killed with SIGKILL at 30 seeded points over its run (6 chains of
 * 5 kills), each chain then run to completion: the lake (object keys, and every Parquet file's
 * rows) and the ledger equal an uninterrupted run's.
 */

/** Seconds to minutes on a busy machine; vitest's default limit is for one step, not a suite of runs. */
const LONG_TEST_MS = 900_000;

const folder = useTempFolders('opslake-ingest-kill-');
let bundle = '';
let trail = '';
/** The delivery days of the generated trail (the ledger is listed day by day). */
const TRAIL_DAYS = { fromDay: '2024-03-04', toDay: '2024-03-06' };

async function ledger(stateDir: string): Promise<Array<Omit<LedgerEntry, 'recordedAt'>>> {
  const entries: Array<Omit<LedgerEntry, 'recordedAt'>> = [];
  for await (const page of new FileStateStore(stateDir).listLedgerEntries(TRAIL_DAYS)) {
    for (const { recordedAt: _recordedAt, ...entry } of page) entries.push(entry);
  }
  return entries.sort((a, b) => a.key.localeCompare(b.key));
}

const job: KillJob = {
  prepare: async (dir) => {
    await mkdir(dir, { recursive: true });
  },
  args: (dir) => ['cloudtrail', 'ingest', trail, '--lake', join(dir, 'lake'), '--state', join(dir, 'state')],
  snapshot: async (dir) => {
    const lake = join(dir, 'lake');
    const keys = await objectKeys(lake);
    return { keys, rows: await parquetRows(lake, keys), ledger: await ledger(join(dir, 'state')) };
  },
};

beforeAll(async () => {
  bundle = await buildCliChild();
  trail = join(folder(), 'trail');
  await generateDemoTrail({ dir: trail, clusterNames: ['analytics'], start: new Date('2024-03-04T20:00:00Z'), seed: 11, hours: 4 });
});

afterAll(async () => {
  await removeCliChild(bundle);
});

describe('opslake cloudtrail ingest killed anywhere', () => {
  it(
    'leaves, once run again to completion, the lake and ledger of an uninterrupted run',
    async () => {
      const reference = await referenceRun(bundle, job, folder());
      const report = await killChains(bundle, job, { seed: 11_420, chains: 6, killsPerChain: 5, folder, reference });
      process.stdout.write(`ingest kill points: ${JSON.stringify(report)}\n`);
      expect(report.killPoints).toBe(30);
      // Kills are drawn over a whole run, start-up included, so some always land inside one; how many
      // depends on the machine's speed, and is reported rather than asserted.
      expect(report.killed).toBeGreaterThan(0);
    },
    LONG_TEST_MS,
  );
});
