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
}
