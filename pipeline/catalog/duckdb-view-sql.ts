import { sqlLiteral } from '../duckdb/duckdb-engine.js';
import { InvalidIdentifierError } from '../errors.js';
import type { LakeTable } from '../tables/lake-table.js';

/** What the files of a table hold, found when its view is (re)built. */
export interface TableFiles {
  /** Columns found in at least one file. */
  readonly columns: ReadonlySet<string>;
  /** True when some file lacks a column that another file has (written before a column was added). */
  readonly mixed: boolean;
}

/** The folders a view reads, as globs of their Parquet files: live partition folders and compacted generations. */
export interface ViewFolders {
  readonly live: readonly string[];
  readonly compacted: readonly string[];
}

export const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * The `CREATE OR REPLACE VIEW` of a table over the folders given. Columns no file holds yet read
 * as typed NULLs (as in Athena), and when files differ in their columns they are read by name, so
 * a column added to the registry never breaks older files. With no file at all the view is empty
 * but typed, so queries that touch an unused table (Insights, say) still run. Live folders and
 * generations are read apart: a generation's path holds one more `key=value` folder (`gen=`),
 * and DuckDB reads one layout of hive folders at a time.
 */
export function duckDbViewSql(table: LakeTable, folders: ViewFolders, files: TableFiles | undefined): string {
  for (const name of [table.name, ...table.columns.map((c) => c.name), ...table.partitionKeys.map((k) => k.name)]) {
    if (!IDENTIFIER.test(name)) throw new InvalidIdentifierError('catalog identifier', name, 'use lower-case letters, digits and _');
  }
  const nullColumn = (name: string, type: string) => `CAST(NULL AS ${type}) AS "${name}"`;
  const reads = [folders.live, folders.compacted].filter((globs) => globs.length > 0);
  if (files === undefined || reads.length === 0) {
    const columns = [
      ...table.columns.map((column) => nullColumn(column.name, column.type)),
      ...table.partitionKeys.map((key) => nullColumn(key.name, 'VARCHAR')),
    ];
    return `CREATE OR REPLACE VIEW "${table.name}" AS SELECT ${columns.join(', ')} WHERE false`;
  }
  const columns = [
    ...table.columns.map((column) => (files.columns.has(column.name) ? `"${column.name}"` : nullColumn(column.name, column.type))),
    ...table.partitionKeys.map((key) => `"${key.name}"`),
  ];
  const hiveTypes = table.partitionKeys.map((key) => `${sqlLiteral(key.name)}: 'VARCHAR'`).join(', ');
  const options = [
    ...(table.partitionKeys.length === 0
      ? []
      : // Partition values are strings in Glue too: an account id keeps its leading zeros, a day stays text.
        ['hive_partitioning = true', `hive_types = {${hiveTypes}}`, 'hive_types_autocast = false']),
    // Reading by name costs a look at every file's footer, so it is used only when files differ.
    ...(files.mixed ? ['union_by_name = true'] : []),
  ];
  const selects = reads.map(
    (globs) => `SELECT ${columns.join(', ')} FROM read_parquet([${globs.map(sqlLiteral).join(', ')}], ${options.join(', ')})`,
  );
  return `CREATE OR REPLACE VIEW "${table.name}" AS ${selects.join(' UNION ALL ')}`;
}
