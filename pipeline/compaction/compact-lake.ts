import { randomUUID } from 'node:crypto';
import type { CompactionSettings } from '../config/compaction-settings.js';
import { LeaseHeldError } from '../errors.js';
import { HeldLease, leaseMs } from '../state/held-lease.js';
import type { PartitionValuesOf } from '../lake/lake-layout.js';
import { partitionPath } from '../lake/lake-layout.js';
import type { Catalog, PartitionLocation } from '../ports/catalog.js';
import type { CompactionState } from '../ports/compaction-state.js';
import type { StateStore } from '../ports/state-store.js';
import type { LakeTable } from '../tables/lake-table.js';
import { ALL_SCOPES, addDays, closesBySealing, lastClosedByLateness, lastClosedBySealing } from './closed-days.js';
import { CompactionSummary } from './compaction-summary.js';
import type { PartitionCompactor, PartitionResult } from './partition-compactor.js';

export interface CompactLakeOptions {
  readonly catalog: Pick<Catalog, 'listPartitions'>;
  readonly state: CompactionState & Pick<StateStore, 'listWatermarks' | 'acquireLease' | 'releaseLease'>;
  readonly compactor: PartitionCompactor;
  readonly tables: readonly LakeTable[];
  readonly settings: CompactionSettings;
  /** Only these days (YYYY-MM-DD, inclusive), instead of the days closed since each table's watermark. */
  readonly since?: string;
  readonly until?: string;
  readonly dryRun?: boolean;
  readonly clock?: () => Date;
  /** Milliseconds left before the run must stop (Lambda's remaining time); no partition starts with less than `reserveMs` left. */
  readonly remainingMs?: () => number;
  readonly reserveMs?: number;
  readonly onPartition?: (result: PartitionResult) => void;
  /** Who holds the lease (one compaction at a time); default a random id. */
  readonly owner?: string;
  /** Aborted (SIGINT, SIGTERM): no new partition starts; those done are committed, the lease released. */
  readonly signal?: AbortSignal;
  /** Take the lease over from a run that holds it (one that was killed); `onLeaseTakeOver` shows the holder first. */
  readonly takeOverLease?: boolean;
  readonly onLeaseTakeOver?: (held: LeaseHeldError) => void;
}

/** The first day a run without a watermark looks at: before it, no lake has data. */
const EPOCH_DAY = '1970-01-01';
/** One run at a time changes compacted partitions: a compaction, or a backfill writing closed days directly. */
export const COMPACTION_LEASE_SCOPE = 'compaction';

interface Scope {
  readonly table: LakeTable;
  readonly scope: string;
  /** Partitions of this scope match these values (the cluster of a Redshift scope). */
  readonly where: Readonly<Record<string, string>>;
  readonly lastClosed: string | undefined;
}

/**
 * One compaction run (`opslake compact`, the `lake-compact` Lambda): for each table and scope,
 * the dirty partitions first (a late file is folded in, superseded objects are deleted after the
 * grace period), then every partition of the days closed since the scope's watermark (or of
 * `--since`..`--until`, capped at the last closed day). A partition that fails is marked dirty
 * (retried next run, counted as overdue) and the run goes on; the watermark moves past a day
 * once all its partitions were taken up. One run at a time (a lease); no partition starts when
 * the deadline is near.
 */
export async function compactLake(options: CompactLakeOptions): Promise<CompactionSummary> {
  const clock = options.clock ?? (() => new Date());
  const summary = new CompactionSummary();
  const owner = options.owner ?? `compact-${randomUUID()}`;
  let lease: HeldLease | undefined;
  if (!options.dryRun) {
    const now = clock();
    const deadline = options.remainingMs === undefined ? undefined : new Date(now.getTime() + options.remainingMs());
    try {
      lease = await HeldLease.acquire(options.state, COMPACTION_LEASE_SCOPE, owner, {
        ttlMs: leaseMs(now, deadline),
        clock,
        keepAlive: deadline === undefined,
        ...(options.takeOverLease ? { takeOver: true } : {}),
        ...(options.onLeaseTakeOver ? { onTakeOver: options.onLeaseTakeOver } : {}),
      });
    } catch (error) {
      if (!(error instanceof LeaseHeldError)) throw error;
      summary.leaseHeldBy = error.holder;
      return summary;
    }
  }
  try {
    for (const scope of await scopesOf(options, clock())) {
      if (!(await runScope(options, scope, summary, lease))) break;
    }
  } finally {
    if (lease !== undefined) await lease.release();
  }
  return summary;
}

async function scopesOf(options: CompactLakeOptions, now: Date): Promise<Scope[]> {
  const watermarks = await options.state.listWatermarks();
  return options.tables.flatMap((table): Scope[] => {
    if (!closesBySealing(table)) {
      return [{ table, scope: ALL_SCOPES, where: {}, lastClosed: lastClosedByLateness(now, options.settings.cloudtrailLatenessMinutes) }];
    }
    return watermarks
      .filter((mark) => mark.table === table.name)
      .map((mark) => ({
        table,
        scope: mark.cluster,
        where: { cluster: mark.cluster },
        lastClosed: lastClosedBySealing(mark.sealedThrough),
      }));
  });
}

/** Returns false when the deadline stopped the run. */
async function runScope(
  options: CompactLakeOptions,
  scope: Scope,
  summary: CompactionSummary,
  lease: HeldLease | undefined,
): Promise<boolean> {
  const { table } = scope;
  const { state } = options;
  const explicit = options.since !== undefined || options.until !== undefined;
  const dirty = explicit
    ? []
    : (await state.listDirtyPartitions(table.name)).filter((mark) => Object.entries(scope.where).every(([k, v]) => mark.values[k] === v));
  // A partition both dirty and on a closed day is taken up once.
  const done = new Set<string>();
  for (const mark of dirty) {
    if (mustStop(options, summary)) return stop(summary, dirty.length - dirty.indexOf(mark));
    await lease?.renewIfDue();
    done.add(mark.path);
    const location = await locationOf(options, table, mark.values);
    const result = await compactOne(options, table, mark.values, location, summary);
    // A mark stays while superseded objects wait for the grace period: the next run deletes them.
    if (result.status !== 'failed' && !result.cleanupPending && !options.dryRun) await state.clearDirtyPartition(mark);
  }
  if (scope.lastClosed === undefined) return true;
  const mark = explicit ? undefined : await state.getCompactionWatermark(table.name, scope.scope);
  const from = explicit ? (options.since ?? EPOCH_DAY) : mark?.day ? addDays(mark.day, 1) : EPOCH_DAY;
  const to = options.until !== undefined && options.until < scope.lastClosed ? options.until : scope.lastClosed;
  if (from > to) return true;
  const days = [...(await daysWithPartitions(options, table, { fromDay: from, toDay: to, where: scope.where }))].sort();
  let version = mark?.version ?? 0;
  for (const day of days) {
    const partitions = (await listed(options, table, { fromDay: day, toDay: day, where: scope.where })).filter(
      (partition) => !done.has(partitionPath(table, partition.values)),
    );
    for (const [index, partition] of partitions.entries()) {
      if (mustStop(options, summary)) return stop(summary, partitions.length - index);
      await lease?.renewIfDue();
      await compactOne(options, table, partition.values, partition.location, summary);
    }
    if (!explicit && !options.dryRun) version = (await state.putCompactionWatermark(table.name, scope.scope, day, version)).version;
  }
  if (!explicit && !options.dryRun && days.at(-1) !== to) await state.putCompactionWatermark(table.name, scope.scope, to, version);
  return true;
}

async function compactOne(
  options: CompactLakeOptions,
  table: LakeTable,
  values: Readonly<Record<string, string>>,
  location: string | undefined,
  summary: CompactionSummary,
): Promise<PartitionResult> {
  const result = await options.compactor.compact({
    table,
    values: values as PartitionValuesOf,
    location,
    ...(options.dryRun ? { dryRun: true } : {}),
  });
  summary.add(result);
  options.onPartition?.(result);
  if (result.status === 'failed' && !options.dryRun) {
    // Retried by the next run, and counted as overdue until then.
    await options.state.markPartitionsDirty(
      [{ table: table.name, path: partitionPath(table, values), values }],
      (options.clock ?? (() => new Date()))(),
    );
  }
  return result;
}

/** True at the deadline (`stoppedAtDeadline`) or once the signal is aborted (`interrupted`): no partition starts then. */
function mustStop(options: CompactLakeOptions, summary: CompactionSummary): boolean {
  if (options.signal?.aborted) {
    summary.interrupted = true;
    return true;
  }
  if (options.remainingMs !== undefined && options.remainingMs() < (options.reserveMs ?? 60_000)) {
    summary.stoppedAtDeadline = true;
    return true;
  }
  return false;
}

function stop(summary: CompactionSummary, notStarted: number): false {
  summary.notStarted += notStarted;
  return false;
}

async function listed(
  options: Pick<CompactLakeOptions, 'catalog'>,
  table: LakeTable,
  query: Parameters<Catalog['listPartitions']>[1],
): Promise<PartitionLocation[]> {
  const partitions: PartitionLocation[] = [];
  for await (const page of options.catalog.listPartitions(table, query)) partitions.push(...page);
  return partitions.sort((a, b) => (partitionPath(table, a.values) < partitionPath(table, b.values) ? -1 : 1));
}

/** The days of a range that have partitions: one pass keeping only the days, so memory stays small over a long first range. */
async function daysWithPartitions(
  options: CompactLakeOptions,
  table: LakeTable,
  query: Parameters<Catalog['listPartitions']>[1],
): Promise<Set<string>> {
  const days = new Set<string>();
  for await (const page of options.catalog.listPartitions(table, query)) for (const partition of page) days.add(partition.values.day ?? '');
  days.delete('');
  return days;
}

function locationOf(options: CompactLakeOptions, table: LakeTable, values: Readonly<Record<string, string>>): Promise<string | undefined> {
  return partitionLocation(options.catalog, table, values);
}

/** Where the catalog points a partition (undefined: not registered). */
export async function partitionLocation(
  catalog: Pick<Catalog, 'listPartitions'>,
  table: LakeTable,
  values: Readonly<Record<string, string>>,
): Promise<string | undefined> {
  const day = values.day ?? '';
  const where = Object.fromEntries(Object.entries(values).filter(([key]) => key !== 'day'));
  const found = (await listed({ catalog }, table, { fromDay: day, toDay: day, where })).find((partition) =>
    table.partitionKeys.every((key) => partition.values[key.name] === values[key.name]),
  );
  return found?.location;
}
