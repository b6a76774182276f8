import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { partitionLocation } from '../compaction/compact-lake.js';
import type { PartitionCompactor, StagedInput } from '../compaction/partition-compactor.js';
import type { PartitionResult } from '../compaction/partition-result.js';
import { partitionPath } from '../lake/lake-layout.js';
import type { Catalog } from '../ports/catalog.js';
import type { IngestionLedger } from '../ports/ingestion-ledger.js';
import type { ObjectInfo, ObjectStore } from '../ports/object-store.js';
import { LocalObjectStore } from '../store/local-object-store.js';
import type { FileOutcome } from './cloudtrail-file-outcome.js';
import type { CloudTrailIngester } from './cloudtrail-ingester.js';
import { parseCloudTrailKey } from './cloudtrail-key.js';
import { cloudTrailTable } from './cloudtrail-lake-layout.js';
import { ledgerSourceName } from './ledger-source.js';
import { retryAlone, type TemporaryCause, temporaryCause } from './isolated-ingestion.js';
import { type CloudTrailInputRef, isClosedDay, isRecorded, ledgerEntryOf } from './recorded-ingestion.js';

/** Points of the direct path besides the compactor's own; tests stop a run at each. */
export type DirectBackfillStep = 'staged' | 'ledger';

export interface FailedInput {
  readonly key: string;
  readonly message: string;
  /** Only causes retrying may cure leave an input failed (a bad file is quarantined instead). */
  readonly cause: TemporaryCause;
}

export interface ClosedUnitOptions {
  readonly source: ObjectStore;
  readonly lake: ObjectStore;
  readonly ledger: IngestionLedger;
  readonly catalog: Pick<Catalog, 'listPartitions'>;
  readonly compactor: PartitionCompactor;
  /** Makes an ingester that writes its Parquet objects into `output` (the unit's staging folder). */
  readonly ingester: (output: ObjectStore) => CloudTrailIngester;
  readonly cloudtrailLatenessMinutes: number;
  readonly force: boolean;
  readonly clock: () => Date;
  readonly tempDirectory: string;
  /** The unit's inputs are read in batches of this many compressed bytes (or `batchFiles` files). */
  readonly batchInputBytes: number;
  readonly batchFiles: number;
  /** After each batch: what it came to (outcomes, or the failure of the whole batch). */
  readonly onBatch: (inputs: readonly ObjectInfo[], done: { outcomes: FileOutcome[] } | { failure: unknown }) => void;
  readonly onStep?: (step: DirectBackfillStep) => void | Promise<void>;
  /** Partitions written (compacted, or left unchanged because a rerun found them done). */
  readonly onPartition?: (result: PartitionResult) => void;
}

export interface ClosedUnitResult {
  /** Inputs whose outcome is final (recorded in the ledger), by key. */
  readonly outcomes: readonly FileOutcome[];
  /** Inputs whose rows did not reach their partition's generation: no ledger entry, the next run does them again. */
  readonly failed: readonly FailedInput[];
}

/**
 * Splits a backfill's inputs: those delivered on closed days (compaction may hold their
 * partitions) in units per (account, region) of the key, in delivery order, of at most
 * `maxUnitBytes` compressed bytes cut at a delivery day's end; and the rest (open days, digests,
 * keys that are not CloudTrail's), which take the live path. A unit's partitions get one
 * generation each, so the files delivered after midnight land in their day's generation with it.
 */
export function closedDayUnits(
  inputs: readonly ObjectInfo[],
  now: Date,
  latenessMinutes: number,
  maxUnitBytes: number,
): { units: ObjectInfo[][]; live: ObjectInfo[] } {
  const streams = new Map<string, Array<{ info: ObjectInfo; day: string }>>();
  const live: ObjectInfo[] = [];
  for (const info of inputs) {
    const parsed = parseCloudTrailKey(info.key);
    const kind = parsed.ok ? parsed.key.kind : undefined;
    if (!parsed.ok || (kind !== 'events' && kind !== 'insight') || !isClosedDay(parsed.key.deliveryDate, now, latenessMinutes)) {
      live.push(info);
      continue;
    }
    const stream = `${parsed.key.account}\n${parsed.key.region}`;
    const list = streams.get(stream) ?? [];
    list.push({ info, day: parsed.key.deliveryDate });
    streams.set(stream, list);
  }
  const units: ObjectInfo[][] = [];
  for (const stream of [...streams.keys()].sort()) {
    const list = (streams.get(stream) ?? []).sort((a, b) =>
      a.day === b.day ? (a.info.key < b.info.key ? -1 : 1) : a.day < b.day ? -1 : 1,
    );
    let unit: ObjectInfo[] = [];
    let bytes = 0;
    let day = '';
    for (const { info, day: delivered } of list) {
      if (unit.length > 0 && delivered !== day && bytes >= maxUnitBytes) {
        units.push(unit);
        unit = [];
        bytes = 0;
      }
      unit.push(info);
      bytes += info.size;
      day = delivered;
    }
    if (unit.length > 0) units.push(unit);
  }
  return { units, live };
}

/** Names a source input in a generation's manifest; never a lake key, so clean-up never deletes by it. */
function sourceRef(source: string, input: ObjectInfo): StagedInput['ref'] {
  return { key: `source:${source}/${input.key}`, size: input.size, ...(input.etag ? { etag: input.etag } : {}) };
}

function liveId(input: string, table: string, values: Readonly<Record<string, string>>): string {
  return `${input}\n${table}\n${values.account}/${values.region}/${values.day}`;
}

interface StagedPartition {
  readonly kind: 'events' | 'insights';
  readonly values: Readonly<Record<string, string>>;
  readonly staged: StagedInput[];
  /** Inputs (by key) with rows in it. */
  readonly inputs: Set<string>;
}

/**
 * Ingests one unit of closed-day inputs straight into compacted generations (DESIGN.md §4):
 * every file is read and checked as on the live path (unknown members kept, a bad file
 * quarantined, a file DuckDB refuses retried alone and through the JS flattener), but its
 * Parquet goes to a local staging folder; then each closed partition it touched is compacted
 * with those files folded in (the previous generation and live objects too), the catalog
 * switched, and only then the inputs' outcomes recorded in the ledger. A run stopped anywhere
 * leaves the unit's inputs without entries: the rerun stages them again and finds the
 * generations it already wrote (same inputs, same generation) or already switched (the refs are
 * folded), so it ends with the same lake. A partition whose day is not closed gets live objects.
 */
export async function backfillClosedUnit(unit: readonly ObjectInfo[], options: ClosedUnitOptions): Promise<ClosedUnitResult> {
  const sourceName = ledgerSourceName(options.source);
  const entries = options.force
    ? new Map()
    : await options.ledger.getLedgerEntries(
        sourceName,
        unit.map((input) => input.key),
      );
  const done: FileOutcome[] = [];
  const todo: ObjectInfo[] = [];
  for (const input of unit) {
    const entry = entries.get(input.key);
    if (isRecorded(entry, input)) done.push({ status: 'recorded', key: input.key, entry });
    else todo.push(input);
  }
  if (done.length > 0) {
    const known = new Set(done.map((outcome) => outcome.key));
    options.onBatch(
      unit.filter((input) => known.has(input.key)),
      { outcomes: done },
    );
  }
  if (todo.length === 0) return { outcomes: done, failed: [] };
  const staging = await mkdtemp(join(options.tempDirectory, 'opslake-backfill-'));
  try {
    return await stageAndCompact(todo, staging, sourceName, options, done);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function stageAndCompact(
  todo: readonly ObjectInfo[],
  staging: string,
  sourceName: string,
  options: ClosedUnitOptions,
  recorded: FileOutcome[],
): Promise<ClosedUnitResult> {
  const ingester = options.ingester(new LocalObjectStore(staging));
  const outcomes = new Map<string, FileOutcome>();
  const failed = new Map<string, FailedInput>();
  for (let start = 0; start < todo.length; ) {
    const batch: ObjectInfo[] = [];
    let bytes = 0;
    for (let input = todo[start]; input !== undefined && batch.length < options.batchFiles; input = todo[start]) {
      if (batch.length > 0 && bytes + input.size > options.batchInputBytes) break;
      batch.push(input);
      bytes += input.size;
      start += 1;
    }
    try {
      const batchOutcomes = await ingester.ingest(
        options.source,
        batch.map((input) => input.key),
      );
      for (const outcome of batchOutcomes) outcomes.set(outcome.key, outcome);
      options.onBatch(batch, { outcomes: batchOutcomes });
    } catch (error) {
      // One input never fails another (isolated-ingestion.ts): each is tried alone; a quarantine
      // is recorded in the ledger with the unit's other outcomes, after the switch.
      const settled = await retryAlone(batch, error, options.source, options, {
        attempt: async (input) => (await ingester.ingest(options.source, [input.key]))[0],
      });
      const batchOutcomes: FileOutcome[] = [];
      for (const outcome of settled) {
        if (outcome.status === 'failed') failed.set(outcome.key, { key: outcome.key, message: outcome.message, cause: outcome.cause });
        else {
          outcomes.set(outcome.key, outcome);
          batchOutcomes.push(outcome);
        }
      }
      options.onBatch(batch, { outcomes: batchOutcomes });
    }
  }
  await options.onStep?.('staged');

  const now = options.clock();
  const partitions = new Map<string, StagedPartition>();
  const infoOf = new Map(todo.map((input) => [input.key, input]));
  const wentLive = new Set<string>();
  for (const outcome of outcomes.values()) {
    if (outcome.status !== 'ingested') continue;
    const input = infoOf.get(outcome.key);
    if (input === undefined) continue;
    for (const object of outcome.objects) {
      const path = join(staging, object.key);
      if (!isClosedDay(object.partition.day, now, options.cloudtrailLatenessMinutes)) {
        // A day not closed yet (an event stamped later than its file's day): the live path's object.
        await options.lake.putFile(object.key, path, { contentType: 'application/vnd.apache.parquet' });
        wentLive.add(liveId(outcome.key, object.table, object.partition));
        continue;
      }
      const kind = object.table === cloudTrailTable('insights').name ? 'insights' : 'events';
      const id = `${kind}/${partitionPath(cloudTrailTable(kind), object.partition)}`;
      const partition: StagedPartition = partitions.get(id) ?? { kind, values: object.partition, staged: [], inputs: new Set<string>() };
      partition.staged.push({ ref: sourceRef(sourceName, input), path });
      partition.inputs.add(outcome.key);
      partitions.set(id, partition);
    }
  }

  for (const id of [...partitions.keys()].sort()) {
    const partition = partitions.get(id);
    if (partition === undefined) continue;
    const table = cloudTrailTable(partition.kind);
    const location = await partitionLocation(options.catalog, table, partition.values);
    const result = await options.compactor.compact({ table, values: partition.values, location }, partition.staged);
    options.onPartition?.(result);
    if (result.status !== 'failed') continue;
    // Its rows are not in the lake: the inputs stay without an entry and the next run does them again.
    const message = `partition ${table.name} ${result.path} failed: ${result.error?.message ?? 'unknown error'}`;
    const cause = temporaryCause(result.error);
    for (const key of partition.inputs) failed.set(key, { key, message, cause });
  }

  const final = [...outcomes.values()].filter((outcome) => !failed.has(outcome.key));
  const recordedAt = options.clock().toISOString();
  await options.ledger.putLedgerEntries(
    final.flatMap((outcome) => {
      const input = infoOf.get(outcome.key);
      if (input === undefined) return [];
      const ref: CloudTrailInputRef = { key: input.key, size: input.size, ...(input.etag ? { etag: input.etag } : {}) };
      const entry = ledgerEntryOf(sourceName, ref, outcome, recordedAt);
      // Rows in a partition's generation leave the input no object of its own there.
      const partitions = entry.partitions.map((partition) => ({
        ...partition,
        objects: wentLive.has(liveId(input.key, partition.table, partition.values)) ? 1 : 0,
      }));
      return [{ ...entry, partitions }];
    }),
  );
  await options.onStep?.('ledger');
  return { outcomes: [...recorded, ...final], failed: [...failed.values()] };
}
