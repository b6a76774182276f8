/**
 * A value as every SqlRunner adapter returns it, so that rows from the Data API and from the
 * wire protocol are identical:
 * - smallint/integer: number; bigint: number when it is a safe integer, else its decimal string;
 * - real/double/numeric: number; boolean: boolean;
 * - timestamp (without time zone, UTC by convention): `'YYYY-MM-DD HH:MM:SS[.ffffff]'`, as the
 *   database prints it (microseconds kept, never through a JS Date);
 * - char/varchar/text: the string as stored (CHAR comes back blank-padded).
 */
export type SqlValue = string | number | boolean | null;

export type SqlRow = Readonly<Record<string, SqlValue>>;

/**
 * A statement with named parameters. `text` refers to them as `:name` (the Data API's own
 * syntax); values are always strings and the text casts them (`CAST(:slot_start AS timestamp)`),
 * so no value is ever spliced into SQL.
 */
export interface SqlStatement {
  readonly text: string;
  readonly parameters: Readonly<Record<string, string>>;
}

/** Column names and database type names of a result, in select-list order. */
export interface SqlColumnMeta {
  readonly name: string;
  readonly typeName: string;
}

/** Runs statements against one database and streams their results. */
export interface SqlRunner {
  /**
   * Runs one statement and yields its rows page by page, in result order. Memory is bounded by
   * one page; a consumer that stops early releases the statement.
   */
  pages(statement: SqlStatement): AsyncIterable<readonly SqlRow[]>;
  /**
   * Runs one statement and returns the names and type names (PostgreSQL's internal ones: `int4`,
   * `varchar`, `timestamp`) of its result's columns; its rows are not read. For statements that
   * return no rows (a custom export's SQL over an empty slot), to learn what a result will hold.
   * Optional: a runner without it cannot run custom exports (the export says so).
   */
  columns?(statement: SqlStatement): Promise<readonly SqlColumnMeta[]>;
  /** Releases connections; the runner cannot be used afterwards. */
  close(): Promise<void>;
}
