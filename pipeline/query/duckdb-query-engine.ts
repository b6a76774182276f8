import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { QueryFailedError, UnsupportedSqlError } from '../errors.js';
import { missingFunctionError, toDuckDbSql } from './duckdb-dialect.js';
import { prepareDuckDbForTrino } from './duckdb-trino-macros.js';
import type { PreparedQuery, QueryColumn, QueryEngine, QueryPage, QueryRow, QueryValue } from '../ports/query-engine.js';
import { toPositional } from './sql-tokens.js';

export interface DuckDbQueryEngineOptions {
  /** A connection on which the catalog's views exist (see `openLocalQueries`). */
  readonly connection: DuckDBConnection;
  /** Called by `close()`, e.g. to close the instance that owns the connection. */
  readonly onClose?: () => void | Promise<void>;
}

/**
 * Runs the Athena SQL of `queries/` on DuckDB: through the dialect layer, with the parameters
 * bound by position, streamed one DuckDB chunk (2,048 rows) per page.
 */
export class DuckDbQueryEngine implements QueryEngine {
  readonly #connection: DuckDBConnection;
  readonly #onClose: (() => void | Promise<void>) | undefined;
  /** The dialect layer's macros and settings, installed on the connection before the first query. */
  #prepared: Promise<void> | undefined;

  constructor(options: DuckDbQueryEngineOptions) {
    this.#connection = options.connection;
    this.#onClose = options.onClose;
  }

  async *pages(query: PreparedQuery): AsyncGenerator<QueryPage> {
    const { sql, order } = toPositional(translated(query));
    const byName = new Map(query.parameters.map((parameter) => [parameter.name, parameter]));
    const values: DuckDBValue[] = order.map((name) => {
      const parameter = byName.get(name);
      if (!parameter) throw new QueryFailedError(`${query.name}: parameter :${name} has no value`);
      return parameter.type === 'integer' ? BigInt(parameter.value) : parameter.value;
    });
    const fail = (error: unknown) =>
      missingFunctionError(query.sql, error, query.name) ??
      new QueryFailedError(`${query.name} failed in DuckDB: ${(error as Error).message}`, { cause: error });
    let result: Awaited<ReturnType<DuckDBConnection['stream']>>;
    try {
      this.#prepared ??= prepareDuckDbForTrino(this.#connection);
      await this.#prepared;
      result = await this.#connection.stream(sql, values);
    } catch (error) {
      throw fail(error);
    }
    const names = result.deduplicatedColumnNames();
    const columns: QueryColumn[] = names.map((name, index) => ({ name, type: result.columnTypes()[index]?.toString() ?? 'UNKNOWN' }));
    let yielded = false;
    for (;;) {
      let chunk: Awaited<ReturnType<typeof result.fetchChunk>>;
      try {
        chunk = await result.fetchChunk();
      } catch (error) {
        throw fail(error);
      }
      if (!chunk || chunk.rowCount === 0) break;
      const rows: QueryRow[] = chunk.getRowObjects(names).map((row) => {
        const out: Record<string, QueryValue> = {};
        for (const name of names) out[name] = toQueryValue(row[name] ?? null);
        return out;
      });
      yielded = true;
      yield { columns, rows };
    }
    if (!yielded) yield { columns, rows: [] };
  }

  async close(): Promise<void> {
    await this.#onClose?.();
  }
}

/** The query's SQL in DuckDB's dialect; a translation refused names the query too. */
function translated(query: PreparedQuery): string {
  try {
    return toDuckDbSql(query.sql);
  } catch (error) {
    if (!(error instanceof UnsupportedSqlError)) throw error;
    throw new UnsupportedSqlError(error.functionName, error.line, error.problem, { query: query.name, cause: error });
  }
}

/** DuckDB values as the QueryEngine contract spells them. */
export function toQueryValue(value: DuckDBValue): QueryValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'object' && 'toDouble' in value && typeof value.toDouble === 'function') return value.toDouble() as number;
  // Timestamps print as 'YYYY-MM-DD HH:MM:SS[.ffffff]'; lists, structs and the rest as DuckDB prints them.
  return String(value);
}
