import { sqlLiteral } from '../duckdb/duckdb-engine.js';
import { InvalidIdentifierError } from '../errors.js';
import type { LakeTable, RowIdentity } from '../tables/lake-table.js';

/**
 * The SQL of a partition's compaction, pure (DuckDB's dialect): read the input files, find the
 * rows delivered twice, and select the rest in one total order. Inputs are local files, named in
 * the order of their keys, so the file name and row number break every tie the same way on every
 * run: the same inputs give the same rows in the same order.
 */

/** The input files and the columns at least one of them holds. */
export interface CompactionInputs {
  readonly table: LakeTable;
  readonly files: readonly string[];
  readonly present: ReadonlySet<string>;
}

/** A time range of the table's time column in microseconds since the epoch: [from, to); `null` for rows without a time. */
export type TimeBucket = { readonly from: number; readonly to: number } | null;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
export const LOSERS_TABLE = 'compaction_losers';

function quoted(name: string): string {
  if (!IDENTIFIER.test(name)) throw new InvalidIdentifierError('column', name, 'use lower-case letters, digits and _');
  return `"${name}"`;
}

/** The table's identity, or, for a table without one, every column: rows equal in all of them are one row. */
export function identityOf(table: LakeTable): RowIdentity {
  return table.identity ?? { key: table.columns.map((column) => column.name), keepFirst: [] };
}

/**
 * The name under which each row's input file is read: not `filename`, which is a column of its
 * own in some views (`stl_load_errors`), and lake columns never start with `_`.
 */
const SOURCE_FILE = '_opslake_source_file';

/** The inputs, read by name (older files may lack newer columns), with the file name and row number of each row. */
export function sourceSql(inputs: CompactionInputs): string {
  const list = `[${inputs.files.map(sqlLiteral).join(', ')}]`;
  return `read_parquet(${list}, union_by_name = true, filename = '${SOURCE_FILE}', file_row_number = true, hive_partitioning = false)`;
}

/** The registry's columns in order; a column no input holds reads as a typed NULL. */
export function columnList(inputs: CompactionInputs): string {
  return inputs.table.columns
    .map((column) => (inputs.present.has(column.name) ? quoted(column.name) : `CAST(NULL AS ${column.type}) AS ${quoted(column.name)}`))
    .join(', ');
}

/** Rows by which ties between duplicates and between equal times are broken, last: the input file and row. */
function tieBreak(): string[] {
  return [SOURCE_FILE, 'file_row_number'];
}

/**
 * `CREATE TEMP TABLE compaction_losers`: (file, row) of every row that repeats the key of a row
 * kept. Two narrow passes (the duplicated keys, then their rows) keep memory low when duplicates
 * are few, as they are. Keys compare as IS NOT DISTINCT FROM (a NULL part of a key matches a
 * NULL), except that a row whose key is all NULL is never a duplicate.
 */
export function losersSql(inputs: CompactionInputs): string {
  const identity = identityOf(inputs.table);
  const present = identity.key.filter((name) => inputs.present.has(name));
  if (present.length === 0) return `CREATE OR REPLACE TEMP TABLE ${LOSERS_TABLE} (${SOURCE_FILE} VARCHAR, file_row_number BIGINT)`;
  const keys = present.map(quoted);
  const notAllNull = keys.map((key) => `${key} IS NOT NULL`).join(' OR ');
  const matches = keys.map((key) => `s.${key} IS NOT DISTINCT FROM d.${key}`).join(' AND ');
  const order = [...identity.keepFirst.filter((name) => inputs.present.has(name)).map(quoted), ...tieBreak()]
    .map((term) => `s.${term} ASC NULLS LAST`)
    .join(', ');
  const source = sourceSql(inputs);
  return (
    `CREATE OR REPLACE TEMP TABLE ${LOSERS_TABLE} AS ` +
    `WITH duplicated AS (SELECT ${keys.join(', ')} FROM ${source} WHERE ${notAllNull} GROUP BY ALL HAVING count(*) > 1), ` +
    `ranked AS (SELECT s.${SOURCE_FILE}, s.file_row_number, row_number() OVER (PARTITION BY ${keys.map((k) => `s.${k}`).join(', ')} ` +
    `ORDER BY ${order}) AS rank ` +
    `FROM ${source} s SEMI JOIN duplicated d ON ${matches}) ` +
    `SELECT ${SOURCE_FILE}, file_row_number FROM ranked WHERE rank > 1`
  );
}

/** The total order of compacted rows: time, then key, then what decides among duplicates, then file and row. */
export function orderBySql(inputs: CompactionInputs): string {
  const identity = identityOf(inputs.table);
  const terms = [...(identity.time === undefined ? [] : [identity.time]), ...identity.key, ...identity.keepFirst]
    .filter((name, index, all) => all.indexOf(name) === index && inputs.present.has(name))
    .map(quoted);
  return [...terms, ...tieBreak()].map((term) => `${term} ASC NULLS FIRST`).join(', ');
}

/** Rows kept of one time bucket (or all rows when `bucket` is undefined), in the compacted order. */
export function keptRowsSql(inputs: CompactionInputs, bucket?: TimeBucket): string {
  const time = identityOf(inputs.table).time;
  let where = '';
  if (bucket !== undefined && time !== undefined) {
    // Comparing the column itself lets DuckDB skip row groups by their min/max statistics.
    where =
      bucket === null
        ? ` WHERE ${quoted(time)} IS NULL`
        : ` WHERE ${quoted(time)} >= make_timestamp(${bucket.from}) AND ${quoted(time)} < make_timestamp(${bucket.to})`;
  }
  return (
    `SELECT ${columnList(inputs)} FROM ${sourceSql(inputs)} ANTI JOIN ${LOSERS_TABLE} USING (${SOURCE_FILE}, file_row_number)` +
    `${where} ORDER BY ${orderBySql(inputs)}`
  );
}

/** Rows per second of the time column (`s` in microseconds at the second, NULL for rows without a time), in order. */
export function histogramSql(inputs: CompactionInputs): string | undefined {
  const time = identityOf(inputs.table).time;
  if (time === undefined || !inputs.present.has(time)) return undefined;
  const second = `(epoch_us(${quoted(time)}) // 1000000) * 1000000`;
  return `SELECT ${second} AS s, count(*) AS n FROM ${sourceSql(inputs)} GROUP BY ALL ORDER BY s NULLS FIRST`;
}

/**
 * Time buckets of at most `maxRows` rows (a second is never split), from a histogram: each is
 * sorted on its own, so the sort DuckDB holds in memory is one bucket's, whatever the partition's size.
 */
export function timeBuckets(histogram: ReadonlyArray<{ second: number | null; rows: number }>, maxRows: number): TimeBucket[] {
  const buckets: TimeBucket[] = [];
  let start: number | undefined;
  let rows = 0;
  let last = 0;
  for (const { second, rows: count } of histogram) {
    if (second === null) {
      buckets.push(null);
      continue;
    }
    if (start === undefined) start = second;
    else if (rows + count > maxRows && rows > 0) {
      buckets.push({ from: start, to: second });
      start = second;
      rows = 0;
    }
    rows += count;
    last = second;
  }
  if (start !== undefined) buckets.push({ from: start, to: last + 1_000_000 });
  return buckets;
}

/** Literal list of files, for reading the sorted buckets back in order. */
export function filesSql(files: readonly string[]): string {
  return `SELECT * FROM read_parquet([${files.map(sqlLiteral).join(', ')}], hive_partitioning = false)`;
}
