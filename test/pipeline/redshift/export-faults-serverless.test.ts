import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatedCluster } from '../../../pipeline/simulators/redshift/index.js';
import { type Crash, CrashScenario, expectSameLake, type ScenarioResult } from '../../harness/crash-scenario.js';
import { SIM_START } from '../../harness/export-harness.js';
import { workgroupConfig } from '../../harness/sys-export-harness.js';

/**
 * Crash safety of the SYS export (DESIGN.md §3), with the harness of the STL one: a Serverless
 * workgroup exported at 12:20 and again at 13:50, stopped at step boundaries of every kind of SYS
 * table (own cursor with final statuses, borrowed cursor, events, usage, query_text).
 */
const cluster = workgroupConfig('workgroup');
let work: string;
let scenario: CrashScenario;

function steps(): Crash[] {
  return [
    { phase: 1, step: 'dialect-resolved', occurrence: 1 },
    { phase: 1, step: 'planned:sys_query_history', occurrence: 1 },
    { phase: 1, step: 'object-written:sys_query_history', occurrence: 2 },
    { phase: 1, step: 'watermark-moved:sys_query_text', occurrence: 1 },
    { phase: 1, step: 'object-written:sys_query_detail', occurrence: 3 },
    { phase: 1, step: 'table-done:sys_load_history', occurrence: 1 },
    { phase: 1, step: 'object-written:sys_serverless_usage', occurrence: 2 },
    { phase: 1, step: 'object-written:query_text', occurrence: 1 },
    { phase: 2, step: 'object-written:sys_query_history', occurrence: 1 },
    { phase: 2, step: 'watermark-moved:sys_query_explain', occurrence: 1 },
    { phase: 2, step: 'object-written:sys_connection_log', occurrence: 2 },
    { phase: 2, step: 'watermark-moved:query_text', occurrence: 1 },
  ];
}

describe('ClusterExporter on a Serverless workgroup after a crash', () => {
  let reference: ScenarioResult;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'opslake-faults-sys-'));
    const template = join(work, 'template');
    const sim = await createSimulatedCluster({
      name: 'workgroup',
      profile: 'analytics',
      deployment: 'serverless',
      seed: 5,
      start: SIM_START,
      historyHours: 3,
      dataDir: template,
    });
    await sim.close();
    scenario = new CrashScenario(template, work, cluster, 90);
    reference = await scenario.run();
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('has a reference lake with objects of every SYS table and sealed watermarks in both runs', () => {
    const tables = new Set([...(reference.snapshots[0]?.keys() ?? [])].map((key) => key.split('/')[1]));
    expect(tables).toEqual(
      new Set([
        'sys_query_history',
        'sys_query_text',
        'sys_query_detail',
        'sys_query_explain',
        'sys_load_history',
        'sys_load_error_detail',
        'sys_unload_history',
        'sys_connection_log',
        'sys_userlog',
        'sys_serverless_usage',
        'query_text',
      ]),
    );
    expect(reference.snapshots[1]?.size).toBeGreaterThan(reference.snapshots[0]?.size ?? Number.POSITIVE_INFINITY);
  });

  it.each(steps())('gives the same lake, byte for byte, when run $phase stops at $step #$occurrence', async (crash) => {
    expectSameLake(await scenario.run(crash), reference);
  });
});
