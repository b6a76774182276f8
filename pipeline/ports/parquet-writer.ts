import type { LakeColumn } from '../tables/lake-table.js';

export type LakeValue = string | number | boolean | null;
export type LakeRow = Readonly<Record<string, LakeValue>>;

/**
 * Rows as CSV text, as a source sent them (see `CsvTextPage` in sql-runner.ts): RFC 4180 records,
 * each ending with LF, NULL an unquoted empty field and '' a quoted one.
 */
export interface CsvChunk {
  readonly text: string;
  readonly records: number;
  /** The longest record's length in characters. */
  readonly longestRecord: number;
}

/** A Parquet file on local disk, waiting to be uploaded; `discard` removes it. */
export interface ParquetFile {
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
}

/** One file of a partitioned write: every row of one target. */
export interface TargetFile {
  readonly path: string;
  readonly bytes: number;
}

/** The files of a partitioned write, by target id, in a temp folder of their own; `discard` removes them. */
export interface TargetFiles {
  readonly folder: string;
  readonly files: ReadonlyMap<number, TargetFile>;
}

/** The files of a size-bounded write, in row order, in a temp folder of their own; `discard` removes them. */
export interface SizedFiles {
  readonly folder: string;
  readonly files: readonly TargetFile[];
}

/**
 * What the Redshift exporter and the CloudTrail ingester need from a Parquet writer: files on
 * local disk, zstd, row groups sized for Athena, written the same way for every lake table. The
 * writer decides the file format options; its callers decide only what rows go where. A refused
 * write throws `LakeWriteError`; lines of an input that the reader refuses throw
 * `UnreadableInputError` (the input is bad, not the lake).
 */
export interface ParquetWriter {
  /**
   * Writes streamed rows with the given columns to one file; `constants` are columns with the
   * same value in every row (lineage), so rows need not carry them. Null when there were no
   * rows: an empty slot writes no object.
   */
  write(
    columns: readonly LakeColumn[],
    pages: AsyncIterable<readonly LakeRow[]>,
    constants?: Readonly<Record<string, LakeValue>>,
  ): Promise<ParquetFile | null>;

  /**
   * `write` for rows that arrive as CSV text: the fields of each record are the columns not in
   * `constants`, in order, and each is read with its column's type as DuckDB reads text (an
   * integer's digits exactly, a timestamp's microseconds). The text is spooled as it came, so no
   * value is typed in between; a field its column's type cannot hold fails the write.
   */
  writeCsv(
    columns: readonly LakeColumn[],
    chunks: AsyncIterable<CsvChunk>,
    constants?: Readonly<Record<string, LakeValue>>,
  ): Promise<ParquetFile | null>;

  /**
   * Writes the rows of `select`, a query in DuckDB's SQL over JSON-lines spools on local disk,
   * to one file per value of its integer `targetColumn` (left out of the files). Many small
   * outputs thus cost one write: CloudTrail inputs are many and small, and each needs objects
   * of its own.
   */
  writePartitioned(select: string, targetColumn: string): Promise<TargetFiles>;

  /**
   * Writes the rows of `select` (DuckDB SQL, in its order) to as few files as `targetFileBytes`
   * allows, each starting a new file once the one before reached the size: what compaction writes.
   * `rowGroupRows` bounds the rows DuckDB holds before it writes a row group.
   */
  writeSized(select: string, options: { targetFileBytes: number; rowGroupRows: number }): Promise<SizedFiles>;

  /** Removes what a write returned, once it is uploaded (or given up). */
  discard(output: ParquetFile | TargetFiles | SizedFiles): Promise<void>;
}
