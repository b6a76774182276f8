import type { GlueType, LakeType } from './column-types.js';

/** One column of a lake table: the unit from which Parquet, DuckDB and Glue schemas are derived. */
export interface LakeColumn {
  readonly name: string;
  readonly type: LakeType;
  readonly description: string;
}

export interface PartitionKey {
  readonly name: string;
  readonly type: Extract<GlueType, 'string'>;
  readonly description: string;
}

/** A table in the lake, as the catalog (Glue or DuckDB) sees it. */
export interface LakeTable {
  /** Catalog table name, e.g. `stl_query`, `query_text`, `cloudtrail_events`. */
  readonly name: string;
  /** Path under the lake prefix where its partitions live, e.g. `redshift/stl_query`. */
  readonly path: string;
  readonly description: string;
  readonly columns: readonly LakeColumn[];
  readonly partitionKeys: readonly PartitionKey[];
}
