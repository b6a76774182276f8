import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { sqlLiteral } from '../duckdb/duckdb-engine.js';
import type { CsvChunk, LakeRow, LakeValue } from '../ports/parquet-writer.js';
import type { LakeColumn } from '../tables/lake-table.js';

/**
 * Rows on their way to Parquet wait in a CSV spool on local disk: CSV rather than JSON because
 * the spool carries no key names and DuckDB parses it several times faster. Every string is
 * quoted and NULL is the only unquoted empty field, so no value is ambiguous.
 */

const QUOTE = /"/g;

/** One CSV field: strings always quoted (so '' is an empty string), NULL unquoted and empty. */
function csvField(value: LakeValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  // The common case has no quote to double; skipping the replace is most of this loop's speed.
  return value.indexOf('"') < 0 ? `"${value}"` : `"${value.replace(QUOTE, '""')}"`;
}

interface Field {
  readonly name: string;
  /** The rendered value of a constant column, the same in every row. */
  readonly constant: string | undefined;
  /** What follows the field: a comma, or the line break after the last one. */
  readonly end: string;
}

/** What was spooled: rows, and the longest line in UTF-8 bytes at most (for the reader's buffers). */
interface Spooled {
  readonly rows: number;
  readonly longestLine: number;
}

/** Writes one CSV line per row (column order fixed), honouring back-pressure. */
export function spoolCsv(
  path: string,
  columns: readonly LakeColumn[],
  pages: AsyncIterable<readonly LakeRow[]>,
  constants: Readonly<Record<string, LakeValue>>,
): Promise<Spooled> {
  return spool(path, (write) => spoolRows(write, columns, pages, constants));
}

/**
 * Writes CSV text as it came: its records already keep the spool's rules (see CsvChunk), and
 * the constant columns are left to the SELECT that reads the spool.
 */
export function spoolCsvText(path: string, chunks: AsyncIterable<CsvChunk>): Promise<Spooled> {
  return spool(path, async (write) => {
    let rows = 0;
    let longestLine = 0;
    for await (const chunk of chunks) {
      rows += chunk.records;
      // Characters, not bytes: a UTF-8 character takes up to 4 bytes.
      longestLine = Math.max(longestLine, chunk.longestRecord * 4);
      await write(chunk.text);
    }
    return { rows, longestLine };
  });
}

/** A spool file written through `fill`, whose `write` waits while the file's buffer is full. */
async function spool(path: string, fill: (write: (text: string) => Promise<void>) => Promise<Spooled>): Promise<Spooled> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  const failed = once(out, 'error').then(([error]) => {
    throw error;
  });
  failed.catch(() => undefined);
  const write = async (text: string) => {
    if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
  };
  try {
    return await fill(write);
  } finally {
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
  }
}

async function spoolRows(
  write: (text: string) => Promise<void>,
  columns: readonly LakeColumn[],
  pages: AsyncIterable<readonly LakeRow[]>,
  constants: Readonly<Record<string, LakeValue>>,
): Promise<Spooled> {
  // Constant columns are rendered once; each row then fills only the columns it carries.
  const fields: Field[] = columns.map((column, index) => ({
    name: column.name,
    constant: column.name in constants ? csvField(constants[column.name]) : undefined,
    end: index === columns.length - 1 ? '\n' : ',',
  }));
  let rows = 0;
  let longestLine = 0;
  for await (const page of pages) {
    let chunk = '';
    for (const row of page) {
      const lineStart = chunk.length;
      for (const field of fields) chunk += `${field.constant ?? csvField(row[field.name])}${field.end}`;
      // Characters, not bytes: a UTF-8 character takes up to 4 bytes.
      longestLine = Math.max(longestLine, (chunk.length - lineStart) * 4);
    }
    rows += page.length;
    await write(chunk);
  }
  return { rows, longestLine };
}

/** A constant column's value in SQL, of the column's type. */
function constantSql(column: LakeColumn, value: LakeValue): string {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`column ${column.name}: ${value} is not a value`);
  const literal = value === null ? 'NULL' : typeof value === 'string' ? sqlLiteral(value) : String(value).toUpperCase();
  return `CAST(${literal} AS ${column.type}) AS "${column.name}"`;
}

/**
 * The SELECT that reads a spool back with the columns' own types, in column order. Columns in
 * `constants` are not in the spool (text spooled as it came): the SELECT adds them.
 */
export function csvSelect(
  columns: readonly LakeColumn[],
  spool: string,
  longestLine: number,
  constants: Readonly<Record<string, LakeValue>> = {},
): string {
  // DuckDB's CSV reader holds buffers of `buffer_size`; sized from the longest line actually
  // spooled, so an ordinary slot reads with small buffers and a 16 MB statement still fits.
  const maxLineSize = Math.max(1 << 20, longestLine + 1024);
  const bufferSize = Math.max(4 << 20, 2 * maxLineSize);
  const fields = columns.filter((column) => !(column.name in constants));
  const types = fields.map((column) => `${sqlLiteral(column.name)}: ${sqlLiteral(column.type)}`).join(', ');
  const select = columns
    .map((column) => (column.name in constants ? constantSql(column, constants[column.name] ?? null) : `"${column.name}"`))
    .join(', ');
  return (
    `SELECT ${select} FROM read_csv(${sqlLiteral(spool)}, columns = {${types}}, header = false, ` +
    // Nothing guessed: a sniffer that samples the start of the file can take a line break
    // inside a quoted value for the file's own (CRLF) and refuse the rest.
    `auto_detect = false, new_line = '\\n', delim = ',', quote = '"', escape = '"', ` +
    `allow_quoted_nulls = false, strict_mode = true, ` +
    `max_line_size = ${maxLineSize}, buffer_size = ${bufferSize}, parallel = false)`
  );
}
