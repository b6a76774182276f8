import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DuckDbCatalog } from '../catalog/duckdb-catalog.js';
import { lakeViewsOver } from '../catalog/lake-views.js';
import { openDuckDb } from '../duckdb/duckdb-engine.js';
import { CatalogError } from '../errors.js';
import { lakeTables } from '../tables/registry.js';
import type { LakeTable } from '../tables/lake-table.js';
import { toDuckDbSql } from './duckdb-dialect.js';
import { prepareDuckDbForTrino } from './duckdb-trino-macros.js';
import { DuckDbQueryEngine } from './duckdb-query-engine.js';
import { QueryLibrary } from './query-library.js';

export interface LocalQueriesOptions {
  /** The lake root folder. */
  readonly lakeDir: string;
  /** DuckDB file that keeps the catalog's views (the config's `catalog:`); in memory when absent. */
  readonly catalogPath?: string;
  /** The queries (default: `queries/`). */
  readonly library?: QueryLibrary;
  /** Tables to declare (default: every table of the registry). */
  readonly tables?: readonly LakeTable[];
  /** DuckDB worker threads (default 1). */
  readonly threads?: number;
}

export interface LocalQueries {
  readonly engine: DuckDbQueryEngine;
  readonly library: QueryLibrary;
  /** The connection the views live on, for callers that need more than the library. */
  readonly connection: DuckDBConnection;
  close(): Promise<void>;
}

/**
 * The local query engine, ready: DuckDB opened on the catalog file, a view per lake table (rebuilt
 * each time, so new tables, columns and partitions are seen), the lake views over them
 * (`cloudtrail_logs`), then the views that `queries/` define. Close it to release the catalog
 * file, which DuckDB locks while it is open.
 */
export async function openLocalQueries(options: LocalQueriesOptions): Promise<LocalQueries> {
  const library = options.library ?? (await QueryLibrary.load());
  if (options.catalogPath) await mkdir(dirname(options.catalogPath), { recursive: true });
  let opened: Awaited<ReturnType<typeof openDuckDb>>;
  try {
    opened = await openDuckDb({ ...(options.catalogPath ? { path: options.catalogPath } : {}), threads: options.threads ?? 1 });
  } catch (error) {
    throw new CatalogError(
      `could not open the DuckDB catalog ${options.catalogPath ?? ':memory:'}: ${(error as Error).message} ` +
        '(another opslake command may have it open)',
      { cause: error },
    );
  }
  const { instance, connection } = opened;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    connection.closeSync();
    instance.closeSync();
  };
  try {
    await prepareDuckDbForTrino(connection);
    const tables = options.tables ?? lakeTables();
    const catalog = new DuckDbCatalog({ connection, lakeDir: options.lakeDir });
    await catalog.ensureTables(tables);
    await catalog.ensureViews(lakeViewsOver(tables));
    for (const view of library.views()) {
      try {
        await connection.run(`CREATE OR REPLACE VIEW "${view.view}" AS ${toDuckDbSql(view.sql)}`);
      } catch (error) {
        throw new CatalogError(`could not create the view ${view.view} of queries/${view.name}.sql: ${(error as Error).message}`, {
          table: view.view,
          cause: error,
        });
      }
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { engine: new DuckDbQueryEngine({ connection, onClose: close }), library, connection, close };
}
