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

/** A registered partition and where readers find its objects. */
export interface PartitionLocation {
  readonly values: PartitionValues;
  /**
   * The folder readers read, relative to the lake root with a trailing slash: the live folder
   * (`<table path>/<k>=<v>/.../`) or a compacted generation's folder. Undefined when the catalog
   * points outside the lake (set by hand): such a partition is left alone.
   */
  readonly location: string | undefined;
}

/** Which partitions to list: `day` in [fromDay, toDay], and every key of `where` equal to its value. */
export interface PartitionQuery {
  readonly fromDay: string;
  readonly toDay: string;
  readonly where?: PartitionValues;
}

/**
 * Where the lake's tables are declared for query engines: the Glue Data Catalog in AWS, DuckDB
 * views locally. Tables are created or updated from the schema registry and never dropped. The
 * catalog is what readers resolve a partition through: pointing a partition at another folder
 * (`switchPartition`) is one atomic step for them.
 */
export interface Catalog {
  /** Creates the tables that are missing and updates those whose definition changed. */
  ensureTables(tables: readonly LakeTable[]): Promise<readonly TableSyncResult[]>;
  /** Creates or replaces the views over lake tables (`cloudtrail_logs`); their tables must be declared first. */
  ensureViews(views: readonly LakeView[]): Promise<readonly TableSyncResult[]>;
  /** Registers partitions as their files are written; registering one twice is not an error. */
  addPartitions(table: LakeTable, partitions: readonly PartitionValues[]): Promise<PartitionSyncResult>;
  /** The partitions a query names, page by page, in no order. */
  listPartitions(table: LakeTable, query: PartitionQuery): AsyncIterable<readonly PartitionLocation[]>;
  /**
   * Points a partition at `location` (relative to the lake root, a folder under the table's
   * path), creating the partition when it is not registered: readers see the old folder or the
   * new one, never both and never neither.
   */
  switchPartition(table: LakeTable, values: PartitionValues, location: string): Promise<void>;
}
