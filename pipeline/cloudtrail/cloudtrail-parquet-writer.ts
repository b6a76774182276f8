import type { DuckDBConnection } from '@duckdb/node-api';
import { appendFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LakeWriteError } from '../errors.js';
import { sqlLiteral } from '../duckdb/duckdb-engine.js';
import { CLOUDTRAIL_EVENT_COLUMNS, CLOUDTRAIL_INSIGHT_COLUMNS, type CloudTrailColumn } from '../tables/cloudtrail-tables.js';
import type { CloudTrailPartition, CloudTrailTableKind } from './cloudtrail-lake-layout.js';
import { encodeRowLine, type FlatRow } from './event-flattener.js';

/** One finished Parquet file: every row of one input for one partition. */
export interface PartitionFile {
  readonly table: CloudTrailTableKind;
  readonly partition: CloudTrailPartition;
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
}

export interface CloudTrailParquetWriterOptions {
  /**
   * JSON lines spooled (over all partitions) before they are turned into Parquet parts and
   * deleted: bounds the temp disk a huge input needs. Default 256 MiB.
   */
  readonly batchBytes?: number;
}

const COLUMNS: Record<CloudTrailTableKind, readonly CloudTrailColumn[]> = {
  events: CLOUDTRAIL_EVENT_COLUMNS,
  insights: CLOUDTRAIL_INSIGHT_COLUMNS,
};

/** Pending text a partition keeps in memory before appending it to its spool. */
const PENDING_FLUSH_CHARS = 1 << 20;
const TOTAL_PENDING_FLUSH_CHARS = 8 << 20;

function readJsonSql(table: CloudTrailTableKind, spool: string, maxLine: number): string {
  const columns = COLUMNS[table];
  // JSON lines use short keys c0, c1, ...: long column names would be most of the bytes.
  const types = columns.map((column, i) => `c${i}: '${column.kind === 'json' ? 'JSON' : column.type}'`).join(', ');
  const select = columns.map((column, i) => `c${i}${column.kind === 'json' ? '::VARCHAR' : ''} AS "${column.name}"`).join(', ');
  let objectSize = 1 << 20;
  while (objectSize < maxLine + 1) objectSize *= 2;
  return `SELECT ${select} FROM read_json(${sqlLiteral(spool)}, format = 'newline_delimited', records = 'true', columns = {${types}}, maximum_object_size = ${objectSize})`;
}

class PartitionSpool {
  readonly table: CloudTrailTableKind;
  readonly partition: CloudTrailPartition;
  readonly spoolPath: string;
  readonly parts: string[] = [];
  pending: string[] = [];
  pendingChars = 0;
  /** Rows in the JSON-lines spool, not yet in a Parquet part. */
  spooledRows = 0;
  rows = 0;
  maxLine = 0;

  constructor(table: CloudTrailTableKind, partition: CloudTrailPartition, folder: string, index: number) {
    this.table = table;
    this.partition = partition;
    this.spoolPath = join(folder, `p${index}.ndjson`);
  }
}

/**
 * Turns the flattened rows of one input into one zstd Parquet file per (table, partition).
 * Rows are spooled as JSON lines on local disk, one spool per partition, and DuckDB converts
 * each spool with explicit column types; a huge input is converted batch by batch into parts
 * that are merged at the end, so neither memory nor temp disk grows with the input.
 */
export class CloudTrailParquetWriter {
  readonly #connection: DuckDBConnection;
  readonly #folder: string;
  readonly #batchBytes: number;
  readonly #spools = new Map<string, PartitionSpool>();
  #pendingChars = 0;
  #spooledSinceBatch = 0;

  /** `folder` is a fresh temp folder the caller owns and removes. */
  constructor(connection: DuckDBConnection, folder: string, options: CloudTrailParquetWriterOptions = {}) {
    this.#connection = connection;
    this.#folder = folder;
    this.#batchBytes = options.batchBytes ?? 256 << 20;
  }

  add(row: FlatRow): void {
    const { table, partition } = row;
    const id = `${table}/${partition.account}/${partition.region}/${partition.day}`;
    let spool = this.#spools.get(id);
    if (spool === undefined) {
      spool = new PartitionSpool(table, partition, this.#folder, this.#spools.size);
      this.#spools.set(id, spool);
    }
    const line = encodeRowLine(row.values);
    spool.pending.push(line);
    spool.pendingChars += line.length;
    spool.rows += 1;
    if (line.length > spool.maxLine) spool.maxLine = line.length;
    this.#pendingChars += line.length;
  }

  /** Writes pending lines out when enough have gathered; call between batches of `add`. */
  async flushIfNeeded(): Promise<void> {
    if (this.#pendingChars >= TOTAL_PENDING_FLUSH_CHARS) {
      await this.#flushPending();
    } else {
      for (const spool of this.#spools.values()) if (spool.pendingChars >= PENDING_FLUSH_CHARS) await this.#flushSpool(spool);
    }
    if (this.#spooledSinceBatch >= this.#batchBytes) await this.#convertSpools();
  }

  /** Converts everything to one Parquet file per partition; returns them in partition order. */
  async finish(): Promise<PartitionFile[]> {
    await this.#flushPending();
    await this.#convertSpools();
    const files: PartitionFile[] = [];
    const ordered = [...this.#spools.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [, spool] of ordered) {
      let path = spool.parts[0]!;
      if (spool.parts.length > 1) {
        path = `${spool.spoolPath}.parquet`;
        const parts = spool.parts.map(sqlLiteral).join(', ');
        await this.#copy(`SELECT * FROM read_parquet([${parts}])`, path);
        for (const part of spool.parts) await rm(part, { force: true });
      }
      files.push({ table: spool.table, partition: spool.partition, path, rows: spool.rows, bytes: (await stat(path)).size });
    }
    return files;
  }

  async #flushPending(): Promise<void> {
    for (const spool of this.#spools.values()) if (spool.pending.length > 0) await this.#flushSpool(spool);
  }

  async #flushSpool(spool: PartitionSpool): Promise<void> {
    const text = spool.pending.join('');
    spool.spooledRows += spool.pending.length;
    spool.pending = [];
    this.#pendingChars -= spool.pendingChars;
    spool.pendingChars = 0;
    this.#spooledSinceBatch += text.length;
    await appendFile(spool.spoolPath, text, 'utf8');
  }

  async #convertSpools(): Promise<void> {
    for (const spool of this.#spools.values()) {
      if (spool.spooledRows === 0) continue;
      const part = `${spool.spoolPath}.${spool.parts.length}.parquet`;
      await this.#copy(readJsonSql(spool.table, spool.spoolPath, spool.maxLine), part);
      await rm(spool.spoolPath, { force: true });
      spool.parts.push(part);
      spool.spooledRows = 0;
    }
    this.#spooledSinceBatch = 0;
  }

  async #copy(select: string, path: string): Promise<void> {
    try {
      await this.#connection.run(`COPY (${select}) TO ${sqlLiteral(path)} (FORMAT parquet, COMPRESSION zstd)`);
    } catch (error) {
      throw new LakeWriteError(`could not write Parquet ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
}
