import type { DuckDBConnection } from '@duckdb/node-api';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UnreadableInputError } from '../errors.js';
import type { ObjectStore } from '../ports/object-store.js';
import { parseCloudTrailKey, type CloudTrailFileKind, type CloudTrailKey } from './cloudtrail-key.js';
import { cloudTrailObjectKey, quarantineKeys, type CloudTrailPartition, type CloudTrailTableKind } from './cloudtrail-lake-layout.js';
import { readCloudTrailRecords, type ReadCounter } from './cloudtrail-file-reader.js';
import { CloudTrailParquetWriter } from './cloudtrail-parquet-writer.js';
import { EventFlattener, type RecordContext } from './event-flattener.js';
import type { UnreadableReason } from './record-scanner.js';

export interface WrittenObject {
  readonly key: string;
  readonly table: CloudTrailTableKind;
  readonly partition: CloudTrailPartition;
  readonly rows: number;
  readonly bytes: number;
}

export interface IngestedFile {
  readonly status: 'ingested';
  readonly key: string;
  readonly events: number;
  readonly insights: number;
  /** Record members no column knows, kept in `unknown_fields`. */
  readonly unknownFields: number;
  /** Values of the wrong JSON type for their column, kept in `unknown_fields`. */
  readonly mistypedFields: number;
  /** Bytes read from the source (compressed for a gzip file). */
  readonly bytesRead: number;
  readonly uncompressedBytes: number;
  readonly objects: readonly WrittenObject[];
}

export interface QuarantinedFile {
  readonly status: 'quarantined';
  readonly key: string;
  readonly reason: UnreadableReason;
  readonly message: string;
  /** Where the copy of the input went in the lake (`.error.json` beside it). */
  readonly quarantineKey: string;
  readonly bytesRead: number;
}

export interface SkippedFile {
  readonly status: 'skipped';
  readonly key: string;
  /** `digest`: an integrity digest; `network-activity` and `aggregated`: streams not ingested; `folder`: a folder marker. */
  readonly reason: Exclude<CloudTrailFileKind, 'events' | 'insight'> | 'folder';
}

export type FileOutcome = IngestedFile | QuarantinedFile | SkippedFile;

/** What the quarantine's `.error.json` holds. */
export interface QuarantineRecord {
  readonly source: string;
  readonly key: string;
  readonly reason: UnreadableReason;
  readonly message: string;
  readonly quarantinedAt: string;
  readonly bytes: number;
}

export interface CloudTrailFileIngesterOptions {
  readonly connection: DuckDBConnection;
  /** The lake: outputs and `_quarantine/` go here. */
  readonly lake: ObjectStore;
  readonly tempDirectory?: string;
  readonly clock?: () => Date;
  /** See CloudTrailParquetWriterOptions.batchBytes. */
  readonly batchBytes?: number;
}

/** Records flattened between two checks of the writer's spool sizes. */
const FLUSH_EVERY_RECORDS = 2_000;

/**
 * Ingests one CloudTrail file: key -> records -> flattened rows -> one Parquet object per
 * (table, partition) in the lake. Outputs are written only once the whole input has been read,
 * so a bad file writes nothing but its quarantine copy; and since every object is named from
 * the input key, ingesting a file again (an SQS redelivery, a backfill over a live prefix)
 * replaces exactly what it wrote before.
 */
export class CloudTrailFileIngester {
  readonly #connection: DuckDBConnection;
  readonly #lake: ObjectStore;
  readonly #tempRoot: string;
  readonly #clock: () => Date;
  readonly #batchBytes: number | undefined;
  readonly #flattener = new EventFlattener();

  constructor(options: CloudTrailFileIngesterOptions) {
    this.#connection = options.connection;
    this.#lake = options.lake;
    this.#tempRoot = options.tempDirectory ?? tmpdir();
    this.#clock = options.clock ?? (() => new Date());
    this.#batchBytes = options.batchBytes;
  }

  /** `key` is the object's key in `source`, which is the bucket (or a folder read as the bucket). */
  async ingest(source: ObjectStore, key: string): Promise<FileOutcome> {
    if (key.endsWith('/')) return { status: 'skipped', key, reason: 'folder' };
    const parsed = parseCloudTrailKey(key);
    if (!parsed.ok) return this.#quarantine(source, key, new UnreadableInputError('not-cloudtrail', `not a CloudTrail log file key: ${parsed.reason}`));
    const { kind } = parsed.key;
    if (kind !== 'events' && kind !== 'insight') return { status: 'skipped', key, reason: kind };
    const counter: ReadCounter = { bytes: 0 };
    try {
      return await this.#ingestRecords(source, key, parsed.key, kind, counter);
    } catch (error) {
      if (error instanceof UnreadableInputError) return this.#quarantine(source, key, error, counter.bytes);
      throw error;
    }
  }

  async #ingestRecords(source: ObjectStore, key: string, parsed: CloudTrailKey, kind: 'events' | 'insight', counter: ReadCounter): Promise<IngestedFile> {
    const context: RecordContext = {
      sourceKey: key,
      account: parsed.account,
      region: parsed.region,
      deliveryDate: parsed.deliveryDate,
      fileKind: kind,
    };
    const folder = await mkdtemp(join(this.#tempRoot, 'opslake-cloudtrail-'));
    const stream = await source.getStream(key);
    try {
      const writer = new CloudTrailParquetWriter(this.#connection, folder, this.#batchBytes === undefined ? {} : { batchBytes: this.#batchBytes });
      const records = readCloudTrailRecords(stream, key, counter);
      let events = 0;
      let insights = 0;
      let unknownFields = 0;
      let mistypedFields = 0;
      let sinceFlush = 0;
      let next = await records.next();
      while (!next.done) {
        for (const record of next.value) {
          const row = this.#flatten(record, context);
          writer.add(row);
          if (row.table === 'events') events += 1;
          else insights += 1;
          unknownFields += row.unknownFields;
          mistypedFields += row.mistypedFields;
        }
        sinceFlush += next.value.length;
        if (sinceFlush >= FLUSH_EVERY_RECORDS) {
          await writer.flushIfNeeded();
          sinceFlush = 0;
        }
        next = await records.next();
      }
      const document = next.value;
      const files = await writer.finish();
      const objects = await Promise.all(
        files.map(async (file): Promise<WrittenObject> => {
          const objectKey = cloudTrailObjectKey(file.table, file.partition, key);
          await this.#lake.putFile(objectKey, file.path, { contentType: 'application/vnd.apache.parquet' });
          return { key: objectKey, table: file.table, partition: file.partition, rows: file.rows, bytes: file.bytes };
        }),
      );
      return {
        status: 'ingested',
        key,
        events,
        insights,
        unknownFields,
        mistypedFields,
        bytesRead: counter.bytes,
        uncompressedBytes: document.bytes,
        objects,
      };
    } finally {
      stream.destroy();
      await rm(folder, { recursive: true, force: true });
    }
  }

  #flatten(record: Parameters<EventFlattener['flatten']>[0], context: RecordContext) {
    try {
      return this.#flattener.flatten(record, context);
    } catch (error) {
      // The scanner has validated the grammar; a parse failure here still means the file is bad.
      throw new UnreadableInputError('invalid-record', `a record could not be read: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Copies the input to `_quarantine/` with a `.error.json` that says why. */
  async #quarantine(source: ObjectStore, key: string, error: UnreadableInputError, bytesRead = 0): Promise<QuarantinedFile> {
    const now = this.#clock();
    const keys = quarantineKeys(key, now);
    const folder = await mkdtemp(join(this.#tempRoot, 'opslake-quarantine-'));
    try {
      // Through a temp file: the input may be large, and memory stays flat.
      const copy = join(folder, 'input');
      await pipeline(await source.getStream(key), createWriteStream(copy));
      await this.#lake.putFile(keys.data, copy);
      const info = await source.head(key);
      const record: QuarantineRecord = {
        source: `${source.location}${key}`,
        key,
        reason: error.reason as UnreadableReason,
        message: error.message,
        quarantinedAt: now.toISOString(),
        bytes: info?.size ?? 0,
      };
      await this.#lake.putBytes(keys.error, `${JSON.stringify(record, null, 2)}\n`, { contentType: 'application/json' });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    return { status: 'quarantined', key, reason: error.reason as UnreadableReason, message: error.message, quarantineKey: keys.data, bytesRead };
  }
}
