import type { PGlite } from '@electric-sql/pglite';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { DuckDbCatalog } from '../../../pipeline/catalog/duckdb-catalog.js';
import type { CompactionSummary } from '../../../pipeline/compaction/compaction-summary.js';
import { runCompaction } from '../../../pipeline/compaction/run-compaction.js';
import { FileConfigSource } from '../../../pipeline/config/file-config-source.js';
import type { OpslakeConfig } from '../../../pipeline/config/opslake-config.js';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import { lakeTables } from '../../../pipeline/tables/registry.js';
import { OpslakeError } from '../../../pipeline/errors.js';
import type { FleetExportResult } from '../../../pipeline/redshift/fleet-exporter.js';
import type { CloudTrailIngestSummary } from '../../../pipeline/cloudtrail/cloudtrail-ingest-summary.js';
import { generateDemoTrail, type DemoTrailSummary } from '../../../pipeline/simulators/cloudtrail/demo-trail.js';
import { ingestCloudTrail } from '../../../pipeline/cloudtrail/ingest-cloudtrail.js';
import { openLocalQueries } from '../../../pipeline/query/local-queries.js';
import { LocalObjectStore } from '../../../pipeline/store/local-object-store.js';
import { writeReport, type ReportSummary } from '../../../pipeline/report/write-report.js';
import { createSimulatedCluster, type SimulatedCluster } from '../../../pipeline/simulators/redshift/index.js';
import { ExportProgress } from '../export-progress.js';
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
  readonly compaction: CompactionSummary;
  readonly catalogPath: string;
  readonly report: ReportSummary;
}

export const DEMO_CLUSTERS = [
  { name: 'analytics', profile: 'analytics', seed: 11 },
  { name: 'etl', profile: 'etl', seed: 23 },
] as const;

/**
 * The embedded default: two simulated clusters with different workloads, an export, the clock
 * moved on, a second export; everything under `dir`, with an `opslake.yaml` that points at it
 * so that every other command can run against the same clusters and lake afterwards.
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
    for (const spec of DEMO_CLUSTERS) {
      clusters.push(
        await createSimulatedCluster({
          name: spec.name,
          profile: spec.profile,
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
    const trail = await generateDemoTrail({
      dir: trailDir,
      clusterNames: DEMO_CLUSTERS.map((spec) => spec.name),
      start: new Date(end.getTime() - 24 * 3_600_000),
      hours: 24,
      seed: 17,
    });
    const cloudtrail = await ingestCloudTrail({
      source: new LocalObjectStore(trailDir),
      lake: new LocalObjectStore(lakeDir),
      state: openConfiguredState(config),
      cloudtrailLatenessMinutes: config.compaction.cloudtrailLatenessMinutes,
    });
    const catalogPath = join(dir, 'catalog.duckdb');
    // What is closed is compacted (the slots sealed by the exports, the trail's first day), through
    // the local catalog, as the scheduled function does in AWS.
    const compaction = await compactDemoLake(config, lakeDir, catalogPath, end);
    // The local catalog: DuckDB views over the lake with the Glue tables' names and columns.
    await (await openLocalQueries({ lakeDir, catalogPath })).close();
    const report = await writeReport({ lakeDir, catalogPath, out: join(dir, 'report.html') });
    return { dir, configPath, lakeDir, first, second, trail, cloudtrail, compaction, catalogPath, report };
  } finally {
    for (const cluster of clusters) await cluster.close();
  }
}

async function compactDemoLake(config: OpslakeConfig, lakeDir: string, catalogPath: string, now: Date): Promise<CompactionSummary> {
  const { instance, connection } = await openDuckDb({ path: catalogPath });
  try {
    return await runCompaction({
      lake: new LocalObjectStore(lakeDir),
      catalog: new DuckDbCatalog({ connection, lakeDir }),
      state: openConfiguredState(config),
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
      clusters: DEMO_CLUSTERS.map((spec) => ({
        name: spec.name,
        kind: 'provisioned',
        clusterIdentifier: spec.name,
        database: 'dev',
        dbUser: 'opslake',
        pglite: `./clusters/${spec.name}`,
      })),
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
