import type { HiveType } from './hive-type.js';

export interface LakeViewColumn {
  readonly name: string;
  readonly type: HiveType;
}

/**
 * A view over lake tables that every catalog declares: Athena (a Glue view, or DDL run by the CDK
 * app) and DuckDB locally. Its two SELECTs are rendered from one declaration, so both engines give
 * the same columns and values.
 */
export interface LakeView {
  readonly name: string;
  readonly description: string;
  /** The lake tables it reads: a catalog declares the view only where they are declared. */
  readonly reads: readonly string[];
  /** Its columns in order, partition-like columns included. */
  readonly columns: readonly LakeViewColumn[];
  /** The SELECT in Athena's (Trino) SQL. */
  readonly athenaSql: string;
  /** The same SELECT in DuckDB's SQL. */
  readonly duckDbSql: string;
}

/** `CREATE OR REPLACE VIEW` for Athena (the CDK app and `opslake query --engine athena` run it). */
export function athenaLakeViewDdl(view: LakeView): string {
  return `CREATE OR REPLACE VIEW ${view.name} AS\n${view.athenaSql}`;
}
