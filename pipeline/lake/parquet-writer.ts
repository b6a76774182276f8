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

/** Row groups sized for Athena: one per file up to this many rows. */
const ROW_GROUP_SIZE = 1_000_000;

/**
 * Writes rows to one zstd Parquet file with the given columns, through DuckDB. Rows are streamed
 * page by page into a newline-delimited JSON spool on local disk, which DuckDB then reads with
 * explicit column types: memory stays flat however many rows there are, and DuckDB's NDJSON
 * reader is much faster than appending JS values one by one.
 */
export class ParquetWriter {
  readonly #connection: DuckDBConnection;
  readonly #tempRoot: string;

  constructor(connection: DuckDBConnection, options: { tempDirectory?: string } = {}) {
    this.#connection = connection;
    this.#tempRoot = options.tempDirectory ?? tmpdir();
  }

  /**
   * Spools `pages` and writes them to a Parquet file in a fresh temp folder. Returns null when
   * there were no rows (an empty slot writes no object). The caller removes the file with
   * `discard()` once uploaded.
   */
  async write(columns: readonly LakeColumn[], pages: AsyncIterable<readonly LakeRow[]>): Promise<ParquetFile | null> {
    const folder = await mkdtemp(join(this.#tempRoot, 'opslake-parquet-'));
    try {
      const spool = join(folder, 'rows.ndjson');
      const rows = await spoolNdjson(spool, columns, pages);
      if (rows === 0) {
        await rm(folder, { recursive: true, force: true });
        return null;
      }
      const path = join(folder, 'part.parquet');
      await this.#copy(columns, spool, path);
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

  async #copy(columns: readonly LakeColumn[], spool: string, out: string): Promise<void> {
    const types = columns.map((column) => `${sqlLiteral(column.name)}: ${sqlLiteral(column.type)}`).join(', ');
    const select = columns.map((column) => `"${column.name}"`).join(', ');
    await this.#connection.run(
      `COPY (SELECT ${select} FROM read_json(${sqlLiteral(spool)}, format = 'newline_delimited', ` +
        `columns = {${types}}, maximum_object_size = 67108864)) ` +
        `TO ${sqlLiteral(out)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_SIZE})`,
    );
  }
}

/** Writes one JSON array per row (column order fixed), honouring back-pressure. Returns the row count. */
async function spoolNdjson(path: string, columns: readonly LakeColumn[], pages: AsyncIterable<readonly LakeRow[]>): Promise<number> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  const failed = once(out, 'error').then(([error]) => {
    throw error;
  });
  failed.catch(() => undefined);
  const names = columns.map((column) => column.name);
  let rows = 0;
  try {
    for await (const page of pages) {
      let chunk = '';
      for (const row of page) {
        const record: Record<string, LakeValue> = {};
        for (const name of names) record[name] = row[name] ?? null;
        chunk += `${JSON.stringify(record)}\n`;
      }
      rows += page.length;
      if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
    }
  } finally {
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
  }
  return rows;
}
