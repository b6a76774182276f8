import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';
import { BadLakeObjectError, OpslakeError } from '../errors.js';
import {
  compactedPrefix,
  GENERATION_MANIFEST,
  generationObjectKey,
  generationOf,
  generationPrefix,
  type PartitionValuesOf,
  partitionPath,
  partitionPrefix,
} from '../lake/lake-layout.js';
import type { Catalog } from '../ports/catalog.js';
import type { CompactionRecord, CompactionState } from '../ports/compaction-state.js';
import type { ObjectInfo, ObjectStore } from '../ports/object-store.js';
import type { LakeTable } from '../tables/lake-table.js';
import { type CompactionPlan, dataObjects, planCompaction } from './compaction-plan.js';
import { collect, type GenerationManifest, type ObjectRef, readManifest, sameObject, serializeManifest } from './generation-manifest.js';
import type { LocalInput } from './generation-writer.js';
import type { WritesGenerations } from './recycling-generation-writer.js';
import type { PartitionResult } from './partition-result.js';

/** The points between a compaction's steps; tests stop a run at each to prove a rerun repairs it. */
export type CompactionStep = 'written' | 'manifest' | 'switched' | 'recorded' | 'deleted';

export interface PartitionCompactorOptions {
  readonly lake: ObjectStore;
  readonly catalog: Pick<Catalog, 'switchPartition'>;
  readonly state: CompactionState;
  readonly writer: WritesGenerations;
  /** How long superseded objects stay after a switch (longer than the longest query). */
  readonly graceMs: number;
  readonly clock: () => Date;
  readonly tempDirectory: string;
  readonly onStep?: (step: CompactionStep, partition: string) => void | Promise<void>;
}

/** Rows of a partition not in the lake yet: a local Parquet file, named in manifests by `ref`. */
export interface StagedInput {
  readonly ref: ObjectRef;
  readonly path: string;
}

/** One partition to compact: its values and the folder the catalog points it at (undefined: not registered). */
export interface PartitionJob {
  readonly table: LakeTable;
  readonly values: PartitionValuesOf;
  readonly location: string | undefined;
  readonly dryRun?: boolean;
}

export type { PartitionResult } from './partition-result.js';

/**
 * Compacts one partition in steps, each safe to be the last a crashed run did (DESIGN.md §2):
 * write a generation (parts, then its manifest), point the catalog at it, record it in the
 * state store, and delete what it superseded once the grace period has passed. A rerun computes
 * the same generation from the same inputs: it finds the manifest and only switches, or finds
 * the switch done and only records, or finds the record and only cleans up.
 */
export class PartitionCompactor {
  readonly #options: PartitionCompactorOptions;

  constructor(options: PartitionCompactorOptions) {
    this.#options = options;
  }

  /**
   * `staged`: rows of this partition made elsewhere and not in the lake yet (the backfill of closed
   * days, DESIGN.md §4), each a local Parquet file named in the plan by its `ref`, folded in like
   * new live objects: a rerun finds a ref the current generation already folded and leaves it out.
   */
  async compact(job: PartitionJob, staged: readonly StagedInput[] = []): Promise<PartitionResult> {
    const started = performance.now();
    const { table, values } = job;
    const path = partitionPath(table, values);
    const base = { table: table.name, path, inputs: 0, fresh: 0, outputs: 0, rowsIn: 0, rowsOut: 0, duplicatesRemoved: 0 };
    const result = { ...base, bytesIn: 0, bytesOut: 0, deleted: 0, cleanupPending: false };
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const current = await this.#current(job);
      const live = dataObjects(await collect(this.#options.lake.list(partitionPrefix(table, values))), partitionPrefix(table, values));
      live.push(...staged.map((input) => input.ref));
      const plan = planCompaction({ current: current?.manifest, currentParts: current?.parts ?? [], live });
      if (job.dryRun) {
        if (plan.kind === 'nothing-new') return { ...result, status: 'unchanged', seconds: seconds() };
        return {
          ...result,
          status: 'planned',
          generation: plan.generation,
          inputs: plan.inputs.length,
          fresh: plan.fresh.length,
          seconds: seconds(),
        };
      }
      let target = current;
      let written:
        | Pick<PartitionResult, 'inputs' | 'fresh' | 'outputs' | 'rowsIn' | 'rowsOut' | 'duplicatesRemoved' | 'bytesIn' | 'bytesOut'>
        | undefined;
      if (plan.kind === 'compact') {
        const manifest = await this.writeGeneration(job, plan, new Map(staged.map((input) => [input.ref.key, input.path])));
        await this.#options.catalog.switchPartition(table, values, generationPrefix(table, values, plan.generation));
        await this.#step('switched', path);
        target = { generation: plan.generation, manifest, parts: [] };
        written = {
          inputs: plan.inputs.length,
          fresh: plan.fresh.length,
          outputs: manifest.outputs.length,
          rowsIn: manifest.rowsIn,
          rowsOut: manifest.rowsOut,
          duplicatesRemoved: manifest.duplicatesRemoved,
          bytesIn: plan.inputs.reduce((sum, input) => sum + input.size, 0),
          bytesOut: manifest.outputs.reduce((sum, output) => sum + output.bytes, 0),
        };
      }
      if (target === undefined) return { ...result, status: 'unchanged', seconds: seconds() };
      const record = await this.#record(job, target.generation, target.manifest);
      const cleanup = await this.#cleanUp(job, record, target.manifest);
      return {
        ...result,
        ...written,
        status: written === undefined ? 'unchanged' : 'compacted',
        generation: target.generation,
        deleted: cleanup.deleted,
        cleanupPending: cleanup.pending,
        seconds: seconds(),
      };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const key = error instanceof BadLakeObjectError ? { key: error.key } : {};
      // A crash stand-in of the tests is not a result: it must stop the run as a crash would.
      if (!(error instanceof OpslakeError)) throw error;
      return { ...result, status: 'failed', seconds: seconds(), error: { message, ...key } };
    }
  }

  /**
   * Step 3: the generation's parts, then its manifest (last: a folder without one is incomplete).
   * A complete generation of the same inputs is not written again. Inputs found in `local` (by
   * key) are read there instead of from the lake.
   */
  async writeGeneration(
    job: PartitionJob,
    plan: Extract<CompactionPlan, { kind: 'compact' }>,
    local: ReadonlyMap<string, string> = new Map(),
  ): Promise<GenerationManifest> {
    const { lake } = this.#options;
    const { table, values } = job;
    const manifestKey = generationObjectKey(table, values, plan.generation, GENERATION_MANIFEST);
    const existing = await readManifest(lake, manifestKey);
    if (existing !== undefined) return existing;
    const prefix = generationPrefix(table, values, plan.generation);
    // What a crashed write left behind: the parts are written again whole.
    for await (const leftover of lake.list(prefix)) await lake.delete(leftover.key);
    const folder = await mkdtemp(join(this.#options.tempDirectory, 'opslake-compact-'));
    try {
      const inputs: LocalInput[] = [];
      for (const [index, input] of plan.inputs.entries()) {
        // Named in key order, staged ones too: the file name breaks ties, the same way on every run.
        const path = join(folder, `in-${String(index).padStart(6, '0')}.parquet`);
        const staged = local.get(input.key);
        if (staged !== undefined) await symlink(staged, path);
        else await pipeline(await lake.getStream(input.key), createWriteStream(path));
        inputs.push({ key: input.key, path });
      }
      const files = await this.#options.writer.write(table, inputs);
      const outputs = [];
      try {
        for (const [index, file] of files.output.files.entries()) {
          const key = generationObjectKey(table, values, plan.generation, `part-${String(index).padStart(5, '0')}.parquet`);
          await lake.putFile(key, file.path, { contentType: 'application/vnd.apache.parquet' });
          outputs.push({ key, rows: files.outputRows[index] ?? 0, bytes: file.bytes });
        }
      } finally {
        await rm(files.output.folder, { recursive: true, force: true });
      }
      await this.#step('written', partitionPath(table, values));
      const manifest: GenerationManifest = {
        format: 1,
        table: table.name,
        partition: values,
        generation: plan.generation,
        inputs: plan.inputs.map((input, index) => ({ ...input, rows: files.inputRows[index] ?? 0 })),
        folded: plan.folded,
        outputs,
        rowsIn: files.rowsIn,
        rowsOut: files.rowsOut,
        duplicatesRemoved: files.rowsIn - files.rowsOut,
      };
      await lake.putBytes(manifestKey, serializeManifest(manifest), { contentType: 'application/json' });
      await this.#step('manifest', partitionPath(table, values));
      return manifest;
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }

  /** The generation readers are on (from the catalog), its manifest and parts; undefined while they read the live folder. */
  async #current(job: PartitionJob): Promise<{ generation: string; manifest: GenerationManifest; parts: ObjectInfo[] } | undefined> {
    const { table, values, location } = job;
    if (location === undefined || location === partitionPrefix(table, values)) return undefined;
    const generation = generationOf(table, values, location);
    if (generation === undefined) {
      throw new OpslakeError(
        `the catalog points ${table.name} ${partitionPath(table, values)} at ${location}, which compaction did not write`,
      );
    }
    const manifestKey = generationObjectKey(table, values, generation, GENERATION_MANIFEST);
    const manifest = await readManifest(this.#options.lake, manifestKey);
    if (manifest === undefined) throw new OpslakeError(`the catalog points at generation ${location} but it has no ${GENERATION_MANIFEST}`);
    const parts = dataObjects(await collect(this.#options.lake.list(location)), location);
    return { generation, manifest, parts };
  }

  /** Step 5: the record says which generation readers are on, and since when what it superseded waits. */
  async #record(job: PartitionJob, generation: string, manifest: GenerationManifest): Promise<CompactionRecord> {
    const { state, clock } = this.#options;
    const path = partitionPath(job.table, job.values);
    const stored = await state.getCompactionRecord(job.table.name, path);
    if (stored?.generation === generation) return stored;
    const now = clock();
    const record = await state.putCompactionRecord(
      {
        table: job.table.name,
        path,
        values: job.values,
        generation,
        manifestKey: generationObjectKey(job.table, job.values, generation, GENERATION_MANIFEST),
        rows: manifest.rowsOut,
        duplicatesRemoved: manifest.duplicatesRemoved,
        compactedAt: now,
        previousGeneration: stored?.generation ?? null,
        supersededAt: now,
        cleanedAt: null,
      },
      stored?.version ?? 0,
    );
    // A later run deletes what this generation superseded once the grace period has passed.
    if (this.#options.graceMs > 0) await state.markPartitionsDirty([{ table: job.table.name, path, values: job.values }], now);
    await this.#step('recorded', path);
    return record;
  }

  /** Step 6: once the grace period has passed, every other generation and the live objects folded into this one go. */
  async #cleanUp(
    job: PartitionJob,
    record: CompactionRecord,
    manifest: GenerationManifest,
  ): Promise<{ deleted: number; pending: boolean }> {
    const { lake, state, clock, graceMs } = this.#options;
    if (record.cleanedAt !== null) return { deleted: 0, pending: false };
    if (clock().getTime() < record.supersededAt.getTime() + graceMs) return { deleted: 0, pending: true };
    const { table, values } = job;
    const keep = generationPrefix(table, values, record.generation);
    let deleted = 0;
    for await (const info of lake.list(compactedPrefix(table, values))) {
      if (info.key.startsWith(keep)) continue;
      await lake.delete(info.key);
      deleted += 1;
    }
    const live = dataObjects(await collect(lake.list(partitionPrefix(table, values))), partitionPrefix(table, values));
    for (const info of live) {
      if (!manifest.folded.some((ref: ObjectRef) => sameObject(ref, info))) continue;
      await lake.delete(info.key);
      deleted += 1;
    }
    await this.#step('deleted', partitionPath(table, values));
    await state.putCompactionRecord({ ...record, cleanedAt: clock() }, record.version);
    return { deleted, pending: false };
  }

  async #step(step: CompactionStep, path: string): Promise<void> {
    await this.#options.onStep?.(step, path);
  }
}
