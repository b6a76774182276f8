import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatedCluster } from '../../../pipeline/simulators/redshift/index.js';
import { type Crash, CrashScenario, expectSameLake, type ScenarioResult } from '../../harness/crash-scenario.js';
import { clusterConfig, SIM_START } from '../../harness/export-harness.js';

/**
 * Crash safety (DESIGN.md §3): an export stopped at any step boundary and run again leaves the
 * same lake and watermarks as an export that was never interrupted. Each case starts from a
 * copy of the same simulated cluster on disk, so the runs see identical data and clocks.
 */
const cluster = clusterConfig('analytics');
let work: string;
let scenario: CrashScenario;

/** Runs: export, advance 60 min, export; optionally crashing once at the `occurrence`-th `step` of run `phase`. */
function steps(): Crash[] {
  return [
    { phase: 1, step: 'lease-acquired', occurrence: 1 },
    { phase: 1, step: 'clock-read', occurrence: 1 },
    { phase: 1, step: 'dialect-resolved', occurrence: 1 },
    { phase: 1, step: 'planned:stl_query', occurrence: 1 },
    // Objects written, watermark not moved yet.
    { phase: 1, step: 'object-written:stl_query', occurrence: 1 },
    { phase: 1, step: 'object-written:stl_scan', occurrence: 3 },
    { phase: 1, step: 'watermark-moved:stl_scan', occurrence: 2 },
    { phase: 1, step: 'table-done:stl_explain', occurrence: 1 },
    { phase: 1, step: 'object-written:query_text', occurrence: 2 },
    { phase: 1, step: 'table-done:query_text', occurrence: 1 },
    // The second run re-exports the unsealed slots and seals some of them.
    { phase: 2, step: 'object-written:stl_query', occurrence: 1 },
    { phase: 2, step: 'watermark-moved:stl_wlm_query', occurrence: 1 },
    { phase: 2, step: 'object-written:stl_alert_event_log', occurrence: 2 },
  ];
}

describe('ClusterExporter after a crash', () => {
  let reference: ScenarioResult;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'opslake-faults-'));
    const template = join(work, 'template');
    const sim = await createSimulatedCluster({
      name: 'analytics',
      profile: 'analytics',
      seed: 5,
      start: SIM_START,
      historyHours: 3,
      dataDir: template,
    });
    await sim.close();
    scenario = new CrashScenario(template, work, cluster);
    reference = await scenario.run();
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('has a reference lake with objects and sealed watermarks in both runs', () => {
    expect(reference.snapshots[0]?.size).toBeGreaterThan(20);
    expect(reference.snapshots[1]?.size).toBeGreaterThan(reference.snapshots[0]?.size ?? Number.POSITIVE_INFINITY);
  });

  it.each(steps())('gives the same lake, byte for byte, when run $phase stops at $step #$occurrence', async (crash) => {
    expectSameLake(await scenario.run(crash), reference);
  });
});
