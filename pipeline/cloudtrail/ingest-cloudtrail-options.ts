import type { LeaseStore } from '../state/held-lease.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { PartitionResult } from '../compaction/partition-compactor.js';
import type { CompactionStep } from '../compaction/partition-compactor.js';
import type { CompactionSettings } from '../config/compaction-settings.js';
import type { Catalog } from '../ports/catalog.js';
import type { CompactionState } from '../ports/compaction-state.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { DirectBackfillStep } from './closed-day-backfill.js';
import type { RecordedIngestionOptions } from './recorded-ingestion.js';

export interface IngestProgress {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly events: number;
  /** Compressed bytes of the inputs done (ingested, skipped or quarantined). */
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly quarantined: number;
  readonly skipped: number;
  readonly failed: number;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  /** Estimated time left, from the byte rate so far; undefined until there is a rate. */
  readonly etaMs: number | undefined;
}

export interface IngestCloudTrailOptions {
  /** The CloudTrail bucket, or a folder read as the bucket (its relative paths are the keys). */
  readonly source: ObjectStore;
  /** Only keys that start with this; default the whole source. */
  readonly prefix?: string;
  /** The lake root: `cloudtrail/...` and `_quarantine/...` are written under it. */
  readonly lake: ObjectStore;
  /** The ledger that says which inputs are done, and where late partitions are marked dirty (the state store). */
  readonly state: RecordedIngestionOptions['ledger'] & RecordedIngestionOptions['dirty'];
  /** See CompactionSettings.cloudtrailLatenessMinutes. */
  readonly cloudtrailLatenessMinutes: number;
  /** Only files delivered at or after this time (from the key's delivery time). */
  readonly since?: Date;
  /** Only files delivered before this time. */
  readonly until?: Date;
  /** Files ingested at once; default 1 (each uses one DuckDB connection and one core). */
  readonly concurrency?: number;
  /** Ingest files again even when the ledger says they are done (the default resumes: it skips them). */
  readonly force?: boolean;
  readonly onProgress?: (progress: IngestProgress) => void;
  /** Wall clock for quarantine dates; default `new Date()`. */
  readonly clock?: () => Date;
  /** Monotonic milliseconds for rates and ETA; default `performance.now()`. */
  readonly monotonicMs?: () => number;
  readonly tempDirectory?: string;
  /**
   * DuckDB memory limit; default 256 MB per concurrent file (with the rest of the process, peak
   * RSS stays under 512 MB at concurrency 1).
   */
  readonly memoryLimit?: string;
  /** An open DuckDB connection to use (with concurrency 1); default: a private in-memory instance. */
  readonly connection?: DuckDBConnection;
  /** Files ingested together (one DuckDB COPY per table for the lot); default 64. */
  readonly batchFiles?: number;
  /**
   * Compressed bytes ingested together; default 1 MiB (a larger file is ingested alone). DuckDB
   * holds a batch's rows until its COPY ends, so this bounds its memory: a batch that outgrows
   * the memory limit makes DuckDB evict the rows it buffers, and DuckDB 1.5.5 can then crash in
   * its Parquet writer's final flush (SIGSEGV in the string dictionary; seen on a busy day with
   * 4 MiB batches, never with 1 MiB ones, at the same speed; docs/benchmarks.md).
   */
  readonly batchInputBytes?: number;
  /** See CloudTrailIngesterOptions.fastPath. */
  readonly fastPath?: boolean;
  /** Aborted (SIGINT, SIGTERM): no new batch or closed-day unit starts; those done are committed (objects, then ledger). */
  readonly signal?: AbortSignal;
  /**
   * Files delivered on closed days go straight into compacted generations, with no live objects
   * first (DESIGN.md §4); without it every file takes the live path.
   */
  readonly compacted?: DirectCompaction;
}

export interface DirectCompaction {
  /** What readers resolve partitions through: switched to each new generation. */
  readonly catalog: Pick<Catalog, 'listPartitions' | 'switchPartition'>;
  /** Holds the compaction lease too: closed days are written only while no compaction runs (one switches at a time). */
  readonly state: CompactionState & LeaseStore;
  readonly settings: CompactionSettings;
  /** Compressed bytes of one unit (one generation per partition it touches); default 1 GiB. */
  readonly unitBytes?: number;
  readonly onStep?: (step: CompactionStep | DirectBackfillStep) => void | Promise<void>;
  readonly onPartition?: (result: PartitionResult) => void;
}
