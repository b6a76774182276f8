import type { DuckDBConnection } from '@duckdb/node-api';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LakeWriteError } from '../errors.js';
import { sqlLiteral } from '../duckdb/duckdb-engine.js';
import type { LakeColumn } from '../tables/lake-table.js';

export type LakeValue = string | number | boolean | null;
export type LakeRow = Readonly<Record<string, LakeValue>>;

export interface ParquetFile {
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
}

/**
 * Rows per row group: the whole file for an ordinary slot, and a bound on DuckDB's memory for a
 * huge one, since a row group is buffered before it is written. At STL row widths this is tens of
 * MB compressed, within what Athena reads well.
 */
const ROW_GROUP_SIZE = 122_880;

/**
 * Writes rows to one zstd Parquet file with the given columns, through DuckDB. Rows are streamed
 * page by page into a CSV spool on local disk, which DuckDB then reads with explicit column
 * types: memory stays flat however many rows there are. CSV rather than JSON because the
 * spool carries no key names and DuckDB parses it several times faster; every string is quoted
 * and NULL is the only unquoted empty field, so no value is ambiguous.
 */
export class ParquetWriter {
  readonly #connection: DuckDBConnection;
  readonly #tempRoot: string;

  constructor(connection: DuckDBConnection, options: { tempDirectory?: string } = {}) {
    this.#connection = connection;
    this.#tempRoot = options.tempDirectory ?? tmpdir();
  }

  /**
   * Spools `pages` and writes them to a Parquet file in a fresh temp folder; `constants` are
   * columns with the same value in every row (lineage), so rows need not be copied to carry
   * them. Returns null when
   * there were no rows (an empty slot writes no object). The caller removes the file with
   * `discard()` once uploaded.
   */
  async write(
    columns: readonly LakeColumn[],
    pages: AsyncIterable<readonly LakeRow[]>,
    constants: Readonly<Record<string, LakeValue>> = {},
  ): Promise<ParquetFile | null> {
    const folder = await mkdtemp(join(this.#tempRoot, 'opslake-parquet-'));
    try {
      const spool = join(folder, 'rows.csv');
      const { rows, longestLine } = await spoolCsv(spool, columns, pages, constants);
      if (rows === 0) {
        await rm(folder, { recursive: true, force: true });
        return null;
      }
      const path = join(folder, 'part.parquet');
      await this.#copy(columns, spool, path, longestLine);
      await rm(spool, { force: true });
      return { path, rows, bytes: (await stat(path)).size };
    } catch (error) {
      await rm(folder, { recursive: true, force: true });
      if (error instanceof LakeWriteError) throw error;
      throw new LakeWriteError(`could not write Parquet: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Removes a file returned by `write` and its temp folder. */
  async discard(file: ParquetFile): Promise<void> {
    await rm(join(file.path, '..'), { recursive: true, force: true });
  }

  async #copy(columns: readonly LakeColumn[], spool: string, out: string, longestLine: number): Promise<void> {
    // DuckDB's CSV reader holds buffers of `buffer_size`; sized from the longest line actually
    // spooled, so an ordinary slot reads with small buffers and a 16 MB statement still fits.
    const maxLineSize = Math.max(1 << 20, longestLine + 1024);
    const bufferSize = Math.max(4 << 20, 2 * maxLineSize);
    const types = columns.map((column) => `${sqlLiteral(column.name)}: ${sqlLiteral(column.type)}`).join(', ');
    const select = columns.map((column) => `"${column.name}"`).join(', ');
    await this.#connection.run(
      `COPY (SELECT ${select} FROM read_csv(${sqlLiteral(spool)}, columns = {${types}}, header = false, ` +
        `delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, strict_mode = true, ` +
        `max_line_size = ${maxLineSize}, buffer_size = ${bufferSize}, parallel = false)) ` +
        `TO ${sqlLiteral(out)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_SIZE})`,
    );
  }
}

const QUOTE = /"/g;

/** One CSV field: strings always quoted (so '' is an empty string), NULL unquoted and empty. */
function csvField(value: LakeValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  // The common case has no quote to double; skipping the replace is most of this loop's speed.
  return value.indexOf('"') < 0 ? `"${value}"` : `"${value.replace(QUOTE, '""')}"`;
}

/** Writes one CSV line per row (column order fixed), honouring back-pressure. */
async function spoolCsv(
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
  const names = columns.map((column) => column.name);
  const rendered = names.map((name) => (name in constants ? csvField(constants[name]) : undefined));
  const last = names.length - 1;
  let rows = 0;
  let longestLine = 0;
  try {
    for await (const page of pages) {
      let chunk = '';
      for (const row of page) {
        const lineStart = chunk.length;
        for (let index = 0; index < last; index += 1) chunk += `${rendered[index] ?? csvField(row[names[index]!])},`;
        chunk += `${rendered[last] ?? csvField(row[names[last]!])}\n`;
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
