import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpslakeError, UnreadableInputError } from '../errors.js';
import type { WrittenObject } from '../lake/lake-layout.js';
import { ParquetWriter } from '../lake/parquet-writer.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { CloudTrailPartitionKey } from '../tables/cloudtrail-tables.js';
import { CloudTrailBatchWriter, type PartitionFile } from './cloudtrail-batch-writer.js';
import type { ReadCounter } from './cloudtrail-file-reader.js';
import type { FileOutcome, QuarantinedFile } from './cloudtrail-file-outcome.js';
import { CloudTrailInputReader, type CloudTrailInput, type InputStats } from './cloudtrail-input-reader.js';
import { parseCloudTrailKey } from './cloudtrail-key.js';
import { cloudTrailObject } from './cloudtrail-lake-layout.js';
import { quarantineInput } from './cloudtrail-quarantine.js';

export type { FileOutcome, IngestedFile, QuarantinedFile, SkippedFile } from './cloudtrail-file-outcome.js';
export type { QuarantineRecord } from './cloudtrail-quarantine.js';

export interface CloudTrailIngesterOptions {
  readonly connection: DuckDBConnection;
  /** The lake: outputs and `_quarantine/` go here. */
  readonly lake: ObjectStore;
  /**
   * Where the Parquet objects go (default the lake): the backfill of closed days stages them in a
   * local folder and folds them into compacted generations (DESIGN.md §4).
   */
  readonly output?: ObjectStore;
  readonly tempDirectory?: string;
  readonly clock?: () => Date;
  /**
   * Let DuckDB flatten the records it can take as delivered (default true). False sends every
   * record through the JS flattener; the lake is the same either way, only slower.
   */
  readonly fastPath?: boolean;
}

interface Candidate extends CloudTrailInput {
  readonly index: number;
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

function byKey(a: WrittenObject, b: WrittenObject): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Ingests CloudTrail files: key -> records -> Parquet objects, one per (input file, table,
 * partition), in the lake. Several files are ingested together (one partitioned Parquet write
 * per table for the lot), yet each keeps objects of its own, named from its key: ingesting a
 * file again (an SQS redelivery, a backfill over a live prefix) replaces exactly what it wrote
 * before. A file's objects are written only once all of it has been read, so a bad file leaves
 * nothing but its quarantine copy, and the other files of its batch land.
 */
export class CloudTrailIngester {
  readonly #parquet: ParquetWriter;
  readonly #lake: ObjectStore;
  readonly #output: ObjectStore;
  readonly #tempRoot: string;
  readonly #clock: () => Date;
  readonly #fastPath: boolean;
  readonly #reader = new CloudTrailInputReader();

  constructor(options: CloudTrailIngesterOptions) {
    this.#lake = options.lake;
    this.#output = options.output ?? options.lake;
    this.#tempRoot = options.tempDirectory ?? tmpdir();
    this.#parquet = new ParquetWriter(options.connection, { tempDirectory: this.#tempRoot });
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
    if (!(done instanceof BatchRefused)) {
      for (const [index, outcome] of done) outcomes[index] = outcome;
    } else if (candidates.length === 1 && candidates[0] !== undefined) {
      const only = candidates[0];
      // DuckDB refused a record as delivered; the JS flattener re-encodes every string (it
      // mends invalid UTF-8, for one) and is the last resort before the quarantine.
      const again = this.#fastPath ? await this.#ingestTogether(source, candidates, false) : done;
      if (again instanceof BatchRefused) outcomes[only.index] = await this.#quarantine(source, only.key, again.error);
      else for (const [index, outcome] of again) outcomes[index] = outcome;
    } else {
      // Find the culprit by ingesting the files one by one.
      for (const candidate of candidates) {
        const [outcome] = await this.ingest(source, [candidate.key]);
        if (outcome !== undefined) outcomes[candidate.index] = outcome;
      }
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
    const writer = new CloudTrailBatchWriter(this.#parquet, folder);
    try {
      const inputs = new Map<number, { candidate: Candidate; stats: InputStats }>();
      for (const candidate of candidates) {
        const input = await writer.beginInput(candidate.key);
        const counter: ReadCounter = { bytes: 0 };
        try {
          const stats = await this.#reader.readInto(writer, source, candidate, counter, fastPath);
          writer.endInput();
          inputs.set(input, { candidate, stats });
        } catch (error) {
          if (!(error instanceof UnreadableInputError)) throw error;
          await writer.abortInput();
          outcomes.set(candidate.index, await this.#quarantine(source, candidate.key, error, counter.bytes));
        }
      }
      let files: PartitionFile[];
      try {
        files = await writer.finish();
      } catch (error) {
        if (error instanceof UnreadableInputError) return new BatchRefused(error);
        throw error;
      }
      const objects = new Map<number, WrittenObject<CloudTrailPartitionKey>[]>();
      await Promise.all(
        files.map(async (file) => {
          const input = inputs.get(file.input);
          if (input === undefined) throw new OpslakeError(`a Parquet file names input ${file.input}, which this batch did not read`);
          const object = cloudTrailObject(file.table, file.partition, input.candidate.key);
          await this.#output.putFile(object.key, file.path, { contentType: 'application/vnd.apache.parquet' });
          const list = objects.get(file.input) ?? [];
          list.push({ ...object, rows: file.rows, bytes: file.bytes });
          objects.set(file.input, list);
        }),
      );
      for (const [input, { candidate, stats }] of inputs) {
        const written = (objects.get(input) ?? []).sort(byKey);
        outcomes.set(candidate.index, { status: 'ingested', key: candidate.key, ...stats, objects: written });
      }
      return outcomes;
    } finally {
      await writer.close();
      await rm(folder, { recursive: true, force: true });
    }
  }

  #quarantine(source: ObjectStore, key: string, error: UnreadableInputError, bytesRead = 0): Promise<QuarantinedFile> {
    return quarantineInput(source, key, error, { lake: this.#lake, now: this.#clock(), tempRoot: this.#tempRoot, bytesRead });
  }
}
