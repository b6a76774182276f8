import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbCatalog } from '../../../pipeline/catalog/duckdb-catalog.js';
import type { DirectBackfillStep } from '../../../pipeline/cloudtrail/closed-day-backfill.js';
import { ingestCloudTrail } from '../../../pipeline/cloudtrail/ingest-cloudtrail.js';
import type { CloudTrailIngestSummary } from '../../../pipeline/cloudtrail/cloudtrail-ingest-summary.js';
import { compactLake } from '../../../pipeline/compaction/compact-lake.js';
import type { CompactionSummary } from '../../../pipeline/compaction/compaction-summary.js';
import { GenerationWriter } from '../../../pipeline/compaction/generation-writer.js';
import { type CompactionStep, PartitionCompactor } from '../../../pipeline/compaction/partition-compactor.js';
import { DEFAULT_COMPACTION_SETTINGS } from '../../../pipeline/config/compaction-settings.js';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import { ParquetWriter } from '../../../pipeline/lake/parquet-writer.js';
import type { Catalog } from '../../../pipeline/ports/catalog.js';
import type { ObjectStore } from '../../../pipeline/ports/object-store.js';
import { FileStateStore } from '../../../pipeline/state/file-state-store.js';
import { LocalObjectStore } from '../../../pipeline/store/local-object-store.js';
import { CLOUDTRAIL_TABLES } from '../../../pipeline/tables/cloudtrail-tables.js';
import type { LakeTable } from '../../../pipeline/tables/lake-table.js';
import { MemoryObjectStore } from '../../fakes/memory-object-store.js';
import { gzipJson, logKey } from '../cloudtrail/cloudtrail-test-support.js';

/** Days 2024-03-04 and 05 are closed at this time (lateness 120 min); 2024-03-10 is open. */
export const NOW = new Date('2024-03-10T12:00:00Z');
export const MIB = 1 << 20;

/** A CloudTrail event of the fixture: its id and time decide everything compaction looks at. */
export function event(id: string, time: string, account = '111122223333', region = 'us-east-1'): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    eventID: id,
    eventTime: time,
    eventName: 'GetObject',
    eventSource: 's3.amazonaws.com',
    awsRegion: region,
    recipientAccountId: account,
    requestParameters: { bucketName: `bucket-${id}` },
  };
}

/** Thrown by a step hook: a crash in the middle of a compaction. */
export class Crash extends Error {
  constructor(step: CompactionStep | DirectBackfillStep) {
    super(`crashed after ${step}`);
    this.name = 'Crash';
  }
}

export interface RunOptions {
  readonly graceMs?: number;
  readonly crashAfter?: CompactionStep;
  /** Called at every step (after a crash check): what a reader sees there. */
  readonly atStep?: (step: CompactionStep) => Promise<void>;
  readonly since?: string;
  readonly until?: string;
  readonly dryRun?: boolean;
  readonly clock?: () => Date;
  readonly targetFileBytes?: number;
  readonly memoryLimitBytes?: number;
  readonly lake?: ObjectStore;
  readonly catalog?: Catalog;
}

/**
 * A local lake, state and DuckDB catalog in a temp folder, with CloudTrail files ingested the way
 * the backfill does, and compaction run over it: what the compaction tests share.
 */
export class CompactionWorld {
  readonly root: string;
  readonly lakeDir: string;
  readonly lake: LocalObjectStore;
  readonly state: FileStateStore;
  readonly trail = new MemoryObjectStore();
  readonly catalog: DuckDbCatalog;
  readonly catalogConnection: DuckDBConnection;
  readonly #instances: DuckDBInstance[];
  readonly #catalogInstance: DuckDBInstance;
  readonly #writer: DuckDBConnection;

  private constructor(
    root: string,
    catalog: { instance: DuckDBInstance; connection: DuckDBConnection },
    writer: DuckDBInstance,
    writerConnection: DuckDBConnection,
  ) {
    this.root = root;
    this.lakeDir = join(root, 'lake');
    this.lake = new LocalObjectStore(this.lakeDir);
    this.state = new FileStateStore(join(root, 'state'));
    this.catalogConnection = catalog.connection;
    this.catalog = new DuckDbCatalog({ connection: catalog.connection, lakeDir: this.lakeDir });
    this.#instances = [catalog.instance, writer];
    this.#catalogInstance = catalog.instance;
    this.#writer = writerConnection;
  }

  static async create(root?: string): Promise<CompactionWorld> {
    const folder = root ?? (await mkdtemp(join(tmpdir(), 'opslake-compaction-')));
    await mkdir(join(folder, 'tmp'), { recursive: true });
    const catalog = await openDuckDb({ path: join(folder, 'catalog.duckdb'), threads: 1 });
    const writer = await openDuckDb({ threads: 1, memoryLimit: '256MB', tempDirectory: join(folder, 'tmp') });
    return new CompactionWorld(folder, catalog, writer.instance, writer.connection);
  }

  /** A copy of this world's lake, state and catalog in a new folder (close this one first: DuckDB locks its file). */
  async copyTo(folder: string): Promise<CompactionWorld> {
    await cp(this.root, folder, { recursive: true });
    return CompactionWorld.create(folder);
  }

  /** Puts CloudTrail files in the trail and ingests them (a backfill at `NOW`). */
  async ingest(
    files: ReadonlyArray<{ name: string; day: string; records: readonly Record<string, unknown>[]; account?: string }>,
    clock = () => NOW,
    /** Every input again, as after a lost ledger: the same live objects are written once more. */
    force = false,
  ): Promise<CloudTrailIngestSummary> {
    for (const file of files) {
      const key = logKey(file.name, { day: file.day, ...(file.account ? { account: file.account } : {}) });
      this.trail.objects.set(key, gzipJson({ Records: file.records }));
    }
    const summary = await ingestCloudTrail({
      source: this.trail,
      lake: this.lake,
      state: this.state,
      cloudtrailLatenessMinutes: DEFAULT_COMPACTION_SETTINGS.cloudtrailLatenessMinutes,
      clock,
      tempDirectory: join(this.root, 'tmp'),
      ...(force ? { force: true } : {}),
    });
    // Local readers see new live partitions once the views are rebuilt (every command that opens the catalog does).
    await this.catalog.ensureTables(CLOUDTRAIL_TABLES);
    return summary;
  }

  /**
   * Puts CloudTrail files in the trail and backfills them the direct way (closed days straight
   * into compacted generations through the catalog); `crashAfter` stops it at a step.
   */
  async backfill(
    files: ReadonlyArray<{ name: string; day: string; records?: readonly Record<string, unknown>[]; body?: Buffer; account?: string }>,
    options: { crashAfter?: CompactionStep | DirectBackfillStep; graceMs?: number; force?: boolean } = {},
  ): Promise<CloudTrailIngestSummary> {
    for (const file of files) {
      const key = logKey(file.name, { day: file.day, ...(file.account ? { account: file.account } : {}) });
      this.trail.objects.set(key, file.body ?? gzipJson({ Records: file.records ?? [] }));
    }
    const settings = { ...DEFAULT_COMPACTION_SETTINGS, graceMinutes: (options.graceMs ?? 0) / 60_000, memoryLimitMb: 256 };
    const summary = await ingestCloudTrail({
      source: this.trail,
      lake: this.lake,
      state: this.state,
      cloudtrailLatenessMinutes: settings.cloudtrailLatenessMinutes,
      clock: () => NOW,
      tempDirectory: join(this.root, 'tmp'),
      ...(options.force ? { force: true } : {}),
      compacted: {
        catalog: this.catalog,
        state: this.state,
        settings,
        onStep: (step) => {
          if (step === options.crashAfter) throw new Crash(step);
        },
      },
    });
    await this.catalog.ensureTables(CLOUDTRAIL_TABLES);
    return summary;
  }

  compactor(options: RunOptions = {}): PartitionCompactor {
    const clock = options.clock ?? (() => NOW);
    return new PartitionCompactor({
      lake: options.lake ?? this.lake,
      catalog: options.catalog ?? this.catalog,
      state: this.state,
      writer: new GenerationWriter({
        connection: this.#writer,
        parquet: new ParquetWriter(this.#writer, { tempDirectory: join(this.root, 'tmp') }),
        targetFileBytes: options.targetFileBytes ?? 128 * MIB,
        memoryLimitBytes: options.memoryLimitBytes ?? 256 * MIB,
      }),
      graceMs: options.graceMs ?? DEFAULT_COMPACTION_SETTINGS.graceMinutes * 60_000,
      clock,
      tempDirectory: join(this.root, 'tmp'),
      onStep: async (step: CompactionStep) => {
        if (step === options.crashAfter) throw new Crash(step);
        await options.atStep?.(step);
      },
    });
  }

  async compact(options: RunOptions = {}, tables: readonly LakeTable[] = CLOUDTRAIL_TABLES): Promise<CompactionSummary> {
    return compactLake({
      catalog: options.catalog ?? this.catalog,
      state: this.state,
      compactor: this.compactor(options),
      tables,
      settings: DEFAULT_COMPACTION_SETTINGS,
      clock: options.clock ?? (() => NOW),
      ...(options.since ? { since: options.since } : {}),
      ...(options.until ? { until: options.until } : {}),
      ...(options.dryRun ? { dryRun: true } : {}),
      owner: 'test-run',
    });
  }

  /** What readers see of `cloudtrail_events` through the catalog: every row's id, day, time and file. */
  async readerRows(
    sql = 'SELECT eventid, day, eventtime::VARCHAR AS eventtime, source_key FROM cloudtrail_events ORDER BY ALL',
  ): Promise<Record<string, unknown>[]> {
    return (await this.catalogConnection.runAndReadAll(sql)).getRowObjectsJson();
  }

  /** Another connection to the catalog database: a reader beside the compaction. */
  async readerConnection(): Promise<DuckDBConnection> {
    return this.#catalogInstance.connect();
  }

  /** Every object of the lake with a digest of its bytes, and the catalog's partition locations: what two runs must agree on. */
  async snapshot(): Promise<{ objects: Record<string, string>; locations: Record<string, unknown>[] }> {
    const objects: Record<string, string> = {};
    for await (const info of this.lake.list('')) {
      objects[info.key] = createHash('sha256')
        .update(await this.lake.getBytes(info.key))
        .digest('hex')
        .slice(0, 16);
    }
    await this.catalog.ensureTables(CLOUDTRAIL_TABLES);
    const locations = (
      await this.catalogConnection.runAndReadAll('SELECT table_name, partition_path, location FROM opslake_partitions ORDER BY ALL')
    ).getRowObjectsJson();
    return { objects, locations };
  }

  async close(): Promise<void> {
    this.catalogConnection.closeSync();
    this.#writer.closeSync();
    for (const instance of this.#instances) instance.closeSync();
  }

  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
