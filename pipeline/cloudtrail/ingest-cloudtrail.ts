import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { DirectCompaction, IngestCloudTrailOptions } from './ingest-cloudtrail-options.js';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { OpslakeError } from '../errors.js';
import { BackfillLease } from './backfill-lease.js';
import { openDuckDb, writerMemoryLimit } from '../duckdb/duckdb-engine.js';
import type { ObjectInfo, ObjectStore } from '../ports/object-store.js';
import { recyclingGenerationWriter } from '../compaction/run-compaction.js';
import type { RecyclingGenerationWriter } from '../compaction/recycling-generation-writer.js';
import { PartitionCompactor } from '../compaction/partition-compactor.js';
import { CloudTrailIngester } from './cloudtrail-ingester.js';
import { CloudTrailIngestSummary } from './cloudtrail-ingest-summary.js';
import { parseCloudTrailKey } from './cloudtrail-key.js';
import { backfillClosedUnit, closedDayUnits } from './closed-day-backfill.js';
import { ingestIsolated, type IsolatedIngestionOptions } from './isolated-ingestion.js';

export type { DirectCompaction, IngestCloudTrailOptions, IngestProgress } from './ingest-cloudtrail-options.js';

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
  const clock = options.clock ?? (() => new Date());
  const direct = options.compacted;
  const { units, live } = direct
    ? closedDayUnits(inputs, clock(), options.cloudtrailLatenessMinutes, direct.unitBytes ?? 1 << 30)
    : { units: [], live: inputs };

  let instance: DuckDBInstance | undefined;
  const connections: DuckDBConnection[] = [];
  const concurrency = options.connection ? 1 : Math.max(1, Math.min(options.concurrency ?? 1, live.length || 1));
  // Closed days' generations are written on DuckDB instances of their own, at compaction's limit.
  const memoryLimit = options.memoryLimit ?? writerMemoryLimit('partitioned', concurrency);
  if (options.connection) {
    connections.push(options.connection);
  } else {
    const opened = await openDuckDb({
      threads: 1,
      // Each connection's COPY needs its own share (a partitioned write holds row groups in memory).
      memoryLimit,
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
  /** Files of closed-day units begun (the live inputs begun are `next`). */
  let closedStarted = 0;
  /** Held while closed days are written into generations (see BackfillLease). */
  let lease: BackfillLease | undefined;

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
      let input = live[next];
      input !== undefined && batch.length < batchFiles && stopped === undefined && !summary.interrupted;
      input = live[next]
    ) {
      if (batch.length > 0 && bytes + input.size > batchInputBytes) break;
      next += 1;
      batch.push(input);
      bytes += input.size;
    }
    return batch;
  };
  const tempDirectory = options.tempDirectory ?? tmpdir();
  const recorded: IsolatedIngestionOptions = {
    lake: options.lake,
    tempDirectory,
    ledger: options.state,
    dirty: options.state,
    cloudtrailLatenessMinutes: options.cloudtrailLatenessMinutes,
    force: options.force === true,
    ...(options.clock ? { clock: options.clock } : {}),
  };

  const ingesterOn = (connection: DuckDBConnection, output?: ObjectStore) =>
    new CloudTrailIngester({
      connection,
      lake: options.lake,
      ...(output ? { output } : {}),
      ...(options.tempDirectory ? { tempDirectory: options.tempDirectory } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.fastPath === undefined ? {} : { fastPath: options.fastPath }),
    });
  const worker = async (connection: DuckDBConnection) => {
    const ingester = ingesterOn(connection);
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

  const closedUnits = async (connection: DuckDBConnection, compacted: DirectCompaction, writer: RecyclingGenerationWriter) => {
    const compactor = new PartitionCompactor({
      lake: options.lake,
      catalog: compacted.catalog,
      state: compacted.state,
      writer,
      graceMs: compacted.settings.graceMinutes * 60_000,
      clock,
      tempDirectory,
      ...(compacted.onStep ? { onStep: compacted.onStep } : {}),
    });
    for (const [at, unit] of units.entries()) {
      if (stopped !== undefined) break;
      if (!(await lease?.keep())) {
        // The lease was lost (taken over): what is left goes to the live folders, compacted later.
        for (const rest of units.slice(at)) live.push(...rest);
        break;
      }
      if (options.signal?.aborted) {
        summary.interrupted = true;
        break;
      }
      closedStarted += unit.length;
      const result = await backfillClosedUnit(unit, {
        source: options.source,
        lake: options.lake,
        ledger: options.state,
        catalog: compacted.catalog,
        compactor,
        ingester: (output) => ingesterOn(connection, output),
        cloudtrailLatenessMinutes: options.cloudtrailLatenessMinutes,
        force: options.force === true,
        clock,
        tempDirectory,
        batchInputBytes,
        batchFiles,
        onBatch: (batch) => {
          filesDone += batch.length;
          bytesDone += batch.reduce((sum, input) => sum + input.size, 0);
          report();
        },
        ...(compacted.onStep ? { onStep: compacted.onStep } : {}),
        onPartition: (partition) => {
          summary.addGeneration(partition);
          compacted.onPartition?.(partition);
        },
      });
      for (const outcome of result.outcomes) {
        summary.add(outcome, true);
        if (outcome.status === 'skipped' || outcome.status === 'recorded') skipped += 1;
      }
      for (const failure of result.failed) summary.addFailure(failure);
      consecutiveFailures = result.failed.length === unit.length ? consecutiveFailures + 1 : 0;
      if (consecutiveFailures >= MAX_CONSECUTIVE_FAILURES) stopped = new OpslakeError(result.failed[0]?.message ?? 'failed');
    }
  };

  try {
    report();
    const first = connections[0];
    // One unit at a time: two could touch the same partition (an event's account is not always its file's).
    if (direct && first !== undefined && units.length > 0) {
      lease = await BackfillLease.take(direct.state, clock);
      if (lease.heldBy !== undefined) {
        // Two runs switching the same partition could leave readers on a generation without the
        // other's rows: while a compaction runs, closed days take the live path (compacted later).
        summary.compactionLeaseHeldBy = lease.heldBy;
        for (const unit of units) live.push(...unit);
      } else {
        const writer = recyclingGenerationWriter(direct.settings, tempDirectory);
        try {
          await closedUnits(first, direct, writer);
        } finally {
          writer.close();
        }
      }
    }
    await Promise.all(connections.map((connection) => worker(connection)));
  } finally {
    await lease?.release();
    if (instance) {
      for (const connection of connections) connection.closeSync();
      instance.closeSync();
    }
  }
  summary.elapsedMs = now() - started;
  summary.filesNotStarted = inputs.length - closedStarted - next;
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
