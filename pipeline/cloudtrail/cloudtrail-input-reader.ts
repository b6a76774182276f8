import { UnreadableInputError } from '../errors.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { CloudTrailBatchWriter } from './cloudtrail-batch-writer.js';
import { readCloudTrailRecords, type ReadCounter } from './cloudtrail-file-reader.js';
import { checkRecordSize } from './cloudtrail-limits.js';
import type { CloudTrailKey } from './cloudtrail-key.js';
import type { CloudTrailTableKind } from './cloudtrail-lake-layout.js';
import { EventFlattener, type FlatRow, type RecordContext } from './event-flattener.js';
import { RawRecordInspector, type Inspection } from './raw-record-inspector.js';
import type { RawRecord } from './record-scanner.js';

/** A CloudTrail input to read: its key, what the key says, and which kind of records it holds. */
export interface CloudTrailInput {
  readonly key: string;
  readonly parsed: CloudTrailKey;
  readonly kind: 'events' | 'insight';
}

/** Counts of one input, for its outcome. */
export interface InputStats {
  events: number;
  insights: number;
  unknownFields: number;
  mistypedFields: number;
  bytesRead: number;
  uncompressedBytes: number;
  /** SHA-256 (hex) of the uncompressed content. */
  sha256?: string;
}

const FLATTEN: Inspection = { path: 'flatten' };

/** Records handled between two checks of the writer's spool sizes. */
const FLUSH_EVERY_RECORDS = 4_000;

/**
 * Reads the records of an input into a batch writer: a record DuckDB can take as delivered is
 * spooled as it is (the fast path), any other goes through the flattener in JS. Throws
 * UnreadableInputError when the input turns out to be bad; what it spooled is then the
 * writer's to roll back.
 */
export class CloudTrailInputReader {
  readonly #flattener = new EventFlattener();
  readonly #inspector = new RawRecordInspector();

  async readInto(
    writer: CloudTrailBatchWriter,
    source: ObjectStore,
    input: CloudTrailInput,
    counter: ReadCounter,
    fastPath: boolean,
  ): Promise<InputStats> {
    const context: RecordContext = {
      sourceKey: input.key,
      account: input.parsed.account,
      region: input.parsed.region,
      deliveryDate: input.parsed.deliveryDate,
      fileKind: input.kind,
    };
    const stats: InputStats = { events: 0, insights: 0, unknownFields: 0, mistypedFields: 0, bytesRead: 0, uncompressedBytes: 0 };
    const stream = await source.getStream(input.key);
    try {
      const records = readCloudTrailRecords(stream, input.key, counter);
      let sinceFlush = 0;
      let next = await records.next();
      while (!next.done) {
        for (const record of next.value) {
          checkRecordSize(record.text.length);
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
      if (counter.sha256 !== undefined) stats.sha256 = counter.sha256;
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
}
