import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportStep } from '../../../pipeline/redshift/export-events.js';
import { createSimulatedCluster, openSimulatedCluster, type SimulatedCluster } from '../../../pipeline/simulators/redshift/index.js';
import { clusterConfig, exportOnce, lakeFiles, lakeFixture, openRunner, SIM_START } from '../../harness/export-harness.js';
import { defined } from '../../harness/defined.js';

/**
 * Crash safety (DESIGN.md §3): an export stopped at any step boundary and run again leaves the
 * same lake and watermarks as an export that was never interrupted. Each case starts from a
 * copy of the same simulated cluster on disk, so the runs see identical data and clocks.
 */
const cluster = clusterConfig('analytics');
let template: string;
let work: string;

async function cloneCluster(): Promise<SimulatedCluster> {
  const dir = await mkdtemp(join(work, 'cluster-'));
  await cp(template, dir, { recursive: true });
  return openSimulatedCluster(dir);
}

class Crash extends Error {}

/** Runs: export, advance 60 min, export; optionally crashing once at the `occurrence`-th `step` of run `phase`. */
async function scenario(crash?: { phase: 1 | 2; step: ExportStep; occurrence: number }) {
  const sim = await cloneCluster();
  const lake = await lakeFixture();
  const runner = await openRunner('pg', sim.db, cluster);
  const snapshots: Array<Map<string, Buffer>> = [];
  const watermarks: unknown[] = [];
  let crashed = false;
  try {
    for (const phase of [1, 2] as const) {
      if (phase === 2) await sim.advance(60);
      if (crash?.phase === phase) {
        let seen = 0;
        const onStep = (step: ExportStep): void => {
          if (step === crash.step && ++seen === crash.occurrence) throw new Crash(`crash at ${step} #${seen}`);
        };
        await expect(exportOnce(lake, runner, cluster, { onStep })).rejects.toBeInstanceOf(Crash);
        crashed = true;
      }
      expect((await exportOnce(lake, runner, cluster)).status).toBe('done');
      snapshots.push(await lakeFiles(lake.lakeDir));
      watermarks.push((await lake.state.listWatermarks()).map(({ updatedAt: _updatedAt, ...mark }) => mark));
    }
    return { snapshots, watermarks, crashed };
  } finally {
    await runner.close();
    await lake.close();
    await sim.close();
  }
}

function steps(): Array<{ phase: 1 | 2; step: ExportStep; occurrence: number }> {
  return [
    { phase: 1, step: 'lease-acquired', occurrence: 1 },
    { phase: 1, step: 'clock-read', occurrence: 1 },
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
  let reference: Awaited<ReturnType<typeof scenario>>;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'opslake-faults-'));
    template = join(work, 'template');
    const sim = await createSimulatedCluster({
      name: 'analytics',
      profile: 'analytics',
      seed: 5,
      start: SIM_START,
      historyHours: 3,
      dataDir: template,
    });
    await sim.close();
    reference = await scenario();
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('has a reference lake with objects and sealed watermarks in both runs', () => {
    const [first, second] = reference.snapshots;
    expect(first?.size).toBeGreaterThan(20);
    expect(second?.size).toBeGreaterThan(defined(first, 'the first run').size);
  });

  it.each(steps())('gives the same lake, byte for byte, when run $phase stops at $step #$occurrence', async (crash) => {
    const result = await scenario(crash);
    expect(result.crashed).toBe(true);
    for (const phase of [0, 1]) {
      const expected = defined(reference.snapshots[phase], `the reference lake after run ${phase}`);
      const actual = defined(result.snapshots[phase], `the lake after run ${phase}`);
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [key, bytes] of expected) expect(actual.get(key)?.equals(bytes), key).toBe(true);
    }
    expect(result.watermarks).toEqual(reference.watermarks);
  });
});
