import type { SeededRandom } from '../seeded-random.js';

/**
 * The vocabulary of a simulated workload: who runs what, in which WLM queue, against which
 * tables. A profile is data plus a function that says what starts in one minute; turning that
 * into STL rows is the same for every profile (`emitStatementRows`).
 */

export const WORKLOAD_PROFILE_NAMES = ['analytics', 'etl'] as const;
export type WorkloadProfileName = (typeof WORKLOAD_PROFILE_NAMES)[number];

export interface SimUser {
  readonly userid: number;
  readonly name: string;
}

export interface WlmQueue {
  readonly serviceClass: number;
  readonly name: string;
}

export interface SimTable {
  /** Table id (`stl_scan.tbl`). */
  readonly id: number;
  /** `schema.table`, as `perm_table_name` shows it. */
  readonly name: string;
  /** Live rows on one slice. */
  readonly rowsPerSlice: number;
  /** Average row width in bytes. */
  readonly width: number;
  /** Never analyzed: plans say so and every query over it raises an alert. */
  readonly missingStats?: boolean;
  /** Share of deleted rows not yet vacuumed. */
  readonly ghostFraction?: number;
  /** Spectrum external table (scan type 29) rather than a permanent table (type 2). */
  readonly external?: boolean;
}

/** One scan step of a query: a row per slice in stl_scan, a leaf in stl_explain. */
export interface ScanDraft {
  readonly table: SimTable;
  /** `stl_scan.type`: 2 permanent table, 21 load from S3, 29 S3 external table. */
  readonly type: 2 | 21 | 29;
  /** Alias used in the plan text. */
  readonly alias: string;
  /** Share of the table's blocks read (below 1 when zone maps restricted the range). */
  readonly fraction: number;
  /** rows / rows_pre_user_filter: what the query's own predicates keep. */
  readonly selectivity: number;
  /** `Filter: ...` line of the plan leaf. */
  readonly filter?: string;
}

export interface JoinDraft {
  readonly kind: 'hash' | 'merge' | 'nested-loop';
  /** Join condition as the plan prints it. */
  readonly condition: string;
  /** Redistribution strategy printed after the join name. */
  readonly distribution?: string;
}

/** The plan above the scans: joins (left-deep, in scan order), aggregation, sort, limit. */
export interface PlanDraft {
  readonly joins?: readonly JoinDraft[];
  /** Group-by detail of a HashAggregate; `Unique` makes it a Unique node (SELECT DISTINCT). */
  readonly aggregate?: string;
  /** Sort expression: a Merge over a Sort on the way to the leader. */
  readonly sortKey?: string;
  readonly limit?: number;
}

export type StatementKind = 'query' | 'ddl' | 'utility';

/** One statement as a profile describes it; times and ids are added when it is placed. */
export interface StatementSpec {
  readonly kind: StatementKind;
  readonly user: SimUser;
  readonly text: string;
  /** Query group; stl_query says `default` and the text views a blank when absent. */
  readonly label?: string;
  readonly database?: string;
  /** Median run time and spread (log-normal). */
  readonly medianMs: number;
  readonly sigma?: number;
  /** Queries only. */
  readonly queue?: WlmQueue;
  readonly slotCount?: number;
  readonly scans?: readonly ScanDraft[];
  /** Present when the statement has an EXPLAIN plan (stl_explain rows). */
  readonly plan?: PlanDraft;
  /** Chance that the query is cancelled or stopped by WLM. */
  readonly abortRate?: number;
  /** Chance that it runs on a concurrency-scaling cluster (no step rows then). */
  readonly scalingRate?: number;
  /** Statements with the same session key share a pid. */
  readonly session?: string;
}

/**
 * Work that starts in one minute. A sequence (a job) runs its statements one after the other
 * from `offsetMs` within the minute; a single statement is a sequence of one.
 */
export interface Arrival {
  readonly offsetMs: number;
  readonly statements: readonly StatementSpec[];
}

export interface MinuteContext {
  readonly rng: SeededRandom;
  /** Start of the minute, ms since the epoch (UTC). */
  readonly minuteStartMs: number;
  /** UTC hour of day, 0-23. */
  readonly hour: number;
  /** UTC minute of hour, 0-59. */
  readonly minuteOfHour: number;
  /** UTC day of week, 0 = Sunday. */
  readonly weekday: number;
  /**
   * The planted regression is in force: the dashboards' revenue-by-region query runs several
   * times slower from then on (its table lost its sort order), same text, same fingerprint.
   */
  readonly regressed: boolean;
}

export interface WorkloadProfile {
  readonly name: WorkloadProfileName;
  readonly slices: number;
  readonly databases: readonly string[];
  readonly users: readonly SimUser[];
  readonly queues: readonly WlmQueue[];
  readonly tables: readonly SimTable[];
  /** Typical queue wait in the busiest hours, ms (median). */
  readonly peakQueueMs: number;
  /** Everything that starts in this minute. */
  arrivals(context: MinuteContext): Arrival[];
}
