import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { OpslakeError } from '../errors.js';
import { openDuckDb, writerMemoryLimit } from '../duckdb/duckdb-engine.js';
import type { ObjectInfo, ObjectStore } from '../ports/object-store.js';
import { CloudTrailIngester } from './cloudtrail-ingester.js';
import { CloudTrailIngestSummary } from './cloudtrail-ingest-summary.js';
import { parseCloudTrailKey } from './cloudtrail-key.js';
import { ingestIsolated, type IsolatedIngestionOptions } from './isolated-ingestion.js';
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
  /** Aborted (SIGINT, SIGTERM): no new batch starts; the batches done are committed (objects, then ledger). */
  readonly signal?: AbortSignal;
}

/** Stop the run after this many batches failed in a row: the source or the lake is then likely down. */
const MAX_CONSECUTIVE_FAILURES = 5;

function deliveredAt(key: string): number | undefined {
  const parsed = parseCloudTrailKey(key);
  if (!parsed.ok) return undefined;
  return parsed.key.deliveredAt?.getTime() ?? Date.parse(`${parsed.key.deliveryDate}T00:00:00Z`);
}

/**
 * Ingests every CloudTrail file under a prefix of a bucket (or folder) into the lake: the
 * backfill behind `opslake cloudtrail ingest` and the demo. Resumable: inputs the ledger holds
 * with the same size and ETag are skipped unless `force`; an input stopped after some of its
 * objects were written has no entry, so it is done again whole. Digest files are skipped and counted; unreadable inputs are
 * quarantined and the run goes on; a file that fails for another reason (the source or the
 * lake) is reported in the summary and can be retried by running again.
 */
export async function ingestCloudTrail(options: IngestCloudTrailOptions): Promise<CloudTrailIngestSummary> {
  const now = options.monotonicMs ?? (() => performance.now());
  const started = now();
  const summary = new CloudTrailIngestSummary();

  const since = options.since?.getTime();
  const until = options.until?.getTime();
  const inputs: ObjectInfo[] = [];
  for await (const info of options.source.list(options.prefix ?? '')) {
    const at = deliveredAt(info.key);
    // A key that is not CloudTrail's has no delivery time: it is kept (and quarantined) only in an unbounded run.
    if (
      at === undefined
        ? since !== undefined || until !== undefined
        : (since !== undefined && at < since) || (until !== undefined && at >= until)
    )
      continue;
    inputs.push(info);
  }
  summary.filesListed = inputs.length;
  const bytesTotal = inputs.reduce((sum, info) => sum + info.size, 0);

  let instance: DuckDBInstance | undefined;
  const connections: DuckDBConnection[] = [];
  const concurrency = options.connection ? 1 : Math.max(1, Math.min(options.concurrency ?? 1, inputs.length || 1));
  if (options.connection) {
    connections.push(options.connection);
  } else {
    const opened = await openDuckDb({
      threads: 1,
      // Each connection's COPY needs its own share (a partitioned write holds row groups in memory).
      memoryLimit: options.memoryLimit ?? writerMemoryLimit('partitioned', concurrency),
      ...(options.tempDirectory ? { tempDirectory: options.tempDirectory } : {}),
    });
    instance = opened.instance;
    connections.push(opened.connection);
    for (let i = 1; i < concurrency; i += 1) connections.push(await instance.connect());
  }

  let next = 0;
  let filesDone = 0;
  let bytesDone = 0;
  let skipped = 0;
  let consecutiveFailures = 0;
  let stopped: unknown;
  let lastFailure: unknown;

  const report = () => {
    if (!options.onProgress) return;
    const elapsedMs = now() - started;
    const byteRate = bytesDone / Math.max(elapsedMs, 1);
    options.onProgress({
      filesDone,
      filesTotal: inputs.length,
      events: summary.events + summary.insights,
      bytesDone,
      bytesTotal,
      quarantined: summary.quarantined.length,
      skipped,
      failed: summary.failed.length,
      elapsedMs,
      eventsPerSecond: elapsedMs > 0 ? ((summary.events + summary.insights) * 1000) / elapsedMs : 0,
      etaMs: bytesDone > 0 && elapsedMs > 0 ? (bytesTotal - bytesDone) / byteRate : undefined,
    });
  };

  const batchFiles = Math.max(1, options.batchFiles ?? 64);
  const batchInputBytes = options.batchInputBytes ?? 1 << 20;

  /** The next inputs to ingest together (the ledger then leaves out those already done). */
  const takeBatch = (): ObjectInfo[] => {
    const batch: ObjectInfo[] = [];
    let bytes = 0;
    if (options.signal?.aborted) summary.interrupted = true;
    for (
      let input = inputs[next];
      input !== undefined && batch.length < batchFiles && stopped === undefined && !summary.interrupted;
      input = inputs[next]
    ) {
      if (batch.length > 0 && bytes + input.size > batchInputBytes) break;
      next += 1;
      batch.push(input);
      bytes += input.size;
    }
    return batch;
  };
  const recorded: IsolatedIngestionOptions = {
    lake: options.lake,
    tempDirectory: options.tempDirectory ?? tmpdir(),
    ledger: options.state,
    dirty: options.state,
    cloudtrailLatenessMinutes: options.cloudtrailLatenessMinutes,
    force: options.force === true,
    ...(options.clock ? { clock: options.clock } : {}),
  };

  const worker = async (connection: DuckDBConnection) => {
    const ingester = new CloudTrailIngester({
      connection,
      lake: options.lake,
      ...(options.tempDirectory ? { tempDirectory: options.tempDirectory } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.fastPath === undefined ? {} : { fastPath: options.fastPath }),
    });
    for (let batch = takeBatch(); batch.length > 0; batch = takeBatch()) {
      const refs = batch.map((input) => ({ key: input.key, size: input.size, ...(input.etag ? { etag: input.etag } : {}) }));
      // One input never fails another: a failed batch is retried input by input (isolated-ingestion.ts).
      const outcomes = await ingestIsolated(ingester, options.source, refs, recorded);
      let failed = 0;
      for (const outcome of outcomes) {
        if (outcome.status === 'failed') {
          failed += 1;
          lastFailure = outcome.error;
          summary.addFailure(outcome);
          continue;
        }
        summary.add(outcome);
        if (outcome.status === 'skipped' || outcome.status === 'recorded') skipped += 1;
      }
      consecutiveFailures = failed > 0 && failed === outcomes.length ? consecutiveFailures + 1 : 0;
      if (consecutiveFailures >= MAX_CONSECUTIVE_FAILURES) stopped = lastFailure;
      filesDone += batch.length;
      bytesDone += batch.reduce((sum, input) => sum + input.size, 0);
      report();
    }
  };

  try {
    report();
    await Promise.all(connections.map((connection) => worker(connection)));
  } finally {
    if (instance) {
      for (const connection of connections) connection.closeSync();
      instance.closeSync();
    }
  }
  summary.elapsedMs = now() - started;
  summary.filesNotStarted = inputs.length - next;
  if (stopped !== undefined) {
    throw new OpslakeError(
      `stopped after ${MAX_CONSECUTIVE_FAILURES} batches of files failed in a row ` +
        `(last: ${(stopped as Error)?.message ?? String(stopped)}); ` +
        'check access to the source and the lake, then run again to resume',
      { cause: stopped, retryable: true },
    );
  }
  return summary;
}
