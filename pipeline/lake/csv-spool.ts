import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { sqlLiteral } from '../duckdb/duckdb-engine.js';
import type { LakeRow, LakeValue } from '../ports/parquet-writer.js';
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

/** Writes one CSV line per row (column order fixed), honouring back-pressure. */
export async function spoolCsv(
  path: string,
  columns: readonly LakeColumn[],
  pages: AsyncIterable<readonly LakeRow[]>,
  constants: Readonly<Record<string, LakeValue>>,
): Promise<{ rows: number; longestLine: number }> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  const failed = once(out, 'error').then(([error]) => {
    throw error;
  });
  failed.catch(() => undefined);
  // Constant columns are rendered once; each row then fills only the columns it carries.
  const fields: Field[] = columns.map((column, index) => ({
    name: column.name,
    constant: column.name in constants ? csvField(constants[column.name]) : undefined,
    end: index === columns.length - 1 ? '\n' : ',',
  }));
  let rows = 0;
  let longestLine = 0;
  try {
    for await (const page of pages) {
      let chunk = '';
      for (const row of page) {
        const lineStart = chunk.length;
        for (const field of fields) chunk += `${field.constant ?? csvField(row[field.name])}${field.end}`;
        // Characters, not bytes: a UTF-8 character takes up to 4 bytes.
        longestLine = Math.max(longestLine, (chunk.length - lineStart) * 4);
      }
      rows += page.length;
      if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
    }
  } finally {
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
  }
  return { rows, longestLine };
}

/** The SELECT that reads a spool back with the columns' own types, in column order. */
export function csvSelect(columns: readonly LakeColumn[], spool: string, longestLine: number): string {
  // DuckDB's CSV reader holds buffers of `buffer_size`; sized from the longest line actually
  // spooled, so an ordinary slot reads with small buffers and a 16 MB statement still fits.
  const maxLineSize = Math.max(1 << 20, longestLine + 1024);
  const bufferSize = Math.max(4 << 20, 2 * maxLineSize);
  const types = columns.map((column) => `${sqlLiteral(column.name)}: ${sqlLiteral(column.type)}`).join(', ');
  const select = columns.map((column) => `"${column.name}"`).join(', ');
  return (
    `SELECT ${select} FROM read_csv(${sqlLiteral(spool)}, columns = {${types}}, header = false, ` +
    `delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, strict_mode = true, ` +
    `max_line_size = ${maxLineSize}, buffer_size = ${bufferSize}, parallel = false)`
  );
}
