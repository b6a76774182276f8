import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { GlueClient } from '@aws-sdk/client-glue';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { GlueCatalog } from '../../pipeline/catalog/glue-catalog.js';
import { registerWrittenPartitions } from '../../pipeline/catalog/register-partitions.js';
import { SsmConfigSource } from '../../pipeline/config/ssm-config-source.js';
import { openDuckDb } from '../../pipeline/duckdb/duckdb-engine.js';
import { ConfigError } from '../../pipeline/errors.js';
import { exportFleet, type FleetExportResult } from '../../pipeline/redshift/fleet-exporter.js';
import { ParquetWriter } from '../../pipeline/lake/parquet-writer.js';
import { openObjectStore, openStateStore } from '../shared/open-stores.js';
import { openSqlRunner } from '../shared/open-sql-runner.js';

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'opslake-stl-export' });
const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'opslake' });

/** Time kept back from Lambda's limit for committing the slot in flight and flushing metrics. */
const SAFETY_MS = 45_000;

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new ConfigError(name, 'environment variable is not set (the CDK stack sets it)');
  return value;
}

/**
 * Scheduled every few minutes: exports every enabled cluster from SSM, a few at a time, and
 * stops starting new slots before Lambda's deadline. Thin: every decision is in `pipeline/`.
 */
export async function handler(
  _event: ScheduledEvent | Record<string, unknown>,
  context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>,
): Promise<{ clusters: Array<{ cluster: string; status: string }> }> {
  const deadline = new Date(Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS);
  logger.appendKeys({ requestId: context.awsRequestId });
  const config = await new SsmConfigSource({
    client: new SSMClient({}),
    rootPath: process.env.OPSLAKE_CONFIG_ROOT ?? '/opslake',
  }).load();
  const lakeLocation = `s3://${env('OPSLAKE_LAKE_BUCKET')}/${process.env.OPSLAKE_LAKE_PREFIX ?? 'lake'}`;
  const kmsKeyId = process.env.OPSLAKE_KMS_KEY_ARN;
  const lake = openObjectStore(lakeLocation, 'OPSLAKE_LAKE_BUCKET', {
    ...(kmsKeyId ? { kmsKeyId } : {}),
    forcePathStyle: process.env.OPSLAKE_S3_FORCE_PATH_STYLE === 'true',
  });
  const state = openStateStore(`dynamodb://${env('OPSLAKE_STATE_TABLE')}`, 'OPSLAKE_STATE_TABLE');
  const { instance } = await openDuckDb({ memoryLimit: '128MB', tempDirectory: '/tmp' });
  let results: FleetExportResult[];
  try {
    results = await exportFleet({
      clusters: config.clusters,
      settings: config.export,
      lake,
      state,
      openRunner: (cluster) => openSqlRunner(cluster),
      openWriter: async () => new ParquetWriter(await instance.connect(), { tempDirectory: '/tmp' }),
      concurrency: config.export.concurrency,
      deadline,
    });
  } finally {
    instance.closeSync();
  }
  for (const result of results) record(result);
  await registerPartitions(results, `s3://${env('OPSLAKE_LAKE_BUCKET')}/${process.env.OPSLAKE_LAKE_PREFIX ?? 'lake'}`);
  return { clusters: results.map((result) => ({ cluster: result.cluster, status: result.status })) };
}

/** Logs one cluster's outcome and publishes its metrics, every one with the `cluster` dimension the alarms use. */
function record(result: FleetExportResult): void {
  metrics.addDimension('cluster', result.cluster);
  try {
    recordMetrics(result);
  } finally {
    // Publishing clears the dimension, so the next cluster's metrics carry only its own name.
    metrics.publishStoredMetrics();
  }
}

function recordMetrics(result: FleetExportResult): void {
  if (result.status === 'failed') {
    logger.error('cluster export failed', { cluster: result.cluster, error: result.message });
    metrics.addMetric('ExportFailures', MetricUnit.Count, 1);
    return;
  }
  if (result.status === 'lease-held') {
    logger.info('cluster skipped: another run holds its lease', { cluster: result.cluster, reason: result.message });
    return;
  }
  const rows = result.tables.reduce((sum, table) => sum + table.rows, 0);
  const sealed = result.tables.reduce((sum, table) => sum + table.slotsSealed, 0);
  const gaps = result.tables.reduce((sum, table) => sum + table.newGaps.length, 0);
  const lags = result.tables.map((table) => table.lagSeconds).filter((lag): lag is number => lag !== null);
  metrics.addMetric('RowsExported', MetricUnit.Count, rows);
  metrics.addMetric('SlotsSealed', MetricUnit.Count, sealed);
  metrics.addMetric('GapsRecorded', MetricUnit.Count, gaps);
  if (lags.length > 0) metrics.addMetric('ExportLagSeconds', MetricUnit.Seconds, Math.max(...lags));
  logger.info('cluster exported', {
    cluster: result.cluster,
    status: result.status,
    clusterNow: result.clusterNow,
    rows,
    slotsSealed: sealed,
    gaps,
    tables: result.tables.map((table) => ({
      table: table.table,
      rows: table.rows,
      sealedThrough: table.sealedThrough,
      lagSeconds: table.lagSeconds,
    })),
  });
  for (const table of result.tables) {
    for (const gap of table.newGaps)
      logger.warn('rows lost before export', { cluster: result.cluster, table: table.table, from: gap.from, to: gap.to });
  }
}

/**
 * Registers the partitions this run wrote in Glue, when a database is configured, so that
 * Spectrum and EMR see them too (Athena uses partition projection and needs none of it). A
 * failure is logged, not thrown: the objects are written and the next run registers again.
 */
async function registerPartitions(results: readonly FleetExportResult[], lakeLocation: string): Promise<void> {
  const database = process.env.OPSLAKE_GLUE_DATABASE;
  if (!database) return;
  const objects = results.flatMap((result) => ('tables' in result ? result.tables.flatMap((table) => table.objects) : []));
  if (objects.length === 0) return;
  try {
    const registered = await registerWrittenPartitions(new GlueCatalog({ client: new GlueClient({}), database, lakeLocation }), objects);
    logger.info('partitions registered', { database, ...registered });
  } catch (error) {
    logger.error('partition registration failed; the next run tries again', {
      database,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
