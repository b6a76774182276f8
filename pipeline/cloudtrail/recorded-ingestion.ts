import { type PartitionValuesOf, partitionPrefix, tablePrefix } from '../lake/lake-layout.js';
import type { PartitionRef } from '../ports/compaction-state.js';
import type { IngestionLedger, LedgerEntry, LedgerPartition } from '../ports/ingestion-ledger.js';
import type { ObjectStore } from '../ports/object-store.js';
import { lakeTable } from '../tables/registry.js';
import type { FileOutcome } from './cloudtrail-file-outcome.js';
import type { CloudTrailIngester } from './cloudtrail-ingester.js';
import { ledgerDay, parseCloudTrailKey } from './cloudtrail-key.js';
import { ledgerSourceName } from './ledger-source.js';

/** An input to ingest, with what its listing or notification says about it (when it says anything). */
export interface CloudTrailInputRef {
  readonly key: string;
  readonly size?: number;
  readonly etag?: string;
}

export interface RecordedIngestionOptions {
  readonly ledger: IngestionLedger;
  /** Where partitions that may already be compacted are marked dirty, so compaction folds a late file in. */
  readonly dirty: { markPartitionsDirty(partitions: readonly PartitionRef[], at: Date): Promise<void> };
  /** A CloudTrail partition is closed (and may be compacted) this long after the end of its day. */
  readonly cloudtrailLatenessMinutes: number;
  /** Ingest inputs again even when the ledger says they were done. */
  readonly force?: boolean;
  readonly clock?: () => Date;
}

const DAY_MS = 86_400_000;

/** Whether `entry` says `input` is done: a final status, and the same size and ETag where both are known. */
export function isRecorded(entry: LedgerEntry | undefined, input: CloudTrailInputRef): entry is LedgerEntry {
  if (entry === undefined) return false;
  if (input.size !== undefined && entry.size !== input.size) return false;
  return input.etag === undefined || entry.etag === undefined || entry.etag === input.etag;
}

/** Whether a partition of `day` is closed at `now`: compaction may have folded it. */
export function isClosedDay(day: string, now: Date, latenessMinutes: number): boolean {
  const start = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(start) && now.getTime() >= start + DAY_MS + latenessMinutes * 60_000;
}

/**
 * Ingests inputs the way every entry point must (DESIGN.md §4): inputs the ledger holds with the
 * same size and ETag are not read again (unless `force`); the others are ingested, the closed
 * partitions their objects landed in are marked dirty (compaction folds a late file in), and
 * only then is each input's outcome recorded in the ledger. A crash anywhere before the ledger
 * write leaves no entry, so the input is done again, which rewrites the same objects.
 */
export async function ingestRecorded(
  ingester: CloudTrailIngester,
  source: ObjectStore,
  inputs: readonly CloudTrailInputRef[],
  options: RecordedIngestionOptions,
): Promise<FileOutcome[]> {
  const clock = options.clock ?? (() => new Date());
  const sourceName = ledgerSourceName(source);
  const known = await withSizes(source, inputs);
  const entries = options.force
    ? new Map<string, LedgerEntry>()
    : await options.ledger.getLedgerEntries(
        sourceName,
        known.map((i) => i.key),
      );
  const outcomes = new Array<FileOutcome>(known.length);
  const todo: number[] = [];
  for (const [index, input] of known.entries()) {
    const entry = entries.get(input.key);
    if (isRecorded(entry, input)) outcomes[index] = { status: 'recorded', key: input.key, entry };
    else todo.push(index);
  }
  if (todo.length === 0) return outcomes;
  const done = await ingester.ingest(
    source,
    todo.map((index) => known[index]?.key ?? ''),
  );
  for (const [position, index] of todo.entries()) {
    const outcome = done[position];
    if (outcome !== undefined) outcomes[index] = outcome;
  }
  const now = clock();
  await options.dirty.markPartitionsDirty(closedPartitions(done, now, options.cloudtrailLatenessMinutes), now);
  const recordedAt = clock().toISOString();
  await options.ledger.putLedgerEntries(
    todo.flatMap((index) => {
      const outcome = outcomes[index];
      const input = known[index];
      return outcome === undefined || input === undefined ? [] : [ledgerEntryOf(sourceName, input, outcome, recordedAt)];
    }),
  );
  return outcomes;
}

/** Sizes (and ETags) from the store for inputs whose caller did not know them. */
async function withSizes(source: ObjectStore, inputs: readonly CloudTrailInputRef[]): Promise<CloudTrailInputRef[]> {
  const known: CloudTrailInputRef[] = [];
  for (const input of inputs) {
    if (input.size !== undefined || input.key.endsWith('/')) {
      known.push(input);
      continue;
    }
    const info = await source.head(input.key);
    known.push({ ...input, ...(info ? { size: info.size } : {}), ...(info?.etag ? { etag: input.etag ?? info.etag } : {}) });
  }
  return known;
}

function closedPartitions(outcomes: readonly FileOutcome[], now: Date, latenessMinutes: number): PartitionRef[] {
  const partitions = new Map<string, PartitionRef>();
  for (const outcome of outcomes) {
    if (outcome.status !== 'ingested') continue;
    for (const object of outcome.objects) {
      if (!isClosedDay(object.partition.day, now, latenessMinutes)) continue;
      const table = lakeTable(object.table);
      const values: PartitionValuesOf = object.partition;
      const path = partitionPrefix(table, values).slice(tablePrefix(table).length);
      partitions.set(`${object.table}/${path}`, { table: object.table, path, values });
    }
  }
  return [...partitions.values()];
}

/** What the ledger keeps of an outcome. */
export function ledgerEntryOf(source: string, input: CloudTrailInputRef, outcome: FileOutcome, recordedAt: string): LedgerEntry {
  const parsed = parseCloudTrailKey(input.key);
  const base = {
    source,
    key: input.key,
    day: ledgerDay(input.key),
    ...(parsed.ok ? { account: parsed.key.account, region: parsed.key.region } : {}),
    ...(input.etag === undefined ? {} : { etag: input.etag }),
    recordedAt,
  };
  switch (outcome.status) {
    case 'ingested':
      return {
        ...base,
        size: input.size ?? outcome.bytesRead,
        ...(outcome.sha256 === undefined ? {} : { sha256: outcome.sha256 }),
        status: 'ingested',
        events: outcome.events,
        insights: outcome.insights,
        partitions: outcome.objects.map(
          (object): LedgerPartition => ({ table: object.table, values: object.partition, rows: object.rows, objects: 1 }),
        ),
      };
    case 'quarantined':
      return {
        ...base,
        size: input.size ?? outcome.bytesRead,
        status: 'quarantined',
        reason: outcome.reason,
        message: outcome.message,
        events: 0,
        insights: 0,
        partitions: [],
      };
    case 'skipped':
      return {
        ...base,
        size: input.size ?? 0,
        status: outcome.reason === 'digest' ? 'digest' : 'skipped',
        ...(outcome.reason === 'digest' ? {} : { reason: outcome.reason }),
        events: 0,
        insights: 0,
        partitions: [],
      };
    case 'recorded':
      return outcome.entry;
  }
}
