import type { GlueType, LakeType } from './column-types.js';

/** One column of a lake table: the unit from which Parquet, DuckDB and Glue schemas are derived. */
export interface LakeColumn {
  readonly name: string;
  readonly type: LakeType;
  readonly description: string;
}

/** A partition key of a table; `K` names it, so that a table's partition values can be typed. */
export interface PartitionKey<K extends string = string> {
  readonly name: K;
  readonly type: Extract<GlueType, 'string'>;
  readonly description: string;
}

/**
 * What identifies a row of a table and orders its rows, for compaction: one row is kept per
 * `key` (the first by `keepFirst`), rows are sorted by `time`. A row whose key columns are all
 * null is never taken for a duplicate.
 */
export interface RowIdentity {
  /** The row's own time (completion time, eventTime): compacted files are sorted by it. */
  readonly time?: string;
  /** Columns that identify a row; two rows with the same values are one row delivered twice. */
  readonly key: readonly string[];
  /** Of the rows with the same key, the one first by these columns is kept. */
  readonly keepFirst: readonly string[];
}

/**
 * A table in the lake, as the catalog (Glue or DuckDB) sees it. `K` names its partition keys:
 * `LakeTable<'cluster' | 'day'>` asks for exactly those values (see `lake/lake-layout.ts`).
 */
export interface LakeTable<K extends string = string> {
  /** Catalog table name, e.g. `stl_query`, `query_text`, `cloudtrail_events`. */
  readonly name: string;
  /** Path under the lake prefix where its partitions live, e.g. `redshift/stl_query` (keys come from `lake/lake-layout.ts`). */
  readonly path: string;
  readonly description: string;
  readonly columns: readonly LakeColumn[];
  readonly partitionKeys: readonly PartitionKey<K>[];
  /** How compaction de-duplicates and orders rows; absent: rows equal in every column are one row, no time order. */
  readonly identity?: RowIdentity;
}
