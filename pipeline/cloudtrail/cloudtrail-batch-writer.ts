import { join } from 'node:path';
import { sqlLiteral } from '../duckdb/duckdb-engine.js';
import type { ParquetWriter, TargetFile, TargetFiles } from '../ports/parquet-writer.js';
import type { CloudTrailPartition, CloudTrailTableKind } from './cloudtrail-lake-layout.js';
import { checkPartitionValues } from './cloudtrail-limits.js';
import { flatSelectSql, rawSelectSql, TARGET_COLUMN } from './cloudtrail-sql.js';
import type { FlatRow } from './event-flattener.js';
import { FLUSH_BYTES, JsonLineSpool, NEWLINE } from './json-line-spool.js';
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

const TABLES: readonly CloudTrailTableKind[] = ['events', 'insights'];

interface TableSpools {
  /** Records as delivered, flattened by DuckDB. */
  readonly raw: JsonLineSpool;
  /** Rows flattened in JS. */
  readonly flat: JsonLineSpool;
}

/** A (input, table, partition): one object in the lake. */
interface Target {
  readonly id: number;
  readonly input: number;
  readonly table: CloudTrailTableKind;
  readonly partition: CloudTrailPartition;
  /** Key of the input, the `source_key` of its rows. */
  readonly sourceKey: string;
  /** `{"_p":<id>,`: what a line of this target starts with. */
  readonly prefix: Buffer;
  rows: number;
}

interface Mark {
  readonly input: number;
  readonly sizes: ReadonlyArray<readonly [JsonLineSpool, number, number, number]>;
  readonly targets: number;
}

/**
 * Turns the records of a batch of inputs into one zstd Parquet file per (input, table,
 * partition). Each target gets a small id; every spooled JSON line starts with it (`"_p"`),
 * and one partitioned write per table (`ParquetWriter.writePartitioned`, a DuckDB COPY with
 * `PARTITION_BY (_p)`) writes the whole batch: a COPY costs milliseconds however small, and
 * CloudTrail files are many and small. Raw records go through typed STRUCT columns,
 * JS-flattened rows through their `c<i>` columns, in the same COPY.
 * A failed input is rolled back (its lines truncated away) without touching the others.
 * Lines are spooled on local disk (temp space of about the uncompressed size of the batch)
 * and DuckDB streams them, so memory stays flat however large an input is.
 */
export class CloudTrailBatchWriter {
  readonly #parquet: ParquetWriter;
  readonly #spools: Record<CloudTrailTableKind, TableSpools>;
  readonly #targets: Target[] = [];
  readonly #byKey = new Map<string, Target>();
  /** Outputs of the partitioned writes, removed by `close`. */
  readonly #outputs: TargetFiles[] = [];
  #inputs = 0;
  #inputKey = '';
  #current: Mark | undefined;
  #lastTarget: Target | undefined;

  /** `folder` is a fresh temp folder for the spools, which the caller owns and removes. */
  constructor(parquet: ParquetWriter, folder: string) {
    this.#parquet = parquet;
    const spools = (table: CloudTrailTableKind): TableSpools => ({
      raw: new JsonLineSpool(join(folder, `${table}.raw.ndjson`)),
      flat: new JsonLineSpool(join(folder, `${table}.flat.ndjson`)),
    });
    this.#spools = { events: spools('events'), insights: spools('insights') };
  }

  /** Starts the next input; returns its index. Everything added until `endInput` belongs to it. */
  async beginInput(sourceKey: string): Promise<number> {
    await this.#flushAll();
    const input = this.#inputs;
    this.#inputs += 1;
    this.#inputKey = sourceKey;
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
    await this.#closeSpools();
    const written = new Map<number, TargetFile>();
    for (const table of TABLES) await this.#convert(table, written);
    const files: PartitionFile[] = [];
    for (const target of this.#targets) {
      const file = written.get(target.id);
      if (target.rows === 0 || file === undefined) continue;
      files.push({ input: target.input, table: target.table, partition: target.partition, ...file, rows: target.rows });
    }
    return files;
  }

  /**
   * Closes the spool files and removes the Parquet files `finish` returned (call it once they
   * are uploaded); a writer given up on (a failed batch) must be closed too.
   */
  async close(): Promise<void> {
    await this.#closeSpools();
    for (const output of this.#outputs.splice(0)) await this.#parquet.discard(output);
  }

  async #closeSpools(): Promise<void> {
    for (const spool of this.#allSpools()) await spool.close();
  }

  #allSpools(): JsonLineSpool[] {
    return TABLES.flatMap((table) => [this.#spools[table].raw, this.#spools[table].flat]);
  }

  #keyOf(input: number, table: CloudTrailTableKind, partition: CloudTrailPartition): string {
    return `${input}/${table}/${partition.account}/${partition.region}/${partition.day}`;
  }

  #targetOf(table: CloudTrailTableKind, partition: CloudTrailPartition): Target {
    const input = this.#current?.input ?? this.#inputs - 1;
    // Consecutive records nearly always share their target (the inspector hands out the same
    // partition object for the same values).
    const last = this.#lastTarget;
    if (last !== undefined && last.partition === partition && last.table === table && last.input === input) return last;
    const key = this.#keyOf(input, table, partition);
    let target = this.#byKey.get(key);
    if (target === undefined) {
      // Checked once per target, before any line of it is spooled: the input is then quarantined alone.
      checkPartitionValues(partition);
      const id = this.#nextId();
      target = { id, input, table, partition, sourceKey: this.#inputKey, prefix: Buffer.from(`{"${TARGET_COLUMN}":${id},`), rows: 0 };
      this.#targets.push(target);
      this.#byKey.set(key, target);
    }
    this.#lastTarget = target;
    return target;
  }

  /** Ids follow the last target kept (those of an aborted input are given out again). */
  #nextId(): number {
    const last = this.#targets.at(-1);
    return last === undefined ? 0 : last.id + 1;
  }

  async #flushAll(): Promise<void> {
    for (const spool of this.#allSpools()) await spool.flush();
  }

  /** One partitioned write for the table's spools; each target's rows land in a file of their own. */
  async #convert(table: CloudTrailTableKind, written: Map<number, TargetFile>): Promise<void> {
    const { raw, flat } = this.#spools[table];
    if (raw.lines === 0 && flat.lines === 0) return;
    const selects: string[] = [];
    if (raw.lines > 0) selects.push(rawSelectSql(table, raw.path, this.#sourceKeyList(), raw.maxLine));
    if (flat.lines > 0) selects.push(flatSelectSql(table, flat.path, flat.maxLine));
    const output = await this.#parquet.writePartitioned(selects.join(' UNION ALL '), TARGET_COLUMN);
    this.#outputs.push(output);
    for (const spool of [raw, flat]) await spool.reset();
    for (const [id, file] of output.files) written.set(id, file);
  }

  /** `source_key` of the raw rows comes from this list, indexed by target id. */
  #sourceKeyList(): string {
    const keys = new Array<string>(this.#nextId()).fill('');
    for (const target of this.#targets) keys[target.id] = target.sourceKey;
    return `[${keys.map(sqlLiteral).join(', ')}]`;
  }
}
