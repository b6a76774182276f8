import type { BoundParameter } from '../query/query-parameters.js';

/**
 * A result value as every QueryEngine returns it: integers as numbers (as decimal strings beyond
 * 2^53), floating and decimal numbers as numbers, booleans, timestamps as
 * `'YYYY-MM-DD HH:MM:SS[.ffffff]'` (UTC), everything else as text.
 */
export type QueryValue = string | number | boolean | null;

export type QueryRow = Readonly<Record<string, QueryValue>>;

export interface QueryColumn {
  readonly name: string;
  /** The engine's own type name (`bigint`, `varchar`, `BIGINT`, `TIMESTAMP`, ...). */
  readonly type: string;
}

export interface QueryPage {
  readonly columns: readonly QueryColumn[];
  readonly rows: readonly QueryRow[];
}

/** A query of the library, ready to run: its Athena SQL with `:name` parameters and their values. */
export interface PreparedQuery {
  readonly name: string;
  readonly sql: string;
  readonly parameters: readonly BoundParameter[];
}

/** Runs the SQL of `queries/` (Athena in AWS, DuckDB locally). */
export interface QueryEngine {
  /** Runs one query and yields its result page by page; memory is bounded by one page. Throws QueryFailedError. */
  pages(query: PreparedQuery): AsyncIterable<QueryPage>;
  close(): Promise<void>;
}

/** Every row of a result, with its columns (for small results: reports, tests, `--format json`). */
export async function collectRows(pages: AsyncIterable<QueryPage>): Promise<{ columns: readonly QueryColumn[]; rows: QueryRow[] }> {
  let columns: readonly QueryColumn[] = [];
  const rows: QueryRow[] = [];
  for await (const page of pages) {
    columns = page.columns;
    rows.push(...page.rows);
  }
  return { columns, rows };
}
