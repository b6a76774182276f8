import { join } from 'node:path';
import { expect } from 'vitest';
import { openDuckDb } from '../../pipeline/duckdb/duckdb-engine.js';
import { SeededRandom } from '../../pipeline/simulators/seeded-random.js';
import { LocalObjectStore } from '../../pipeline/store/local-object-store.js';
import { type ChildRun, runCliChild } from './cli-child.js';

/**
 * SIGKILL anywhere (issue 11, 4a): a job of the real CLI, in a child process, killed at seeded
 * random times drawn over the length of an uninterrupted run, then run again to completion. Each
 * chain starts from a fresh copy of the prepared fixture, kills several runs in a row (each rerun
 * may be killed again), then lets the last run finish; its lake and state must equal the
 * uninterrupted run's.
 */

export interface KillJob {
  /** Copies the fixture into `dir` (a fresh folder per chain). */
  prepare(dir: string): Promise<void>;
  /** Called before every run of a chain (e.g. a fresh copy of a source the kill may have left half-open). */
  beforeRun?(dir: string): Promise<void>;
  /** The CLI arguments; `rerun` after a kill (e.g. take over the lease the killed run left). */
  args(dir: string, rerun: boolean): string[];
  /** What must be equal after a run to completion: lake content and state, as plain data. */
  snapshot(dir: string): Promise<unknown>;
}

export interface KillReport {
  /** Kill points tried (SIGKILL sent at a drawn time). */
  readonly killPoints: number;
  /** Of those, runs the kill stopped (the others had finished before their time came). */
  readonly killed: number;
  readonly chains: number;
  /** Milliseconds of the uninterrupted reference run. */
  readonly referenceMs: number;
  /** Peak RSS (MiB) of the runs that finished. */
  readonly peakRssMb: number;
}

/** Runs the job once uninterrupted in `referenceDir` and returns its snapshot and duration. */
export async function referenceRun(bundle: string, job: KillJob, dir: string): Promise<{ snapshot: unknown; ms: number }> {
  await job.prepare(dir);
  await job.beforeRun?.(dir);
  const run = await runCliChild(bundle, job.args(dir, false), { cwd: dir });
  expectFinished(run, 'the reference run');
  return { snapshot: await job.snapshot(dir), ms: run.ms };
}

/** Kill chains: `chains` fresh copies, `killsPerChain` SIGKILLs each at drawn times, then a run to completion. */
export async function killChains(
  bundle: string,
  job: KillJob,
  options: { seed: number; chains: number; killsPerChain: number; folder: () => string; reference: { snapshot: unknown; ms: number } },
): Promise<KillReport> {
  const random = SeededRandom.fromSeed(options.seed);
  let killPoints = 0;
  let killed = 0;
  let peakRssMb = 0;
  for (let chain = 0; chain < options.chains; chain += 1) {
    const dir = options.folder();
    await job.prepare(dir);
    const times: number[] = [];
    for (let kill = 0; kill < options.killsPerChain; kill += 1) {
      // Drawn over the whole length of a run, start-up included.
      const at = Math.floor(random.next() * options.reference.ms);
      times.push(at);
      await job.beforeRun?.(dir);
      const run = await runCliChild(bundle, job.args(dir, kill > 0), { cwd: dir, killAfterMs: at });
      killPoints += 1;
      if (run.killed) killed += 1;
      else expectFinished(run, `chain ${chain}, a run that ended before its kill at ${at} ms`);
    }
    await job.beforeRun?.(dir);
    const last = await runCliChild(bundle, job.args(dir, true), { cwd: dir });
    expectFinished(last, `chain ${chain} (kills at ${times.join(', ')} ms), the run to completion`);
    peakRssMb = Math.max(peakRssMb, last.peakRssMb ?? 0);
    expect(await job.snapshot(dir), `chain ${chain}: kills at ${times.join(', ')} ms (seed ${options.seed})`).toEqual(
      options.reference.snapshot,
    );
  }
  return { killPoints, killed, chains: options.chains, referenceMs: options.reference.ms, peakRssMb };
}

function expectFinished(run: ChildRun, what: string): void {
  expect(run.code, `${what} failed:\n${run.stdout}\n${run.stderr}`).toBe(0);
}

/**
 * The object keys under `prefix` of a local lake, as the store lists them (and so as compaction
 * and the catalog see them), sorted. A write killed before its rename leaves its temporary file
 * (`.opslake-tmp-*`) beside the target: like an incomplete S3 multipart upload it is no object,
 * no listing shows it and no reader globs it.
 */
export async function objectKeys(root: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of new LocalObjectStore(root).list(prefix)) keys.push(info.key);
  return keys.sort();
}

/**
 * The rows of each Parquet file, read by DuckDB (not by the project's code), as sorted JSON
 * lines: content compared as rows, so two writes of the same rows compare equal whatever their
 * page layout.
 */
export async function parquetRows(root: string, keys: readonly string[]): Promise<Record<string, string[]>> {
  const { instance, connection } = await openDuckDb();
  try {
    const rows: Record<string, string[]> = {};
    for (const key of keys.filter((name) => name.endsWith('.parquet'))) {
      const path = join(root, key).replaceAll("'", "''");
      const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet('${path}', hive_partitioning = false)`);
      rows[key] = reader
        .getRowsJson()
        .map((row) => JSON.stringify(row))
        .sort();
    }
    return rows;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
