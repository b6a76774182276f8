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

/**
 * A page of a result as CSV text: RFC 4180 records (fields separated by commas, a field holding a
 * comma, quote or line break quoted with its quotes doubled), NULL an
 * unquoted empty field and '' a quoted one, no line of column names. Each field is the text the
 * database printed for its value, which is what the typed SqlValue of `pages` is read from.
 */
export interface CsvTextPage {
  /** The result's columns, in field order (the same on every page). */
  readonly columns: readonly SqlColumnMeta[];
  /** Whole records, each ending with LF (line breaks inside quoted fields are the value's own). */
  readonly text: string;
  /** How many records `text` holds. */
  readonly records: number;
  /** The longest record's length in characters, its line break included: a reader sizes its buffers by it. */
  readonly longestRecord: number;
}

/** Runs statements against one database and streams their results. */
export interface SqlRunner {
  /**
   * Runs one statement and yields its rows page by page, in result order. Memory is bounded by
   * one page; a consumer that stops early releases the statement.
   */
  pages(statement: SqlStatement): AsyncIterable<readonly SqlRow[]>;
  /**
   * Optional, for a runner that receives results as CSV text anyway (the Data API's CSV
   * format): the statement's result as those pages, untyped, so that a consumer that reads CSV
   * itself (the Parquet writer) skips typing every value only to print it again. Resolves to
   * undefined when this runner does not read CSV (it chose typed JSON): use `pages`. The
   * statement runs when the first page is asked for; its records, counted, are checked against
   * the number of rows the database reported, as `pages` checks them.
   */
  csvPages?(statement: SqlStatement): Promise<AsyncIterable<CsvTextPage> | undefined>;
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
