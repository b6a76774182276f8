import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlLiteral } from '../duckdb/duckdb-engine.js';
import { BadLakeObjectError, LakeWriteError, OpslakeError } from '../errors.js';
import type { ParquetWriter, SizedFiles } from '../ports/parquet-writer.js';
import type { LakeTable } from '../tables/lake-table.js';
import {
  type CompactionInputs,
  filesSql,
  histogramSql,
  identityOf,
  keptRowsSql,
  LOSERS_TABLE,
  losersSql,
  timeBuckets,
} from './compaction-sql.js';

/** An input of a generation: its lake key and where it was downloaded. */
export interface LocalInput {
  readonly key: string;
  readonly path: string;
}

export interface GenerationFiles {
  /** The compacted files, in row order, with the rows of each. */
  readonly output: SizedFiles;
  readonly outputRows: readonly number[];
  /** Rows of each input, in input order. */
  readonly inputRows: readonly number[];
  readonly rowsIn: number;
  readonly rowsOut: number;
}

export interface GenerationWriterOptions {
  /** A DuckDB connection with a memory limit and a temp directory to spill to. */
  readonly connection: DuckDBConnection;
  readonly parquet: ParquetWriter;
  /** Size a compacted file grows to before the next starts. */
  readonly targetFileBytes: number;
  /**
   * DuckDB's memory limit. A time bucket is an eighth of it and a row group at most a 32nd: DuckDB
   * 1.5's Parquet writer can crash in its final flush when a COPY runs close to the limit, so the
   * limit is kept well above what one bucket's sort and one row group need.
   */
  readonly memoryLimitBytes: number;
}

const MIN_ROW_GROUP = 2_048;
const MAX_ROW_GROUP = 122_880;
/** Files of one bucket are not split: the final pass does that. */
const UNSPLIT = 2 ** 40;

function firstLine(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).split('\n')[0] ?? '';
}

/**
 * Writes one generation of a partition with DuckDB: checks that every input is Parquet with the
 * table's columns (a bad object stops the partition, named), removes rows delivered twice, and
 * writes the rest sorted by time into files of the target size. Memory stays flat: DuckDB's sort
 * of wide rows does not spill well, so a large partition is cut into time buckets of a bounded
 * number of rows, each sorted on its own, and the buckets' files are then read back in order
 * into the final files (a scan, which streams).
 */
export class GenerationWriter {
  readonly #options: GenerationWriterOptions;

  constructor(options: GenerationWriterOptions) {
    this.#options = options;
  }

  /** The columns the inputs hold and the rows of each; throws BadLakeObjectError for an input that is not the table's Parquet. */
  async validate(table: LakeTable, inputs: readonly LocalInput[]): Promise<{ present: Set<string>; rows: number[] }> {
    const types = new Map(table.columns.map((column) => [column.name, column.type]));
    const identity = identityOf(table);
    const required = [...new Set([...identity.key, ...(identity.time === undefined ? [] : [identity.time])])];
    const present = new Set<string>();
    const rows: number[] = [];
    for (const input of inputs) {
      let described: Array<{ name: string; type: string }>;
      try {
        const reader = await this.#options.connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlLiteral(input.path)})`);
        described = reader.getRowObjectsJson().map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
        const counted = await this.#options.connection.runAndReadAll(
          `SELECT num_rows::BIGINT AS n FROM parquet_file_metadata(${sqlLiteral(input.path)})`,
        );
        rows.push(Number(counted.getRowObjectsJson()[0]?.n ?? 0));
      } catch (error) {
        throw new BadLakeObjectError(input.key, `not a readable Parquet file (${firstLine(error)})`, { cause: error });
      }
      for (const { name, type } of described) {
        const expected = types.get(name);
        if (expected === undefined)
          throw new BadLakeObjectError(input.key, `has a column "${name}" that ${table.name} has not (another schema)`);
        if (expected !== type) throw new BadLakeObjectError(input.key, `column "${name}" is ${type}; ${table.name} has it as ${expected}`);
        present.add(name);
      }
      const missing = required.filter((name) => !described.some((column) => column.name === name));
      if (missing.length > 0) throw new BadLakeObjectError(input.key, `lacks ${missing.join(', ')}, which identify ${table.name}'s rows`);
    }
    return { present, rows };
  }

  async write(table: LakeTable, inputs: readonly LocalInput[]): Promise<GenerationFiles> {
    const { present, rows: inputRows } = await this.validate(table, inputs);
    const compaction: CompactionInputs = { table, files: inputs.map((input) => input.path), present };
    const rowsIn = inputRows.reduce((sum, rows) => sum + rows, 0);
    const { connection, parquet } = this.#options;
    const bucketBytes = this.#options.memoryLimitBytes / 8;
    try {
      await connection.run(losersSql(compaction));
      const bytesPerRow = Math.max(1, (await this.#uncompressedBytes(compaction.files)) / Math.max(rowsIn, 1));
      const bucketRows = Math.max(MIN_ROW_GROUP, Math.floor(bucketBytes / bytesPerRow));
      const rowGroupRows = Math.min(
        MAX_ROW_GROUP,
        bucketRows,
        Math.max(MIN_ROW_GROUP, Math.floor(this.#options.memoryLimitBytes / 32 / bytesPerRow)),
      );
      const histogram = histogramSql(compaction);
      let output: SizedFiles;
      if (rowsIn <= bucketRows || histogram === undefined) {
        output = await parquet.writeSized(keptRowsSql(compaction), { targetFileBytes: this.#options.targetFileBytes, rowGroupRows });
      } else {
        output = await this.#writeInBuckets(compaction, histogram, bucketRows, rowGroupRows);
      }
      const outputRows = await this.#rowsOf(output.files.map((file) => file.path));
      const rowsOut = outputRows.reduce((sum, rows) => sum + rows, 0);
      return { output, outputRows, inputRows, rowsIn, rowsOut };
    } catch (error) {
      throw this.#failure(error, inputs);
    } finally {
      await connection.run(`DROP TABLE IF EXISTS ${LOSERS_TABLE}`).catch(() => undefined);
    }
  }

  async #writeInBuckets(compaction: CompactionInputs, histogram: string, bucketRows: number, rowGroupRows: number): Promise<SizedFiles> {
    const { connection, parquet } = this.#options;
    const counts = (await connection.runAndReadAll(histogram)).getRowObjectsJson().map((row) => ({
      second: row.s === null ? null : Number(row.s),
      rows: Number(row.n),
    }));
    const sorted: SizedFiles[] = [];
    try {
      for (const bucket of timeBuckets(counts, bucketRows)) {
        sorted.push(await parquet.writeSized(keptRowsSql(compaction, bucket), { targetFileBytes: UNSPLIT, rowGroupRows }));
      }
      const files = sorted.flatMap((bucket) => bucket.files.map((file) => file.path));
      // Read back in bucket order: a scan keeps the order (insertion order is preserved) and streams.
      return await parquet.writeSized(filesSql(files), { targetFileBytes: this.#options.targetFileBytes, rowGroupRows });
    } finally {
      for (const bucket of sorted) await parquet.discard(bucket);
    }
  }

  async #uncompressedBytes(files: readonly string[]): Promise<number> {
    const reader = await this.#options.connection.runAndReadAll(
      `SELECT coalesce(sum(total_uncompressed_size), 0)::BIGINT AS bytes FROM parquet_metadata([${files.map(sqlLiteral).join(', ')}])`,
    );
    return Number(reader.getRowObjectsJson()[0]?.bytes ?? 0);
  }

  async #rowsOf(files: readonly string[]): Promise<number[]> {
    const rows: number[] = [];
    for (const file of files) {
      const reader = await this.#options.connection.runAndReadAll(
        `SELECT num_rows::BIGINT AS n FROM parquet_file_metadata(${sqlLiteral(file)})`,
      );
      rows.push(Number(reader.getRowObjectsJson()[0]?.n ?? 0));
    }
    return rows;
  }

  /** A failure that names an input file is that object's fault; any other is the writer's. */
  #failure(error: unknown, inputs: readonly LocalInput[]): OpslakeError {
    if (error instanceof OpslakeError && !(error instanceof LakeWriteError)) return error;
    const message = (error as Error)?.message ?? String(error);
    const culprit = inputs.find((input) => message.includes(input.path));
    if (culprit !== undefined) return new BadLakeObjectError(culprit.key, `could not be read (${firstLine(error)})`, { cause: error });
    if (error instanceof LakeWriteError) return error;
    return new LakeWriteError(`could not compact: ${firstLine(error)}`, { cause: error });
  }
}
