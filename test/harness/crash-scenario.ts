import { cp, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ClusterConfig } from '../../pipeline/config/opslake-config.js';
import type { ExportStep } from '../../pipeline/redshift/export-events.js';
import { openSimulatedCluster, type SimulatedCluster } from '../../pipeline/simulators/redshift/index.js';
import { exportOnce, lakeFiles, lakeFixture, openRunner } from './export-harness.js';

/**
 * The crash-safety harness (DESIGN.md §3): two exports with the clock moved between them, run
 * over a fresh copy of one simulated cluster on disk, optionally stopped once at a step boundary
 * and run again. A scenario that crashed must leave the same lake, byte for byte, and the same
 * watermarks as one that did not.
 */

export interface Crash {
  readonly phase: 1 | 2;
  readonly step: ExportStep;
  /** Which occurrence of the step to stop at, from 1. */
  readonly occurrence: number;
}

export interface ScenarioResult {
  /** The lake after each export: file bytes by relative path. */
  readonly snapshots: Array<Map<string, Buffer>>;
  /** The watermarks after each export, without their write times. */
  readonly watermarks: unknown[];
  readonly crashed: boolean;
}

class Stop extends Error {}

export class CrashScenario {
  constructor(
    /** A folder holding the simulated cluster every run starts from (copied, never changed). */
    private readonly template: string,
    /** Where the copies go. */
    private readonly work: string,
    private readonly cluster: ClusterConfig,
    /** Minutes the clock moves between the two exports. */
    private readonly advanceMinutes = 60,
  ) {}

  async run(crash?: Crash): Promise<ScenarioResult> {
    const sim = await this.#clone();
    const lake = await lakeFixture();
    const runner = await openRunner('pg', sim.db, this.cluster);
    const snapshots: Array<Map<string, Buffer>> = [];
    const watermarks: unknown[] = [];
    let crashed = false;
    try {
      for (const phase of [1, 2] as const) {
        if (phase === 2) await sim.advance(this.advanceMinutes);
        if (crash?.phase === phase) {
          let seen = 0;
          const onStep = (step: ExportStep): void => {
            if (step === crash.step && ++seen === crash.occurrence) throw new Stop(`crash at ${step} #${seen}`);
          };
          await expect(exportOnce(lake, runner, this.cluster, { onStep })).rejects.toBeInstanceOf(Stop);
          crashed = true;
        }
        expect((await exportOnce(lake, runner, this.cluster)).status).toBe('done');
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

  async #clone(): Promise<SimulatedCluster> {
    const dir = await mkdtemp(join(this.work, 'cluster-'));
    await cp(this.template, dir, { recursive: true });
    return openSimulatedCluster(dir);
  }
}

/** Checks that a crashed scenario left what the reference left, export after export. */
export function expectSameLake(result: ScenarioResult, reference: ScenarioResult): void {
  expect(result.crashed).toBe(true);
  for (const phase of [0, 1]) {
    const expected = reference.snapshots[phase] ?? new Map<string, Buffer>();
    const actual = result.snapshots[phase] ?? new Map<string, Buffer>();
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, bytes] of expected) expect(actual.get(key)?.equals(bytes), key).toBe(true);
  }
  expect(result.watermarks).toEqual(reference.watermarks);
}
