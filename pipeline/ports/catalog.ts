import type { LakeTable } from '../tables/lake-table.js';
import type { LakeView } from '../tables/lake-view.js';

/** Values of every partition key of a table, e.g. `{ cluster: 'prod', day: '2024-03-05' }`. */
export type PartitionValues = Readonly<Record<string, string>>;

export interface TableSyncResult {
  readonly table: string;
  readonly action: 'created' | 'updated' | 'unchanged';
}

export interface PartitionSyncResult {
  /** Partitions this call registered. */
  readonly added: number;
  /** Partitions that were already registered (ignored, not an error). */
  readonly existing: number;
}

/**
 * Where the lake's tables are declared for query engines: the Glue Data Catalog in AWS, DuckDB
 * views locally. Tables are created or updated from the schema registry and never dropped.
 */
export interface Catalog {
  /** Creates the tables that are missing and updates those whose definition changed. */
  ensureTables(tables: readonly LakeTable[]): Promise<readonly TableSyncResult[]>;
  /** Creates or replaces the views over lake tables (`cloudtrail_logs`); their tables must be declared first. */
  ensureViews(views: readonly LakeView[]): Promise<readonly TableSyncResult[]>;
  /** Registers partitions as their files are written; registering one twice is not an error. */
  addPartitions(table: LakeTable, partitions: readonly PartitionValues[]): Promise<PartitionSyncResult>;
}
