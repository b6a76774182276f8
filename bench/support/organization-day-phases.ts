/**
 * The measured phases of the organization-day benchmark, each run in a process of its own (see
 * organization-day.bench.ts): what live ingestion does with a day of small files, what
 * compaction does with what it wrote, and a baseline for each.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { SQSEvent } from 'aws-lambda';
import { createCloudTrailIngestHandler } from '../../jobs/cloudtrail-ingest/handler.js';
import { sqlLiteral, openDuckDb } from '../../pipeline/duckdb/duckdb-engine.js';
import { DuckDbCatalog } from '../../pipeline/catalog/duckdb-catalog.js';
import { DEFAULT_COMPACTION_SETTINGS } from '../../pipeline/config/compaction-settings.js';
import { runCompaction } from '../../pipeline/compaction/run-compaction.js';
import { partitionPath } from '../../pipeline/lake/lake-layout.js';
import type { Catalog, PartitionLocation, PartitionQuery, PartitionValues } from '../../pipeline/ports/catalog.js';
import type { OrganizationDaySummary } from '../../pipeline/simulators/cloudtrail/organization-day.js';
import { FileStateStore } from '../../pipeline/state/file-state-store.js';
import { LocalObjectStore } from '../../pipeline/store/local-object-store.js';
import type { LakeTable } from '../../pipeline/tables/lake-table.js';
import { lakeTable } from '../../pipeline/tables/registry.js';

/** Where one organization day's data lives under .bench/. */
export interface OrganizationFolders {
  readonly trailDir: string;
  readonly lakeDir: string;
  readonly stateDir: string;
  readonly catalogPath: string;
  readonly tempDir: string;
}

export function organizationFolders(dir: string): OrganizationFolders {
  return {
    trailDir: join(dir, 'trail'),
    lakeDir: join(dir, 'lake'),
    stateDir: join(dir, 'state'),
    catalogPath: join(dir, 'catalog.duckdb'),
    tempDir: join(dir, 'tmp'),
  };
}

/** What a phase did: the rates are worked out by the driver from these and the process's time. */
export interface PhaseOutput {
  readonly files: number;
  readonly events: number;
  readonly bytesIn: number;
  readonly objectsBefore: number;
  readonly objectsAfter: number;
  readonly bytesOut?: number;
  readonly duplicatesRemoved?: number;
  readonly partitions?: number;
  /** Time and CPU of the work itself, when the phase does more than it measures. */
  readonly measured?: { readonly seconds: number; readonly cpuSeconds: number };
}

/** SQS delivers up to 10 messages to one invocation (the event source's default batch size). */
const SQS_BATCH = 10;
const BUCKET = 'org-trail-bucket';

function notification(key: string, size: number): string {
  const encoded = encodeURIComponent(key).replaceAll('%2F', '/');
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: BUCKET }, object: { key: encoded, size } },
      },
    ],
  });
}

function sqsEvent(keys: ReadonlyArray<{ key: string; size: number }>, first: number): SQSEvent {
  return {
    Records: keys.map(({ key, size }, index) => ({
      messageId: `m-${first + index}`,
      receiptHandle: `r-${first + index}`,
      body: notification(key, size),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'AIDA',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:opslake-cloudtrail',
      awsRegion: 'us-east-1',
    })),
  };
}

/** When the file of `key` was delivered, from its name: the handler's clock runs a minute behind it. */
function deliveredAt(key: string): Date {
  const match = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_/.exec(key);
  if (!match) throw new RangeError(`not a CloudTrail log file name: ${key}`);
  const [, y, mo, d, h, mi] = match;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:00Z`);
}

async function parquetFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith('.parquet')).map((entry) => join(entry.parentPath, entry.name));
}

/** The live objects of `cloudtrail/events`, outside `_compacted/`. */
export async function liveEventObjects(lakeDir: string): Promise<string[]> {
  return (await parquetFiles(join(lakeDir, 'cloudtrail', 'events'))).filter((file) => !file.includes('/_compacted/'));
}

async function totalSize(files: readonly string[]): Promise<number> {
  let total = 0;
  for (const file of files) total += (await stat(file)).size;
  return total;
}

/** Baseline of ingestion: what any ingestion must do with each file (read, inflate, parse), nothing written. */
export async function readEveryFile(day: OrganizationDaySummary, folders: OrganizationFolders): Promise<PhaseOutput> {
  const source = new LocalObjectStore(folders.trailDir);
  let events = 0;
  let bytesIn = 0;
  for (const file of day.files) {
    const bytes = await source.getBytes(file.key);
    bytesIn += bytes.length;
    events += (JSON.parse(gunzipSync(bytes).toString('utf8')) as { Records: unknown[] }).Records.length;
  }
  return { files: day.files.length, events, bytesIn, objectsBefore: 0, objectsAfter: 0 };
}

/**
 * Live ingestion: the cloudtrail-ingest Lambda's handler, given the SQS messages S3 sends, one
 * file each, ten to an invocation, in delivery order, into an empty lake and state store. The
 * handler's clock is the delivery time (plus a minute), so no partition of the day is closed.
 */
export async function ingestLive(day: OrganizationDaySummary, folders: OrganizationFolders): Promise<PhaseOutput> {
  for (const dir of [folders.lakeDir, folders.stateDir, folders.catalogPath, folders.tempDir])
    await rm(dir, { recursive: true, force: true });
  await mkdir(folders.tempDir, { recursive: true });
  const { instance, connection } = await openDuckDb({ memoryLimit: '256MB', tempDirectory: folders.tempDir });
  let now = new Date(`${day.day}T00:00:00Z`);
  let events = 0;
  let bytesIn = 0;
  const discard = () => undefined;
  try {
    const handler = createCloudTrailIngestHandler({
      lake: new LocalObjectStore(folders.lakeDir),
      sourceFor: () => new LocalObjectStore(folders.trailDir),
      connection: async () => connection,
      state: new FileStateStore(folders.stateDir),
      cloudtrailLatenessMinutes: DEFAULT_COMPACTION_SETTINGS.cloudtrailLatenessMinutes,
      logger: { info: discard, warn: discard, error: discard },
      metrics: {
        addMetric: (name: string, _unit: unknown, value: number) => {
          if (name === 'EventsIngested') events += value;
        },
        publishStoredMetrics: discard,
      } as never,
      clock: () => now,
      tempDirectory: folders.tempDir,
    });
    const ordered = [...day.files].sort((a, b) => deliveredAt(a.key).getTime() - deliveredAt(b.key).getTime());
    for (let first = 0; first < ordered.length; first += SQS_BATCH) {
      const batch = ordered.slice(first, first + SQS_BATCH);
      const last = batch.at(-1);
      if (last !== undefined) now = new Date(deliveredAt(last.key).getTime() + 60_000);
      const response = await handler(sqsEvent(batch, first));
      if (response.batchItemFailures.length > 0) throw new Error(`messages failed: ${JSON.stringify(response.batchItemFailures)}`);
      for (const file of batch) bytesIn += file.size;
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  const objects = (await parquetFiles(folders.lakeDir)).length;
  return { files: day.files.length, events, bytesIn, objectsBefore: 0, objectsAfter: objects };
}

/**
 * Baseline of compaction: DuckDB with compaction's settings (one thread, 1 GB) reading every live
 * object of the day's events and writing them into one Parquet file: no check, no
 * de-duplication, no sort, no partitions.
 */
export async function copyEveryObject(_day: OrganizationDaySummary, folders: OrganizationFolders): Promise<PhaseOutput> {
  const inputs = await liveEventObjects(folders.lakeDir);
  const out = join(folders.tempDir, 'baseline-copy.parquet');
  const limit = `${DEFAULT_COMPACTION_SETTINGS.memoryLimitMb}MB`;
  const { instance, connection } = await openDuckDb({ memoryLimit: limit, tempDirectory: folders.tempDir });
  try {
    const list = `[${inputs.map(sqlLiteral).join(', ')}]`;
    await connection.run(
      `COPY (SELECT * FROM read_parquet(${list}, union_by_name = true, hive_partitioning = false)) ` +
        `TO ${sqlLiteral(out)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    const counted = await connection.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${sqlLiteral(out)})`);
    const events = Number(counted.getRowObjectsJson()[0]?.n ?? 0);
    return { files: inputs.length, events, bytesIn: await totalSize(inputs), objectsBefore: inputs.length, objectsAfter: 1 };
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(out, { force: true });
  }
}

/**
 * The catalog compaction switches, at the cost Glue has: partitions are listed through the local
 * catalog, and each switch is recorded (Glue: one UpdatePartition). The local DuckDB catalog
 * rebuilds its view on every switch, reading the schema of every file of the table, which on a
 * day of 10,000 small objects costs seconds per partition and would be what this measures; the
 * switches are written to it once the run is over, outside the measurement.
 */
class RecordedSwitches implements Pick<Catalog, 'listPartitions' | 'switchPartition'> {
  readonly switches: Array<{ table: LakeTable; path: string; location: string }> = [];
  readonly #catalog: DuckDbCatalog;

  constructor(catalog: DuckDbCatalog) {
    this.#catalog = catalog;
  }

  listPartitions(table: LakeTable, query: PartitionQuery): AsyncIterable<readonly PartitionLocation[]> {
    return this.#catalog.listPartitions(table, query);
  }

  async switchPartition(table: LakeTable, values: PartitionValues, location: string): Promise<void> {
    this.switches.push({ table, path: partitionPath(table, values), location });
  }

  /** Into the catalog's own table of locations (DESIGN.md §5), in one transaction. */
  async persist(connection: DuckDBConnection): Promise<void> {
    await connection.run('BEGIN TRANSACTION');
    for (const { table, path, location } of this.switches) {
      await connection.run(`INSERT OR REPLACE INTO opslake_partitions VALUES (${[table.name, path, location].map(sqlLiteral).join(', ')})`);
    }
    await connection.run('COMMIT');
  }
}

/**
 * Compaction: `runCompaction` (what `opslake compact` runs) over the lake as ingestion left it
 * (earlier generations, compaction state and catalog are removed first), two days after the
 * delivery day, so that its day and the day before (the first files' early events) are closed.
 * Superseded objects stay (the grace period has not passed), which is what lets the queries
 * benchmark read the lake before compaction from its live folders. Time and CPU are those of the
 * run itself (see RecordedSwitches).
 */
export async function compactDay(day: OrganizationDaySummary, folders: OrganizationFolders): Promise<PhaseOutput> {
  await rm(folders.catalogPath, { force: true });
  await rm(join(folders.stateDir, 'items'), { recursive: true, force: true });
  await rm(join(folders.stateDir, 'state.json'), { force: true });
  for (const table of ['events', 'insights'])
    await rm(join(folders.lakeDir, 'cloudtrail', table, '_compacted'), { recursive: true, force: true });
  const inputs = await liveEventObjects(folders.lakeDir);
  const { instance, connection } = await openDuckDb({ path: folders.catalogPath });
  try {
    const catalog = new RecordedSwitches(new DuckDbCatalog({ connection, lakeDir: folders.lakeDir }));
    const started = performance.now();
    const cpu = process.cpuUsage();
    const summary = await runCompaction({
      lake: new LocalObjectStore(folders.lakeDir),
      catalog,
      state: new FileStateStore(folders.stateDir),
      tables: [lakeTable('cloudtrail_events'), lakeTable('cloudtrail_insights')],
      settings: DEFAULT_COMPACTION_SETTINGS,
      clock: () => new Date(Date.parse(`${day.day}T00:00:00Z`) + 2 * 86_400_000),
      tempDirectory: folders.tempDir,
    });
    const used = process.cpuUsage(cpu);
    const measured = { seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
    if (summary.failed.length > 0) throw new Error(`compaction failed: ${summary.format()}`);
    await catalog.persist(connection);
    return {
      files: inputs.length,
      events: summary.total('rowsIn'),
      bytesIn: summary.total('bytesIn'),
      bytesOut: summary.total('bytesOut'),
      objectsBefore: summary.total('inputs'),
      objectsAfter: summary.total('outputs'),
      duplicatesRemoved: summary.total('duplicatesRemoved'),
      partitions: summary.count('compacted'),
      measured,
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export const PHASES = {
  'read-files': readEveryFile,
  ingest: ingestLive,
  'copy-objects': copyEveryObject,
  compact: compactDay,
} as const;

export type PhaseName = keyof typeof PHASES;
