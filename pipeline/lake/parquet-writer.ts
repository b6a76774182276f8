import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sqlLiteral } from '../duckdb/duckdb-engine.js';
import { InvalidIdentifierError, LakeWriteError, UnreadableInputError } from '../errors.js';
import type * as port from '../ports/parquet-writer.js';
import type { LakeColumn } from '../tables/lake-table.js';
import { csvSelect, spoolCsv, spoolCsvText } from './csv-spool.js';

export type { CsvChunk, LakeRow, LakeValue, ParquetFile, SizedFiles, TargetFile, TargetFiles } from '../ports/parquet-writer.js';

/** How a COPY lays its Parquet out. Zstd always; the rest depends on the rows. */
interface FileLayout {
  readonly rowGroupRows: number;
  /** Zstd level; DuckDB's default (3) when absent. */
  readonly compressionLevel?: number;
}

/**
 * Rows of a whole-file write (a Redshift slot): the whole file for an ordinary slot, and a
 * bound on DuckDB's memory for a huge one, since a row group is buffered before it is written.
 * At STL row widths this is tens of MB compressed, within what Athena reads well.
 */
const WHOLE_FILE: FileLayout = { rowGroupRows: 122_880 };

/**
 * Rows of a partitioned write (CloudTrail batches), per row group and gathered before a
 * partitioned COPY writes them out (DuckDB's default gathers 512k). CloudTrail rows are large
 * (1-2 KB of JSON): this keeps the COPY of a 500 MB file within about 250 MB, at the price of
 * row groups (a few MB of zstd) smaller than Athena's ideal. Level 1 because these files are
 * written within a minute of delivery and rewritten by compaction later.
 */
const PARTITIONED: FileLayout = { rowGroupRows: 16_384, compressionLevel: 1 };

/** The Parquet options of every COPY the lake's files come from. */
function parquetOptions(layout: FileLayout): string {
  const level = layout.compressionLevel === undefined ? '' : `, COMPRESSION_LEVEL ${layout.compressionLevel}`;
  return `FORMAT parquet, COMPRESSION zstd${level}, ROW_GROUP_SIZE ${layout.rowGroupRows}`;
}

function messageOf(error: unknown): string {
  return (error as Error)?.message ?? String(error);
}

function firstLine(error: unknown): string {
  return messageOf(error).split('\n')[0] ?? '';
}

/** The target column names folders and goes into SQL: a plain identifier only. */
const TARGET_COLUMN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The one Parquet writer of the lake (the DuckDB implementation of the ParquetWriter port):
 * both writes go through DuckDB's COPY with the options above, in temp folders of their own
 * under `tempDirectory`, and every failure comes out as a LakeWriteError (or, for spooled
 * input lines DuckDB refuses, an UnreadableInputError).
 */
export class ParquetWriter implements port.ParquetWriter {
  readonly #connection: DuckDBConnection;
  readonly #tempRoot: string;

  constructor(connection: DuckDBConnection, options: { tempDirectory?: string } = {}) {
    this.#connection = connection;
    this.#tempRoot = options.tempDirectory ?? tmpdir();
  }

  /**
   * Spools `pages` to CSV on local disk, which DuckDB then reads with explicit column types:
   * memory stays flat however many rows there are (see csv-spool.ts).
   */
  write(
    columns: readonly LakeColumn[],
    pages: AsyncIterable<readonly port.LakeRow[]>,
    constants: Readonly<Record<string, port.LakeValue>> = {},
  ): Promise<port.ParquetFile | null> {
    return this.#writeSpooled(
      (spool) => spoolCsv(spool, columns, pages, constants),
      (spool, longestLine) => csvSelect(columns, spool, longestLine),
    );
  }

  /** CSV text goes to the spool as it came; the constant columns are added as DuckDB reads it back. */
  writeCsv(
    columns: readonly LakeColumn[],
    chunks: AsyncIterable<port.CsvChunk>,
    constants: Readonly<Record<string, port.LakeValue>> = {},
  ): Promise<port.ParquetFile | null> {
    return this.#writeSpooled(
      (spool) => spoolCsvText(spool, chunks),
      (spool, longestLine) => csvSelect(columns, spool, longestLine, constants),
    );
  }

  /**
   * Fills a spool, then copies its rows to one Parquet file. The COPY's own count of rows must
   * be the spool's: a record DuckDB cut or merged differently from the spool's writer (or its
   * source) fails the write rather than reach the lake.
   */
  async #writeSpooled(
    fill: (spool: string) => Promise<{ rows: number; longestLine: number }>,
    select: (spool: string, longestLine: number) => string,
  ): Promise<port.ParquetFile | null> {
    const folder = await this.#tempFolder();
    try {
      const spool = join(folder, 'rows.csv');
      const { rows, longestLine } = await fill(spool);
      if (rows === 0) {
        await rm(folder, { recursive: true, force: true });
        return null;
      }
      const path = join(folder, 'part.parquet');
      const copied = await this.#connection.runAndReadAll(
        `COPY (${select(spool, longestLine)}) TO ${sqlLiteral(path)} (${parquetOptions(WHOLE_FILE)})`,
      );
      const count = Number(copied.getRows()[0]?.[0]);
      if (count !== rows) throw new LakeWriteError(`could not write Parquet: DuckDB read ${count} rows from a spool of ${rows}`);
      await rm(spool, { force: true });
      return { path, rows, bytes: (await stat(path)).size };
    } catch (error) {
      await rm(folder, { recursive: true, force: true });
      if (error instanceof LakeWriteError) throw error;
      throw new LakeWriteError(`could not write Parquet: ${messageOf(error)}`, { cause: error });
    }
  }

  async writePartitioned(select: string, targetColumn: string): Promise<port.TargetFiles> {
    if (!TARGET_COLUMN.test(targetColumn)) throw new InvalidIdentifierError('target column', targetColumn, 'use letters, digits and _');
    const folder = await this.#tempFolder();
    try {
      await this.#copyPartitioned(select, targetColumn, folder);
      const files = new Map<number, port.TargetFile>();
      const pattern = new RegExp(`^${targetColumn}=(\\d+)$`);
      for (const entry of await readdir(folder, { withFileTypes: true })) {
        const id = Number(pattern.exec(entry.name)?.[1]);
        if (!entry.isDirectory() || Number.isNaN(id)) continue;
        const names = await readdir(join(folder, entry.name));
        // One thread writes one file per partition.
        const [name] = names;
        if (names.length !== 1 || name === undefined) {
          throw new LakeWriteError(`expected one Parquet file for target ${id}, found ${names.length}`);
        }
        const path = join(folder, entry.name, name);
        files.set(id, { path, bytes: (await stat(path)).size });
      }
      return { folder, files };
    } catch (error) {
      await rm(folder, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * DuckDB starts a new file once the current one passed `FILE_SIZE_BYTES` (checked after each
   * row group), so files come out about the target size and the last one smaller. Zstd at its
   * default level: compacted files are written once and read for a long time.
   */
  async writeSized(select: string, options: { targetFileBytes: number; rowGroupRows: number }): Promise<port.SizedFiles> {
    const folder = await this.#tempFolder();
    const layout: FileLayout = { rowGroupRows: Math.max(1, Math.floor(options.rowGroupRows)) };
    try {
      const fileSize = Math.max(1, Math.floor(options.targetFileBytes));
      await this.#connection.run(`COPY (${select}) TO ${sqlLiteral(folder)} (${parquetOptions(layout)}, FILE_SIZE_BYTES ${fileSize})`);
      const names = (await readdir(folder)).filter((name) => /^data_\d+\.parquet$/.test(name));
      // data_0, data_1, ...: in the order DuckDB wrote them, which is the rows' order.
      names.sort((a, b) => Number(/\d+/.exec(a)?.[0]) - Number(/\d+/.exec(b)?.[0]));
      const files: port.TargetFile[] = [];
      for (const name of names) files.push({ path: join(folder, name), bytes: (await stat(join(folder, name))).size });
      return { folder, files };
    } catch (error) {
      await rm(folder, { recursive: true, force: true });
      throw new LakeWriteError(`could not write Parquet under ${folder}: ${firstLine(error)}`, { cause: error });
    }
  }

  async discard(output: port.ParquetFile | port.TargetFiles | port.SizedFiles): Promise<void> {
    await rm('folder' in output ? output.folder : dirname(output.path), { recursive: true, force: true });
  }

  async #copyPartitioned(select: string, targetColumn: string, folder: string): Promise<void> {
    try {
      await this.#connection.run(`SET partitioned_write_flush_threshold = ${PARTITIONED.rowGroupRows}`);
      await this.#connection.run(
        `COPY (${select}) TO ${sqlLiteral(folder)} (${parquetOptions(PARTITIONED)}, PARTITION_BY ("${targetColumn}"), OVERWRITE_OR_IGNORE)`,
      );
    } catch (error) {
      // DuckDB's JSON parser is the one that checks what strings hold (escapes, UTF-8,
      // control characters): its refusal means an input is bad, not that writing failed.
      if (/^(Invalid Input Error|Conversion Error)/.test(messageOf(error))) {
        throw new UnreadableInputError('invalid-json', `a record could not be parsed: ${firstLine(error)}`, { cause: error });
      }
      throw new LakeWriteError(`could not write Parquet under ${folder}: ${firstLine(error)}`, { cause: error });
    }
  }

  #tempFolder(): Promise<string> {
    return mkdtemp(join(this.#tempRoot, 'opslake-parquet-'));
  }
}
