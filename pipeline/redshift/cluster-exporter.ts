import { randomUUID } from 'node:crypto';
import type { ClusterConfig, ExportSettings } from '../config/opslake-config.js';
import { ConfigError, DeadlineReachedError, LeaseHeldError } from '../errors.js';
import { HeldLease, leaseMs } from '../state/held-lease.js';
import type { WrittenObject } from '../lake/lake-layout.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { ParquetWriter } from '../ports/parquet-writer.js';
import type { SqlRunner } from '../ports/sql-runner.js';
import type { Gap, SourceAccess, StateStore } from '../ports/state-store.js';
import { customLakeTable, customTableName, type ExportTable, isCustomTableName } from '../tables/custom-tables.js';
import type { LakeTable } from '../tables/lake-table.js';
import type { RedshiftPartitionKey } from '../tables/registry.js';
import { readClusterNow } from './cluster-reads.js';
import type { ExportEvent, ExportStep } from './export-events.js';
import { type PlanContext, planTable, readPlanContext, selectTables, type TablePlan } from './export-plan.js';
import { type CustomSchemaSync, syncCustomSchema } from './custom-schema.js';
import { type SlotTarget, writeSlotObject } from './slot-object-writer.js';
import { checkSourceAccess } from './source-access.js';
import { parseUtc } from './slot-time.js';
import { type ResolvedDialect, resolveDialect } from './source-dialect.js';

export interface ClusterExporterDeps {
  readonly runner: SqlRunner;
  readonly lake: ObjectStore;
  readonly state: StateStore;
  readonly writer: ParquetWriter;
  /** Wall clock, for leases and the deadline (the cluster clock decides sealing). */
  readonly clock?: () => Date;
  /** Identifies this run in leases; random by default. */
  readonly owner?: string;
  readonly onEvent?: (event: ExportEvent) => void;
  /** Called at every step boundary; tests throw here to simulate a crash. */
  readonly onStep?: (step: ExportStep) => void | Promise<void>;
}

export interface ClusterExportOptions {
  readonly cluster: ClusterConfig;
  readonly settings: ExportSettings;
  /** Only these tables (default: the cluster's configured ones and its custom exports). */
  readonly tables?: readonly ExportTable[];
  /** Stop starting new slots once the wall clock is past `deadline - reserveMs`. */
  readonly deadline?: Date;
  /** Time kept back before the deadline for the slot in flight; default 60 s. */
  readonly reserveMs?: number;
  /** Aborted (SIGINT, SIGTERM): no new slot starts; the slots written are committed, the lease released. */
  readonly signal?: AbortSignal;
  /** Take the cluster's lease over from a run that holds it (one that was killed); a `lease-taken-over` event shows it first. */
  readonly takeOverLease?: boolean;
}

export interface TableExportResult {
  readonly table: ExportTable;
  readonly rows: number;
  readonly slotsWritten: number;
  readonly slotsSealed: number;
  readonly slotsExported: number;
  readonly sealedThrough: Date | null;
  readonly newGaps: readonly Gap[];
  readonly gaps: readonly Gap[];
  /** The objects this run wrote, with their partitions (for catalog partition registration). */
  readonly objects: readonly WrittenObject<RedshiftPartitionKey>[];
  /** Cluster now minus sealed-through, seconds; null before the first sealed slot. */
  readonly lagSeconds: number | null;
}

export interface ClusterExportResult {
  readonly cluster: string;
  /**
   * `done`; `lease-held` (another run is exporting it; nothing done); `deadline` (stopped early,
   * finished work committed); `interrupted` (the signal was aborted; finished work committed).
   */
  readonly status: 'done' | 'lease-held' | 'deadline' | 'interrupted';
  readonly message: string;
  readonly clusterNow: string | null;
  /** The system views the source was read through, and why; absent when nothing was read (lease held). */
  readonly dialect?: ResolvedDialect;
  /** What the export user may see of the system views, checked at the start of the run. */
  readonly access?: SourceAccess;
  /** The lake tables of the custom exports this run wrote, for the catalog (created or updated where `change` says). */
  readonly customTables?: ReadonlyArray<{ readonly table: LakeTable; readonly change: CustomSchemaSync['change'] }>;
  readonly tables: readonly TableExportResult[];
  /** Set when the run stopped early at its deadline (status `deadline`); retryable: the next run goes on. */
  readonly stopped?: DeadlineReachedError;
}

export type { TablePlan } from './export-plan.js';

/**
 * Exports the system views of one source incrementally, exactly once (DESIGN.md §3), through the
 * dialect it can be read with (STL, or SYS on Serverless and Multi-AZ): slot objects
 * are deterministic and overwritten on re-export, and the watermark moves only after the
 * objects of its slots are written, only through contiguous sealed slots, and with a
 * conditional write. A run may therefore stop anywhere and the next one repeats at most the
 * slots whose watermark did not move, overwriting the same objects.
 */
export class ClusterExporter {
  readonly #deps: ClusterExporterDeps;
  readonly #clock: () => Date;
  /**
   * The lease of the run in progress, renewed halfway through its life so a long export keeps it.
   * Without it, an export longer than the lease (a first run over a week of a busy cluster) would
   * let a second run in; the conditional watermark writes would still keep the lake right, but
   * the work would be done twice.
   */
  #lease: HeldLease | null = null;

  constructor(deps: ClusterExporterDeps) {
    this.#deps = deps;
    this.#clock = deps.clock ?? (() => new Date());
  }

  async export(options: ClusterExportOptions): Promise<ClusterExportResult> {
    const { cluster } = options;
    const owner = this.#deps.owner ?? `run-${randomUUID()}`;
    let lease: HeldLease;
    try {
      lease = await HeldLease.acquire(this.#deps.state, `cluster#${cluster.name}`, owner, {
        ttlMs: leaseMs(this.#clock(), options.deadline),
        clock: this.#clock,
        keepAlive: options.deadline === undefined,
        ...(options.takeOverLease ? { takeOver: true } : {}),
        onTakeOver: (held) =>
          this.#deps.onEvent?.({
            type: 'lease-taken-over',
            cluster: cluster.name,
            holder: held.holder,
            expiresAt: held.expiresAt,
            ...(held.renewedAt ? { renewedAt: held.renewedAt } : {}),
          }),
      });
    } catch (error) {
      if (error instanceof LeaseHeldError) {
        return { cluster: cluster.name, status: 'lease-held', message: error.message, clusterNow: null, tables: [] };
      }
      throw error;
    }
    this.#lease = lease;
    try {
      await this.#step('lease-acquired');
      return await this.#exportLeased(options);
    } finally {
      this.#lease = null;
      await lease.release();
    }
  }

  /**
   * Reads the cluster clock, dialect, watermarks and oldest rows, and plans every table without
   * writing (a dialect not recorded yet is probed, and not recorded).
   */
  async plan(options: ClusterExportOptions): Promise<{ clusterNow: string; dialect: ResolvedDialect; tables: TablePlan[] }> {
    const clusterNow = await readClusterNow(this.#deps.runner);
    const dialect = await resolveDialect(options.cluster, this.#deps, { now: this.#clock(), record: false });
    const selected = selectTables(options.cluster, dialect, options.tables);
    const context = await readPlanContext(this.#deps.runner, dialect.dialect, selected, parseUtc(clusterNow));
    const tables: TablePlan[] = [];
    for (const table of selected) tables.push(await this.#planTable(options, dialect, table, context));
    return { clusterNow, dialect, tables };
  }

  async #exportLeased(options: ClusterExportOptions): Promise<ClusterExportResult> {
    const { cluster } = options;
    const clusterNow = await readClusterNow(this.#deps.runner);
    await this.#step('clock-read');
    // Probed once per source (and recorded) where the configuration leaves it to the export.
    const dialect = await resolveDialect(cluster, this.#deps, { now: this.#clock(), record: true });
    await this.#step('dialect-resolved');
    this.#deps.onEvent?.({ type: 'cluster-start', cluster: cluster.name, now: clusterNow, dialect: dialect.dialect });
    const selected = selectTables(cluster, dialect, options.tables);
    // Checked every run (one cheap statement), so a grant given since shows at once.
    const access = await checkSourceAccess(this.#deps.runner, cluster.name, this.#clock());
    await this.#deps.state.recordSourceAccess(access);
    const context = await readPlanContext(this.#deps.runner, dialect.dialect, selected, parseUtc(clusterNow));
    const results: TableExportResult[] = [];
    let status: ClusterExportResult['status'] = 'done';
    let message = 'exported';
    let reached: DeadlineReachedError | undefined;
    const customTables: Array<{ table: LakeTable; change: CustomSchemaSync['change'] }> = [];
    for (const table of selected) {
      if (options.signal?.aborted) {
        status = 'interrupted';
        message = `interrupted before ${table}; the slots written before are committed`;
        break;
      }
      const { target, sync } = await this.#target(cluster, table);
      if (sync) customTables.push({ table: customLakeTable(sync.schema), change: sync.change });
      const planned = await this.#planTable(options, dialect, table, context);
      await this.#step(`planned:${table}`);
      const { result, stopped } = await this.#exportTable(options, dialect, planned, target, clusterNow, context.now);
      results.push(result);
      if (stopped === 'interrupted') {
        status = 'interrupted';
        message = `interrupted while exporting ${table}; the slots written before are committed`;
        break;
      }
      if (stopped) {
        reached = new DeadlineReachedError(`exporting ${cluster.name}/${table}`);
        status = 'deadline';
        message = reached.message;
        break;
      }
      await this.#step(`table-done:${table}`);
    }
    const found = { dialect, access, customTables };
    return { cluster: cluster.name, status, message, clusterNow, ...found, tables: results, ...(reached ? { stopped: reached } : {}) };
  }

  /**
   * What a table is read from. A custom export's columns are learned (first run) or checked
   * against those recorded, and recorded when they grew, before any of its slots is read.
   */
  async #target(cluster: ClusterConfig, table: ExportTable): Promise<{ target: SlotTarget; sync?: CustomSchemaSync }> {
    if (!isCustomTableName(table)) return { target: { table } };
    const custom = (cluster.exports ?? []).find((candidate) => customTableName(candidate.name) === table);
    if (custom === undefined) throw new ConfigError(`${cluster.name}.exports`, `has no export named ${table.slice('custom_'.length)}`);
    const sync = await syncCustomSchema(this.#deps, cluster.name, custom, { record: true });
    return { target: { table, custom, schema: sync.schema }, sync };
  }

  #planTable(options: ClusterExportOptions, dialect: ResolvedDialect, table: ExportTable, context: PlanContext): Promise<TablePlan> {
    return planTable(this.#deps, options.cluster, options.settings, dialect.dialect, table, context);
  }

  async #exportTable(
    options: ClusterExportOptions,
    dialect: ResolvedDialect,
    planned: TablePlan,
    target: SlotTarget,
    clusterNow: string,
    now: Date,
  ): Promise<{ result: TableExportResult; stopped: false | 'deadline' | 'interrupted' }> {
    const { cluster } = options;
    const { table, plan } = planned;
    const key = { cluster: cluster.name, table };
    let watermark = planned.watermark;
    const newGaps: Gap[] = [];
    if (plan.gap) {
      const gap: Gap = { ...plan.gap, detectedAt: now };
      newGaps.push(gap);
      // The lost range is recorded at once and the watermark jumps over it: those rows no
      // longer exist anywhere, so nothing later could fill it.
      watermark = await this.#deps.state.putWatermark(
        key,
        { sealedThrough: plan.gap.to, gaps: [...watermark.gaps, gap] },
        watermark.version,
      );
      this.#deps.onEvent?.({ type: 'gap', cluster: cluster.name, table, from: plan.gap.from, to: plan.gap.to });
    }
    this.#deps.onEvent?.({
      type: 'table-planned',
      cluster: cluster.name,
      table,
      slots: plan.slots.length,
      sealed: plan.slots.filter((slot) => slot.sealed).length,
    });
    let rows = 0;
    let slotsWritten = 0;
    let slotsSealed = 0;
    let slotsExported = 0;
    const objects: WrittenObject<RedshiftPartitionKey>[] = [];
    const result = (): TableExportResult => ({
      table,
      rows,
      slotsWritten,
      slotsSealed,
      slotsExported,
      sealedThrough: watermark.sealedThrough,
      newGaps,
      gaps: watermark.gaps,
      objects,
      lagSeconds: watermark.sealedThrough ? Math.round((now.getTime() - watermark.sealedThrough.getTime()) / 1000) : null,
    });
    for (const slot of plan.slots) {
      if (options.signal?.aborted) return { result: result(), stopped: 'interrupted' };
      if (this.#pastDeadline(options)) return { result: result(), stopped: 'deadline' };
      await this.#lease?.renewIfDue();
      const written = await writeSlotObject(this.#deps, { cluster: cluster.name, dialect: dialect.dialect }, target, slot, clusterNow);
      rows += written.rows;
      slotsExported += 1;
      if (written.object) {
        slotsWritten += 1;
        objects.push(written.object);
      }
      await this.#step(`object-written:${table}`);
      const { rows: slotRows, object } = written;
      this.#deps.onEvent?.({ type: 'slot-written', cluster: cluster.name, table, slot, rows: slotRows, key: object?.key ?? null });
      const contiguous = watermark.sealedThrough === null || watermark.sealedThrough.getTime() === slot.start.getTime();
      if (slot.sealed && contiguous) {
        watermark = await this.#deps.state.putWatermark(key, { sealedThrough: slot.end, gaps: watermark.gaps }, watermark.version);
        slotsSealed += 1;
        await this.#step(`watermark-moved:${table}`);
      }
    }
    return { result: result(), stopped: false };
  }

  /** True once starting another slot could overrun the deadline (the reserve covers the slot in flight). */
  #pastDeadline(options: ClusterExportOptions): boolean {
    if (!options.deadline) return false;
    return this.#clock().getTime() >= options.deadline.getTime() - (options.reserveMs ?? 60_000);
  }

  async #step(step: ExportStep): Promise<void> {
    await this.#deps.onStep?.(step);
  }
}
