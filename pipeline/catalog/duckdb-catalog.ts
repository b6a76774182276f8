import type { DuckDBConnection } from '@duckdb/node-api';
import { join } from 'node:path';
import { sqlLiteral } from '../duckdb/duckdb-engine.js';
import { CatalogError, InvalidIdentifierError } from '../errors.js';
import type { LakeTable } from '../tables/lake-table.js';
import type { LakeView } from '../tables/lake-view.js';
import type { Catalog, PartitionSyncResult, PartitionValues, TableSyncResult } from '../ports/catalog.js';

export interface DuckDbCatalogOptions {
  readonly connection: DuckDBConnection;
  /** Local folder of the lake root (the folder holding `redshift/` and `cloudtrail/`). */
  readonly lakeDir: string;
}

/** What the files of a table hold, found when its view is (re)built. */
export interface TableFiles {
  /** Columns found in at least one file. */
  readonly columns: ReadonlySet<string>;
  /** True when some file lacks a column that another file has (written before a column was added). */
  readonly mixed: boolean;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * The local catalog: one DuckDB view per lake table, with the Glue table's name and columns (the
 * registry's columns, then the partition keys as strings), over the hive-partitioned Parquet
 * folders. Views read the files at query time, so a new partition needs no registration; a view
 * is rebuilt when `ensureTables` runs again, which picks up new columns and tables.
 */
export class DuckDbCatalog implements Catalog {
  readonly #connection: DuckDBConnection;
  readonly #lakeDir: string;

  constructor(options: DuckDbCatalogOptions) {
    this.#connection = options.connection;
    this.#lakeDir = options.lakeDir;
  }

  async ensureTables(tables: readonly LakeTable[]): Promise<readonly TableSyncResult[]> {
    const results: TableSyncResult[] = [];
    for (const table of tables) {
      try {
        const files = await this.#inspect(table);
        await this.#connection.run(duckDbViewSql(table, this.#lakeDir, files));
      } catch (error) {
        if (error instanceof InvalidIdentifierError) throw error;
        throw new CatalogError(`could not create the DuckDB view ${table.name} over ${this.#lakeDir}: ${(error as Error).message}`, {
          table: table.name,
          cause: error,
        });
      }
      results.push({ table: table.name, action: 'updated' });
    }
    return results;
  }

  /** Views are rebuilt every time, like the tables': the SQL of a view may have changed with the code. */
  async ensureViews(views: readonly LakeView[]): Promise<readonly TableSyncResult[]> {
    const results: TableSyncResult[] = [];
    for (const view of views) {
      if (!IDENTIFIER.test(view.name))
        throw new InvalidIdentifierError('catalog identifier', view.name, 'use lower-case letters, digits and _');
      try {
        await this.#connection.run(`CREATE OR REPLACE VIEW "${view.name}" AS ${view.duckDbSql}`);
      } catch (error) {
        throw new CatalogError(`could not create the DuckDB view ${view.name}: ${(error as Error).message}`, {
          table: view.name,
          cause: error,
        });
      }
      results.push({ table: view.name, action: 'updated' });
    }
    return results;
  }

  /** Nothing to register: a view's glob sees every partition folder when it is queried. */
  async addPartitions(_table: LakeTable, partitions: readonly PartitionValues[]): Promise<PartitionSyncResult> {
    return { added: 0, existing: partitions.length };
  }

  async #inspect(table: LakeTable): Promise<TableFiles | undefined> {
    const glob = tableGlob(table, this.#lakeDir);
    const count = await this.#connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM glob(${sqlLiteral(glob)})`);
    if (Number(count.getRowObjects()[0]?.n ?? 0) === 0) return undefined;
    const reader = await this.#connection.runAndReadAll(
      `SELECT file_name, list(name) AS names FROM parquet_schema(${sqlLiteral(glob)}) WHERE num_children IS NULL GROUP BY file_name`,
    );
    const perFile = reader.getRowObjectsJson().map((row) => new Set((row.names as string[] | null) ?? []));
    const columns = new Set(perFile.flatMap((names) => [...names]));
    const mixed = perFile.some((names) => names.size !== columns.size);
    return { columns, mixed };
  }
}

/** One `key=*` folder level per partition key, then the files: exactly the partition depth, nothing stray. */
export function tableGlob(table: LakeTable, lakeDir: string): string {
  return join(lakeDir, table.path, ...table.partitionKeys.map((key) => `${key.name}=*`), '*.parquet');
}

/**
 * The `CREATE OR REPLACE VIEW` of a table. Columns no file holds yet read as typed NULLs (as in
 * Athena), and when files differ in their columns they are read by name, so a column added to the
 * registry never breaks older files. With no file at all the view is empty but typed, so queries
 * that touch an unused table (Insights, say) still run.
 */
export function duckDbViewSql(table: LakeTable, lakeDir: string, files: TableFiles | undefined): string {
  for (const name of [table.name, ...table.columns.map((c) => c.name), ...table.partitionKeys.map((k) => k.name)]) {
    if (!IDENTIFIER.test(name)) throw new InvalidIdentifierError('catalog identifier', name, 'use lower-case letters, digits and _');
  }
  const nullColumn = (name: string, type: string) => `CAST(NULL AS ${type}) AS "${name}"`;
  if (!files) {
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
  const source = `read_parquet(${sqlLiteral(tableGlob(table, lakeDir))}, ${options.join(', ')})`;
  return `CREATE OR REPLACE VIEW "${table.name}" AS SELECT ${columns.join(', ')} FROM ${source}`;
}
