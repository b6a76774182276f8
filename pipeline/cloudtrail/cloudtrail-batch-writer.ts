import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdir, open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { LakeWriteError, UnreadableInputError } from '../errors.js';
import { sqlLiteral } from '../duckdb/duckdb-engine.js';
import { flatSelectSql, rawSelectSql } from './cloudtrail-sql.js';
import type { CloudTrailPartition, CloudTrailTableKind } from './cloudtrail-lake-layout.js';
import type { FlatRow } from './event-flattener.js';
import { hasLineBreaks, type RawRecord } from './record-scanner.js';

/** One finished Parquet file: every row of one input for one partition. */
export interface PartitionFile {
  /** Index of the input, in the order of `beginInput` calls. */
  readonly input: number;
  readonly table: CloudTrailTableKind;
  readonly partition: CloudTrailPartition;
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
}

/** Bytes spooled in memory before they are appended to their file. */
const FLUSH_BYTES = 4 << 20;
/**
 * Rows per Parquet row group, and rows a partitioned COPY gathers before it writes them out
 * (DuckDB's default gathers 512k). CloudTrail rows are large (1-2 KB of JSON): this keeps the
 * COPY of a 500 MB file within about 250 MB, at the price of row groups (a few MB of zstd)
 * smaller than Athena's ideal.
 */
const ROW_GROUP_ROWS = 16_384;
const NEWLINE = Buffer.from('\n');
const TABLES: readonly CloudTrailTableKind[] = ['events', 'insights'];

/** Writes all of `data` (a write may take fewer bytes than it was given). */
async function writeAll(file: FileHandle, data: Uint8Array): Promise<void> {
  for (let offset = 0; offset < data.length; ) {
    const { bytesWritten } = await file.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

/**
 * JSON lines waiting for DuckDB: a file on disk and one buffer of lines not written to it yet.
 * Lines are copied into the buffer as they come (no array of pieces to join later).
 */
class Spool {
  readonly path: string;
  #buffer: Buffer | undefined;
  #used = 0;
  /** Full buffers (and lines larger than one), in order, not yet written. */
  #ready: Uint8Array[] = [];
  #readyBytes = 0;
  #file: FileHandle | undefined;
  fileBytes = 0;
  /** Lines (on disk or pending) not yet converted. */
  lines = 0;
  maxLine = 0;

  constructor(path: string) {
    this.path = path;
  }

  get pendingBytes(): number {
    return this.#readyBytes + this.#used;
  }

  /** Appends one line made of `parts` (`bytes` long in all, line break included). */
  add(parts: ReadonlyArray<Uint8Array | string>, bytes: number): void {
    this.#count(bytes);
    if (this.#used + bytes > FLUSH_BYTES) this.#retire();
    if (bytes > FLUSH_BYTES) {
      for (const part of parts) this.#queue(typeof part === 'string' ? Buffer.from(part) : part);
      return;
    }
    const buffer = (this.#buffer ??= Buffer.allocUnsafe(FLUSH_BYTES));
    let used = this.#used;
    for (const part of parts) {
      if (typeof part === 'string') used += buffer.write(part, used);
      else {
        buffer.set(part, used);
        used += part.length;
      }
    }
    this.#used = used;
  }

  /** Appends a line of raw bytes: `head`, then `text` from `from` on, then a line break (the common case, kept lean). */
  addLine(head: Buffer, text: Buffer, from: number): void {
    const bytes = head.length + text.length - from + 1;
    const used = this.#used;
    if (this.#buffer === undefined || used + bytes > FLUSH_BYTES) {
      this.add([head, text.subarray(from), NEWLINE], bytes);
      return;
    }
    const buffer = this.#buffer;
    head.copy(buffer, used);
    text.copy(buffer, used + head.length, from);
    buffer[used + bytes - 1] = 0x0a;
    this.#used = used + bytes;
    this.#count(bytes);
  }

  #count(lineBytes: number): void {
    this.lines += 1;
    if (lineBytes > this.maxLine) this.maxLine = lineBytes;
  }

  #queue(data: Uint8Array): void {
    this.#ready.push(data);
    this.#readyBytes += data.length;
  }

  /** Hands the current buffer over to be written; the next line starts a new one. */
  #retire(): void {
    if (this.#used === 0) return;
    this.#queue(this.#buffer!.subarray(0, this.#used));
    this.#buffer = undefined;
    this.#used = 0;
  }

  async flush(): Promise<number> {
    const bytes = this.pendingBytes;
    if (bytes === 0) return 0;
    const file = await this.#open();
    const buffer = this.#buffer;
    const used = this.#used;
    for (const data of this.#ready) await writeAll(file, data);
    if (used > 0) await writeAll(file, buffer!.subarray(0, used));
    this.#ready = [];
    this.#readyBytes = 0;
    this.#used = 0;
    this.fileBytes += bytes;
    return bytes;
  }

  /** Forgets lines: the pending ones, and those on disk beyond `fileBytes`. */
  async rollBack(fileBytes: number, lines: number, maxLine: number): Promise<void> {
    this.#ready = [];
    this.#readyBytes = 0;
    this.#used = 0;
    if (this.fileBytes > fileBytes) await (await this.#open()).truncate(fileBytes);
    this.fileBytes = fileBytes;
    this.lines = lines;
    this.maxLine = maxLine;
  }

  /** Closes the file and forgets it (it was converted). */
  async reset(): Promise<void> {
    await this.close();
    if (this.fileBytes > 0) await rm(this.path, { force: true });
    this.fileBytes = 0;
    this.lines = 0;
  }

  async close(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    await file?.close();
  }

  async #open(): Promise<FileHandle> {
    return (this.#file ??= await open(this.path, 'a'));
  }
}

interface TableSpools {
  /** Records as delivered, flattened by DuckDB. */
  readonly raw: Spool;
  /** Rows flattened in JS. */
  readonly flat: Spool;
}

/** A (input, table, partition): one object in the lake. */
interface Target {
  readonly id: number;
  readonly input: number;
  readonly table: CloudTrailTableKind;
  readonly partition: CloudTrailPartition;
  /** `{"_p":<id>,`: what a line of this target starts with. */
  readonly prefix: Buffer;
  rows: number;
}

interface Mark {
  readonly input: number;
  readonly sizes: ReadonlyArray<readonly [Spool, number, number, number]>;
  readonly targets: number;
}

/**
 * Turns the records of a batch of inputs into one zstd Parquet file per (input, table,
 * partition). Each target gets a small id; every spooled JSON line starts with it (`"_p"`),
 * and one DuckDB COPY per table writes the whole batch with `PARTITION_BY (_p)`: a COPY costs
 * milliseconds however small, and CloudTrail files are many and small. Raw records go through
 * typed STRUCT columns, JS-flattened rows through their `c<i>` columns, in the same COPY.
 * A failed input is rolled back (its lines truncated away) without touching the others.
 * Lines are spooled on local disk (temp space of about the uncompressed size of the batch)
 * and DuckDB streams them, so memory stays flat however large an input is.
 */
export class CloudTrailBatchWriter {
  readonly #connection: DuckDBConnection;
  readonly #folder: string;
  readonly #spools: Record<CloudTrailTableKind, TableSpools>;
  readonly #targets: Target[] = [];
  readonly #byKey = new Map<string, Target>();
  readonly #sourceKeys: string[] = [];
  #current: Mark | undefined;
  #lastTarget: Target | undefined;

  /** `folder` is a fresh temp folder the caller owns and removes. */
  constructor(connection: DuckDBConnection, folder: string) {
    this.#connection = connection;
    this.#folder = folder;
    const spools = (table: CloudTrailTableKind): TableSpools => ({
      raw: new Spool(join(folder, `${table}.raw.ndjson`)),
      flat: new Spool(join(folder, `${table}.flat.ndjson`)),
    });
    this.#spools = { events: spools('events'), insights: spools('insights') };
  }

  /** Starts the next input; returns its index. Everything added until `endInput` belongs to it. */
  async beginInput(sourceKey: string): Promise<number> {
    await this.#flushAll();
    const input = this.#sourceKeys.push(sourceKey) - 1;
    const sizes = this.#allSpools().map((spool) => [spool, spool.fileBytes, spool.lines, spool.maxLine] as const);
    this.#current = { input, sizes, targets: this.#targets.length };
    return input;
  }

  endInput(): void {
    this.#current = undefined;
  }

  /** Forgets everything the current input added (it turned out to be unreadable). */
  async abortInput(): Promise<void> {
    const mark = this.#current;
    if (mark === undefined) return;
    for (const [spool, fileBytes, lines, maxLine] of mark.sizes) await spool.rollBack(fileBytes, lines, maxLine);
    for (const target of this.#targets.splice(mark.targets)) this.#byKey.delete(this.#keyOf(target.input, target.table, target.partition));
    this.#lastTarget = undefined;
    this.#current = undefined;
  }

  /** A record DuckDB flattens as it is. */
  addRaw(table: CloudTrailTableKind, partition: CloudTrailPartition, record: RawRecord): void {
    const target = this.#targetOf(table, partition);
    let text = record.text;
    if (hasLineBreaks(text)) {
      // Line breaks can only be whitespace between tokens (JSON strings cannot hold them raw).
      text = Buffer.from(text);
      for (let i = 0; i < text.length; i += 1) if (text[i] === 0x0a || text[i] === 0x0d) text[i] = 0x20;
    }
    const spool = this.#spools[table].raw;
    if (record.members.length === 0)
      spool.add([target.prefix.subarray(0, target.prefix.length - 1), '}', NEWLINE], target.prefix.length + 1);
    else spool.addLine(target.prefix, text, 1);
    target.rows += 1;
  }

  /** A row the JS flattener produced. */
  addFlat(row: FlatRow): void {
    const target = this.#targetOf(row.table, row.partition);
    const body = row.line.slice(1);
    this.#spools[row.table].flat.add([target.prefix, body], target.prefix.length + Buffer.byteLength(body));
    target.rows += 1;
  }

  /** Writes pending lines out when enough have gathered; call between batches of `add...`. */
  async flushIfNeeded(): Promise<void> {
    if (this.#allSpools().some((spool) => spool.pendingBytes >= FLUSH_BYTES)) await this.#flushAll();
  }

  /** Converts everything; returns one file per target, in target order. */
  async finish(): Promise<PartitionFile[]> {
    await this.#flushAll();
    // DuckDB reads the spools next: none stays open for writing.
    await this.close();
    const paths = new Map<number, string>();
    for (const table of TABLES) await this.#convert(table, paths);
    const files: PartitionFile[] = [];
    for (const target of this.#targets) {
      const path = paths.get(target.id);
      if (target.rows === 0 || path === undefined) continue;
      files.push({
        input: target.input,
        table: target.table,
        partition: target.partition,
        path,
        rows: target.rows,
        bytes: (await stat(path)).size,
      });
    }
    return files;
  }

  /** Closes the spool files; a writer given up on (a failed batch) must be closed too. */
  async close(): Promise<void> {
    for (const spool of this.#allSpools()) await spool.close();
  }

  #allSpools(): Spool[] {
    return TABLES.flatMap((table) => [this.#spools[table].raw, this.#spools[table].flat]);
  }

  #keyOf(input: number, table: CloudTrailTableKind, partition: CloudTrailPartition): string {
    return `${input}/${table}/${partition.account}/${partition.region}/${partition.day}`;
  }

  #targetOf(table: CloudTrailTableKind, partition: CloudTrailPartition): Target {
    const input = this.#current?.input ?? this.#sourceKeys.length - 1;
    // Consecutive records nearly always share their target (the inspector hands out the same
    // partition object for the same values).
    const last = this.#lastTarget;
    if (last !== undefined && last.partition === partition && last.table === table && last.input === input) return last;
    const key = this.#keyOf(input, table, partition);
    let target = this.#byKey.get(key);
    if (target === undefined) {
      const id = this.#targets.length === 0 ? 0 : this.#targets[this.#targets.length - 1]!.id + 1;
      target = { id, input, table, partition, prefix: Buffer.from(`{"_p":${id},`), rows: 0 };
      this.#targets.push(target);
      this.#byKey.set(key, target);
    }
    this.#lastTarget = target;
    return target;
  }

  async #flushAll(): Promise<void> {
    for (const spool of this.#allSpools()) await spool.flush();
  }

  /** One COPY for the table's spools; each target's rows land in `_p=<id>/`. */
  async #convert(table: CloudTrailTableKind, paths: Map<number, string>): Promise<void> {
    const { raw, flat } = this.#spools[table];
    if (raw.lines === 0 && flat.lines === 0) return;
    const selects: string[] = [];
    if (raw.lines > 0) selects.push(rawSelectSql(table, raw.path, this.#sourceKeyList(), raw.maxLine));
    if (flat.lines > 0) selects.push(flatSelectSql(table, flat.path, flat.maxLine));
    const folder = join(this.#folder, table);
    await mkdir(folder, { recursive: true });
    await this.#copy(selects.join(' UNION ALL '), folder);
    for (const spool of [raw, flat]) await spool.reset();
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const id = Number(/^_p=(\d+)$/.exec(entry.name)?.[1]);
      if (!entry.isDirectory() || Number.isNaN(id)) continue;
      const names = await readdir(join(folder, entry.name));
      // One thread writes one file per partition.
      if (names.length !== 1) throw new LakeWriteError(`expected one Parquet file for target ${id}, found ${names.length}`);
      paths.set(id, join(folder, entry.name, names[0]!));
    }
  }

  /** `source_key` of the raw rows comes from this list, indexed by target id. */
  #sourceKeyList(): string {
    const keys = new Array<string>(this.#targets.length === 0 ? 0 : this.#targets[this.#targets.length - 1]!.id + 1).fill('');
    for (const target of this.#targets) keys[target.id] = this.#sourceKeys[target.input]!;
    return `[${keys.map(sqlLiteral).join(', ')}]`;
  }

  async #copy(select: string, folder: string): Promise<void> {
    try {
      await this.#connection.run(`SET partitioned_write_flush_threshold = ${ROW_GROUP_ROWS}`);
      await this.#connection.run(
        `COPY (${select}) TO ${sqlLiteral(folder)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ` +
          `ROW_GROUP_SIZE ${ROW_GROUP_ROWS}, PARTITION_BY ("_p"), OVERWRITE_OR_IGNORE)`,
      );
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      // DuckDB's JSON parser is the one that checks what strings hold (escapes, UTF-8,
      // control characters): its refusal means an input is bad, not that writing failed.
      if (/^(Invalid Input Error|Conversion Error)/.test(message)) {
        throw new UnreadableInputError('invalid-json', `a record could not be parsed: ${message.split('\n')[0]}`, { cause: error });
      }
      throw new LakeWriteError(`could not write Parquet under ${folder}: ${message.split('\n')[0]}`, { cause: error });
    }
  }
}
