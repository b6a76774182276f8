import type { PGlite } from '@electric-sql/pglite';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { DuckDbCatalog } from '../../../pipeline/catalog/duckdb-catalog.js';
import type { CompactionSummary } from '../../../pipeline/compaction/compaction-summary.js';
import { runCompaction } from '../../../pipeline/compaction/run-compaction.js';
import { FileConfigSource } from '../../../pipeline/config/file-config-source.js';
import type { OpslakeConfig } from '../../../pipeline/config/opslake-config.js';
import { lakeTables } from '../../../pipeline/tables/registry.js';
import { OpslakeError } from '../../../pipeline/errors.js';
import type { FleetExportResult } from '../../../pipeline/redshift/fleet-exporter.js';
import { generateDemoTrail, type DemoTrailSummary } from '../../../pipeline/simulators/cloudtrail/demo-trail.js';
import type { CloudTrailIngestSummary } from '../../../pipeline/cloudtrail/cloudtrail-ingest-summary.js';
import { ingestCloudTrail } from '../../../pipeline/cloudtrail/ingest-cloudtrail.js';
import type { CompletenessSummary } from '../../../pipeline/cloudtrail/digest/completeness-summary.js';
import { PemDigestPublicKeys } from '../../../pipeline/cloudtrail/digest/pem-digest-public-keys.js';
import { verifyCloudTrail } from '../../../pipeline/cloudtrail/digest/verify-cloudtrail.js';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import { ParquetWriter } from '../../../pipeline/lake/parquet-writer.js';
import type { IngestionLedger } from '../../../pipeline/ports/ingestion-ledger.js';
import { openLocalQueries } from '../../../pipeline/query/local-queries.js';
import { LocalObjectStore } from '../../../pipeline/store/local-object-store.js';
import { writeReport, type ReportSummary } from '../../../pipeline/report/write-report.js';
import { createSimulatedCluster, type SimulatedCluster } from '../../../pipeline/simulators/redshift/index.js';
import { ExportProgress } from '../export-progress.js';
import type { OpenedStateStore } from '../../shared/open-stores.js';
import { openConfiguredState, runExport } from '../run-export.js';

/** Marks a folder as made by the demo, so that a second `opslake demo` may safely replace it. */
const MARKER = '.opslake-demo';

export interface DemoOptions {
  readonly dir: string;
  /** Cluster clock at the end of the simulated history; default: now, to the minute. */
  readonly now?: Date;
  readonly historyHours?: number;
  /** How far the clocks move between the two exports. */
  readonly advanceMinutes?: number;
  readonly out?: NodeJS.WritableStream;
  readonly progress?: NodeJS.WritableStream;
}

export interface DemoResult {
  readonly dir: string;
  readonly configPath: string;
  readonly lakeDir: string;
  readonly first: FleetExportResult[];
  readonly second: FleetExportResult[];
  readonly trail: DemoTrailSummary;
  readonly cloudtrail: CloudTrailIngestSummary;
  /** The trail's digests held against what was ingested (`cloudtrail_completeness`). */
  readonly completeness: CompletenessSummary;
  /** The public key the demo's digests are signed with, for `opslake cloudtrail verify --public-key`. */
  readonly digestPublicKeyPath: string;
  readonly compaction: CompactionSummary;
  readonly catalogPath: string;
  readonly report: ReportSummary;
}

/** The provisioned clusters of the demo, read through their STL views. */
export const DEMO_CLUSTERS = [
  { name: 'analytics', profile: 'analytics', seed: 11 },
  { name: 'etl', profile: 'etl', seed: 23 },
] as const;

/** The sources of the demo that only SYS views can read: a Serverless workgroup and a Multi-AZ cluster. */
export const DEMO_SYS_SOURCES = [
  { name: 'bi', profile: 'analytics', seed: 31, deployment: 'serverless' },
  { name: 'warehouse', profile: 'etl', seed: 37, deployment: 'multi-az' },
] as const;

const DEMO_SOURCES = [...DEMO_CLUSTERS.map((spec) => ({ ...spec, deployment: 'provisioned' as const })), ...DEMO_SYS_SOURCES];

/**
 * The embedded default: two provisioned clusters with different workloads, a Serverless
 * workgroup and a Multi-AZ cluster, an export, the clock moved on, a second export; everything
 * under `dir`, with an `opslake.yaml` that points at it so that every other command can run
 * against the same sources and lake afterwards. Every source is on `views: auto`: the export
 * reads the workgroup through SYS, probes the clusters, and finds STL refused on the Multi-AZ one.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const dir = resolve(options.dir);
  await prepareFolder(dir);
  // 72 hours always hold a weekday's late morning, when the analysts' heavy queries run.
  const historyHours = options.historyHours ?? 72;
  const end = options.now ?? new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const configPath = join(dir, 'opslake.yaml');
  await writeFile(configPath, demoConfigYaml(), 'utf8');
  await writeFile(join(dir, MARKER), 'made by opslake demo; `opslake demo` may replace this folder\n', 'utf8');

  const clusters: SimulatedCluster[] = [];
  try {
    for (const spec of DEMO_SOURCES) {
      clusters.push(
        await createSimulatedCluster({
          name: spec.name,
          profile: spec.profile,
          deployment: spec.deployment,
          seed: spec.seed,
          dataDir: join(dir, 'clusters', spec.name),
          start: end,
          historyHours,
        }),
      );
    }
    const openDatabases = new Map<string, PGlite>(clusters.map((cluster) => [cluster.name, cluster.db]));
    const config = await new FileConfigSource(configPath, { env: {} }).load();
    const progress = new ExportProgress(options.progress ?? process.stderr);
    const first = await runExport({ config, openDatabases, onEvent: progress.onEvent });
    for (const cluster of clusters) await cluster.advance(options.advanceMinutes ?? 45);
    const second = await runExport({ config, openDatabases, onEvent: progress.onEvent });
    progress.finish();
    const lakeDir = join(dir, 'lake');
    // The last day of CloudTrail, as a folder that plays the trail bucket, ingested like a backfill.
    const trailDir = join(dir, 'trail');
    // CloudTrail signs digests with a key pair of its own; the demo's is made for each run.
    const digestKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const digestPublicKeyPath = join(dir, 'digest-public-key.pem');
    await writeFile(digestPublicKeyPath, digestKeys.publicKey.export({ type: 'spki', format: 'pem' }), 'utf8');
    const trailStart = new Date(end.getTime() - 24 * 3_600_000);
    const trail = await generateDemoTrail({
      dir: trailDir,
      clusterNames: DEMO_CLUSTERS.map((spec) => spec.name),
      start: trailStart,
      hours: 24,
      seed: 17,
      digests: true,
      digestSigningKey: digestKeys.privateKey,
    });
    const source = new LocalObjectStore(trailDir);
    const lake = new LocalObjectStore(lakeDir);
    const state = openConfiguredState(config);
    const cloudtrail = await ingestCloudTrail({
      source,
      lake,
      state,
      cloudtrailLatenessMinutes: config.compaction.cloudtrailLatenessMinutes,
    });
    // The state store holds the ingestion ledger the trail's digests are held against.
    const completeness = await verifyDemoTrail(source, lake, state, {
      fromDay: trailStart.toISOString().slice(0, 10),
      toDay: end.toISOString().slice(0, 10),
      publicKeyPath: digestPublicKeyPath,
    });
    const catalogPath = join(dir, 'catalog.duckdb');
    // What is closed is compacted (the slots sealed by the exports, the trail's first day), through
    // the local catalog, as the scheduled function does in AWS.
    const compaction = await compactDemoLake(config, { lake, state }, lakeDir, catalogPath, end);
    // The local catalog: DuckDB views over the lake with the Glue tables' names and columns.
    await (await openLocalQueries({ lakeDir, catalogPath })).close();
    const report = await writeReport({ lakeDir, catalogPath, out: join(dir, 'report.html') });
    return {
      dir,
      configPath,
      lakeDir,
      first,
      second,
      trail,
      cloudtrail,
      completeness,
      digestPublicKeyPath,
      compaction,
      catalogPath,
      report,
    };
  } finally {
    for (const cluster of clusters) await cluster.close();
  }
}

/** `opslake cloudtrail verify` on the demo trail: its digests against the ledger of what the demo ingested. */
async function verifyDemoTrail(
  source: LocalObjectStore,
  lake: LocalObjectStore,
  ledger: IngestionLedger,
  options: { fromDay: string; toDay: string; publicKeyPath: string },
): Promise<CompletenessSummary> {
  const { instance, connection } = await openDuckDb({ threads: 1, memoryLimit: '256MB' });
  try {
    return await verifyCloudTrail({
      source,
      ledger,
      lake,
      writer: new ParquetWriter(connection),
      fromDay: options.fromDay,
      toDay: options.toDay,
      publicKeys: await PemDigestPublicKeys.fromFile(options.publicKeyPath),
    });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The demo's lake compacted through the local catalog, with the stores the rest of the demo used. */
async function compactDemoLake(
  config: OpslakeConfig,
  stores: { lake: LocalObjectStore; state: OpenedStateStore },
  lakeDir: string,
  catalogPath: string,
  now: Date,
): Promise<CompactionSummary> {
  const { instance, connection } = await openDuckDb({ path: catalogPath });
  try {
    return await runCompaction({
      lake: stores.lake,
      catalog: new DuckDbCatalog({ connection, lakeDir }),
      state: stores.state,
      tables: lakeTables(),
      settings: config.compaction,
      clock: () => now,
    });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function demoConfigYaml(): string {
  return [
    '# Written by `opslake demo`. Every path is relative to this file.',
    '# Run other commands against the demo with --config <this file>.',
    stringify({
      lake: './lake',
      state: './state',
      catalog: './catalog.duckdb',
      export: { slotMinutes: 60, latenessMinutes: 15, concurrency: 2 },
      clusters: DEMO_SOURCES.map((spec) =>
        spec.deployment === 'serverless'
          ? { name: spec.name, kind: 'serverless', workgroupName: spec.name, database: 'dev', pglite: `./clusters/${spec.name}` }
          : {
              name: spec.name,
              kind: 'provisioned',
              clusterIdentifier: spec.name,
              database: 'dev',
              dbUser: 'opslake',
              pglite: `./clusters/${spec.name}`,
            },
      ),
    }),
  ].join('\n');
}

async function prepareFolder(dir: string): Promise<void> {
  if (existsSync(dir)) {
    const entries = await readdir(dir);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new OpslakeError(`${dir} exists and was not made by \`opslake demo\`; choose another folder with --dir`);
    }
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(join(dir, 'clusters'), { recursive: true });
}
