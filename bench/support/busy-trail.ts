/** The busy day of trail the queries benchmark asks its CloudTrail question of, ingested and then compacted. */
import { join } from 'node:path';
import { DuckDbCatalog } from '../../pipeline/catalog/duckdb-catalog.js';
import { ingestCloudTrail } from '../../pipeline/cloudtrail/ingest-cloudtrail.js';
import { runCompaction } from '../../pipeline/compaction/run-compaction.js';
import { DEFAULT_COMPACTION_SETTINGS } from '../../pipeline/config/compaction-settings.js';
import { openDuckDb } from '../../pipeline/duckdb/duckdb-engine.js';
import { generateDemoTrail } from '../../pipeline/simulators/cloudtrail/demo-trail.js';
import { FileStateStore } from '../../pipeline/state/file-state-store.js';
import { LocalObjectStore } from '../../pipeline/store/local-object-store.js';
import { lakeTable } from '../../pipeline/tables/registry.js';
import { formatBytes } from './queries-report.js';

/** A day of trail shaped like a busy organization's, ingested into its own lake by the ingester. */
export async function buildBusyTrail(folder: string, day: string): Promise<void> {
  process.stderr.write(`Generating and ingesting a busy day of CloudTrail (${day}) in ${folder} ...\n`);
  const trail = await generateDemoTrail({
    dir: join(folder, 'trail'),
    clusterNames: ['analytics', 'etl'],
    start: new Date(`${day}T00:00:00Z`),
    hours: 24,
    seed: 2024,
    fileIntervalMinutes: 5,
    eventsPerFile: [100, 400],
  });
  const ingested = await ingestCloudTrail({
    source: new LocalObjectStore(join(folder, 'trail')),
    lake: new LocalObjectStore(join(folder, 'lake')),
    state: new FileStateStore(join(folder, 'state')),
    cloudtrailLatenessMinutes: 120,
  });
  const written = `${formatBytes(trail.compressedBytes)} gzip -> ${ingested.objectsWritten} Parquet objects`;
  process.stderr.write(`  ${trail.logFiles} files, ${trail.events} events, ${written}\n`);
}

/** Compacts the CloudTrail lake under `folder` through a catalog of its own, as `opslake compact` would once its days are closed. */
export async function compactTrailLake(folder: string): Promise<void> {
  const { instance, connection } = await openDuckDb({ path: join(folder, 'catalog.duckdb') });
  try {
    const summary = await runCompaction({
      lake: new LocalObjectStore(join(folder, 'lake')),
      catalog: new DuckDbCatalog({ connection, lakeDir: join(folder, 'lake') }),
      state: new FileStateStore(join(folder, 'state')),
      tables: [lakeTable('cloudtrail_events'), lakeTable('cloudtrail_insights')],
      settings: DEFAULT_COMPACTION_SETTINGS,
      // Far enough after the trail that every day of it is closed.
      clock: () => new Date(Date.now() + 366 * 86_400_000),
      tempDirectory: join(folder, 'tmp'),
    });
    process.stderr.write(`  ${summary.format().split('\n').join('\n  ')}\n`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
