import type { DuckDBConnection } from '@duckdb/node-api';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { OpslakeError, UnreadableInputError } from '../errors.js';
import type { ObjectStore } from '../ports/object-store.js';
import { CloudTrailBatchWriter } from './cloudtrail-batch-writer.js';
import { readCloudTrailRecords, type ReadCounter } from './cloudtrail-file-reader.js';
import { parseCloudTrailKey, type CloudTrailFileKind, type CloudTrailKey } from './cloudtrail-key.js';
import { cloudTrailObjectKey, quarantineKeys, type CloudTrailPartition, type CloudTrailTableKind } from './cloudtrail-lake-layout.js';
import { EventFlattener, type FlatRow, type RecordContext } from './event-flattener.js';
import { RawRecordInspector, type Inspection } from './raw-record-inspector.js';
import type { RawRecord, UnreadableReason } from './record-scanner.js';

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

export interface CloudTrailIngesterOptions {
  readonly connection: DuckDBConnection;
  /** The lake: outputs and `_quarantine/` go here. */
  readonly lake: ObjectStore;
  readonly tempDirectory?: string;
  readonly clock?: () => Date;
  /**
   * Let DuckDB flatten the records it can take as delivered (default true). False sends every
   * record through the JS flattener; the lake is the same either way, only slower.
   */
  readonly fastPath?: boolean;
}

const FLATTEN: Inspection = { path: 'flatten' };

/** Records handled between two checks of the writer's spool sizes. */
const FLUSH_EVERY_RECORDS = 4_000;

interface Candidate {
  readonly index: number;
  readonly key: string;
  readonly parsed: CloudTrailKey;
  readonly kind: 'events' | 'insight';
}

interface InputStats {
  events: number;
  insights: number;
  unknownFields: number;
  mistypedFields: number;
  bytesRead: number;
  uncompressedBytes: number;
}

/** DuckDB refused the spooled lines of a batch: which input they came from is not known. */
class BatchRefused extends OpslakeError {
  readonly error: UnreadableInputError;

  constructor(error: UnreadableInputError) {
    super(error.message, { cause: error });
    this.name = 'BatchRefused';
    this.error = error;
  }
}

/**
 * Ingests CloudTrail files: key -> records -> Parquet objects, one per (input file, table,
 * partition), in the lake. Several files are ingested together (one DuckDB COPY per table for
 * the lot), yet each keeps objects of its own, named from its key: ingesting a file again (an
 * SQS redelivery, a backfill over a live prefix) replaces exactly what it wrote before. A
 * file's objects are written only once all of it has been read, so a bad file leaves nothing
 * but its quarantine copy, and the other files of its batch land.
 */
export class CloudTrailIngester {
  readonly #connection: DuckDBConnection;
  readonly #lake: ObjectStore;
  readonly #tempRoot: string;
  readonly #clock: () => Date;
  readonly #fastPath: boolean;
  readonly #flattener = new EventFlattener();
  readonly #inspector = new RawRecordInspector();

  constructor(options: CloudTrailIngesterOptions) {
    this.#connection = options.connection;
    this.#lake = options.lake;
    this.#tempRoot = options.tempDirectory ?? tmpdir();
    this.#clock = options.clock ?? (() => new Date());
    this.#fastPath = options.fastPath ?? true;
  }

  /**
   * Ingests the objects `keys` of `source` (the bucket, or a folder read as the bucket);
   * returns one outcome per key, in order. Throws only for failures that are not the files'
   * fault (the source or the lake), and then nothing is reported as done.
   */
  async ingest(source: ObjectStore, keys: readonly string[]): Promise<FileOutcome[]> {
    const outcomes = new Array<FileOutcome>(keys.length);
    const candidates: Candidate[] = [];
    for (const [index, key] of keys.entries()) {
      if (key.endsWith('/')) {
        outcomes[index] = { status: 'skipped', key, reason: 'folder' };
        continue;
      }
      const parsed = parseCloudTrailKey(key);
      if (!parsed.ok) {
        outcomes[index] = await this.#quarantine(
          source,
          key,
          new UnreadableInputError('not-cloudtrail', `not a CloudTrail log file key: ${parsed.reason}`),
        );
      } else if (parsed.key.kind === 'events' || parsed.key.kind === 'insight') {
        candidates.push({ index, key, parsed: parsed.key, kind: parsed.key.kind });
      } else {
        outcomes[index] = { status: 'skipped', key, reason: parsed.key.kind };
      }
    }
    const done = await this.#ingestTogether(source, candidates, this.#fastPath);
    if (done instanceof BatchRefused) {
      if (candidates.length === 1) {
        // DuckDB refused a record as delivered; the JS flattener re-encodes every string (it
        // mends invalid UTF-8, for one) and is the last resort before the quarantine.
        const again = this.#fastPath ? await this.#ingestTogether(source, candidates, false) : done;
        if (again instanceof BatchRefused) outcomes[candidates[0]!.index] = await this.#quarantine(source, candidates[0]!.key, again.error);
        else for (const [index, outcome] of again) outcomes[index] = outcome;
      } else {
        // Find the culprit by ingesting the files one by one.
        for (const candidate of candidates) outcomes[candidate.index] = (await this.ingest(source, [candidate.key]))[0]!;
      }
    } else {
      for (const [index, outcome] of done) outcomes[index] = outcome;
    }
    return outcomes;
  }

  async #ingestTogether(
    source: ObjectStore,
    candidates: readonly Candidate[],
    fastPath: boolean,
  ): Promise<Map<number, FileOutcome> | BatchRefused> {
    const outcomes = new Map<number, FileOutcome>();
    if (candidates.length === 0) return outcomes;
    const folder = await mkdtemp(join(this.#tempRoot, 'opslake-cloudtrail-'));
    const writer = new CloudTrailBatchWriter(this.#connection, folder);
    try {
      const inputs = new Map<number, { candidate: Candidate; stats: InputStats }>();
      for (const candidate of candidates) {
        const input = await writer.beginInput(candidate.key);
        const counter: ReadCounter = { bytes: 0 };
        try {
          const stats = await this.#readInto(writer, source, candidate, counter, fastPath);
          writer.endInput();
          inputs.set(input, { candidate, stats });
        } catch (error) {
          if (!(error instanceof UnreadableInputError)) throw error;
          await writer.abortInput();
          outcomes.set(candidate.index, await this.#quarantine(source, candidate.key, error, counter.bytes));
        }
      }
      let files;
      try {
        files = await writer.finish();
      } catch (error) {
        if (error instanceof UnreadableInputError) return new BatchRefused(error);
        throw error;
      }
      const objects = new Map<number, WrittenObject[]>();
      await Promise.all(
        files.map(async (file) => {
          const { candidate } = inputs.get(file.input)!;
          const key = cloudTrailObjectKey(file.table, file.partition, candidate.key);
          await this.#lake.putFile(key, file.path, { contentType: 'application/vnd.apache.parquet' });
          const list = objects.get(file.input) ?? [];
          list.push({ key, table: file.table, partition: file.partition, rows: file.rows, bytes: file.bytes });
          objects.set(file.input, list);
        }),
      );
      for (const [input, { candidate, stats }] of inputs) {
        const written = (objects.get(input) ?? []).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        outcomes.set(candidate.index, { status: 'ingested', key: candidate.key, ...stats, objects: written });
      }
      return outcomes;
    } finally {
      await writer.close();
      await rm(folder, { recursive: true, force: true });
    }
  }

  async #readInto(
    writer: CloudTrailBatchWriter,
    source: ObjectStore,
    candidate: Candidate,
    counter: ReadCounter,
    fastPath: boolean,
  ): Promise<InputStats> {
    const context: RecordContext = {
      sourceKey: candidate.key,
      account: candidate.parsed.account,
      region: candidate.parsed.region,
      deliveryDate: candidate.parsed.deliveryDate,
      fileKind: candidate.kind,
    };
    const stats: InputStats = { events: 0, insights: 0, unknownFields: 0, mistypedFields: 0, bytesRead: 0, uncompressedBytes: 0 };
    const stream = await source.getStream(candidate.key);
    try {
      const records = readCloudTrailRecords(stream, candidate.key, counter);
      let sinceFlush = 0;
      let next = await records.next();
      while (!next.done) {
        for (const record of next.value) {
          const inspection = fastPath ? this.#inspector.inspect(record, context) : FLATTEN;
          let table: CloudTrailTableKind;
          if (inspection.path === 'raw') {
            writer.addRaw(inspection.table, inspection.partition, record);
            table = inspection.table;
          } else {
            const row = this.#flatten(record, context);
            writer.addFlat(row);
            table = row.table;
            stats.unknownFields += row.unknownFields;
            stats.mistypedFields += row.mistypedFields;
          }
          if (table === 'events') stats.events += 1;
          else stats.insights += 1;
        }
        sinceFlush += next.value.length;
        if (sinceFlush >= FLUSH_EVERY_RECORDS) {
          await writer.flushIfNeeded();
          sinceFlush = 0;
        }
        next = await records.next();
      }
      stats.uncompressedBytes = next.value.bytes;
      stats.bytesRead = counter.bytes;
      return stats;
    } finally {
      stream.destroy();
    }
  }

  #flatten(record: RawRecord, context: RecordContext): FlatRow {
    try {
      return this.#flattener.flatten(record, context);
    } catch (error) {
      // The scanner checked the structure; a value that still does not parse means the file is bad.
      throw new UnreadableInputError('invalid-json', `a record could not be read: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Copies the input to `_quarantine/` with a `.error.json` that says why. */
  async #quarantine(source: ObjectStore, key: string, error: UnreadableInputError, bytesRead = 0): Promise<QuarantinedFile> {
    const now = this.#clock();
    const keys = quarantineKeys(key, now);
    const reason = error.reason as UnreadableReason;
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
        reason,
        message: error.message,
        quarantinedAt: now.toISOString(),
        bytes: info?.size ?? 0,
      };
      await this.#lake.putBytes(keys.error, `${JSON.stringify(record, null, 2)}\n`, { contentType: 'application/json' });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    return { status: 'quarantined', key, reason, message: error.message, quarantineKey: keys.data, bytesRead };
  }
}
