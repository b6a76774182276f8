import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { DuckDBInstance } from '@duckdb/node-api';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { GlueCatalog } from '../../pipeline/catalog/glue-catalog.js';
import { registerWrittenPartitions } from '../../pipeline/catalog/register-partitions.js';
import type { ClusterConfig } from '../../pipeline/config/opslake-config.js';
import { SsmConfigSource } from '../../pipeline/config/ssm-config-source.js';
import { openDuckDb, writerMemoryLimit } from '../../pipeline/duckdb/duckdb-engine.js';
import { ParquetWriter } from '../../pipeline/lake/parquet-writer.js';
import type { Catalog } from '../../pipeline/ports/catalog.js';
import type { ConfigSource } from '../../pipeline/ports/config-source.js';
import type { ObjectStore } from '../../pipeline/ports/object-store.js';
import type { SqlRunner } from '../../pipeline/ports/sql-runner.js';
import type { StateStore } from '../../pipeline/ports/state-store.js';
import { lakeTables } from '../../pipeline/tables/registry.js';
import { exportFleet, type FleetExportResult } from '../../pipeline/redshift/fleet-exporter.js';
import type { JobLogger } from '../shared/job-logger.js';
import { readStlExportEnvironment } from '../shared/lambda-environment.js';
import { openSqlRunner } from '../shared/open-sql-runner.js';
import { openObjectStore, openStateStore } from '../shared/open-stores.js';
import { removeLeftoverTempFiles } from '../shared/leftover-temp-files.js';

/** What the handler needs; `handler` builds it from the environment, tests pass their own. */
export interface StlExportDependencies {
  /** The cluster configuration, loaded at every run: a cluster added in SSM is exported by the next one. */
  readonly config: ConfigSource;
  readonly lake: ObjectStore;
  readonly state: StateStore;
  readonly openRunner: (cluster: ClusterConfig) => Promise<SqlRunner>;
  /** The DuckDB of one run; it is closed when the run ends, which gives its memory back. */
  readonly openDuckDb: () => Promise<DuckDBInstance>;
  /** Declares custom exports' tables and registers the partitions written, when a Glue database is configured. */
  readonly catalog?: Pick<Catalog, 'addPartitions' | 'ensureTables'>;
  readonly logger: JobLogger;
  readonly metrics: Pick<Metrics, 'addMetric' | 'addDimension' | 'publishStoredMetrics'>;
  /** Wall clock for the deadline and the leases. Default: the system clock. */
  readonly clock?: () => Date;
  readonly tempDirectory?: string;
}

export interface StlExportResponse {
  readonly clusters: Array<{ cluster: string; status: string }>;
}

export type StlExportHandler = (
  event: ScheduledEvent | Record<string, unknown>,
  context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>,
) => Promise<StlExportResponse>;

/** Time kept back from Lambda's limit for committing the slot in flight and flushing metrics. */
const SAFETY_MS = 45_000;

/**
 * Builds the scheduled handler: exports every enabled cluster of the configuration, a few at a
 * time, and stops starting new slots before Lambda's deadline. Thin: every decision is in
 * `pipeline/`. A run is not retried (the next scheduled one does the same work), so a cluster's
 * failure is logged and counted, and the run itself succeeds.
 */
export function createStlExportHandler(dependencies: StlExportDependencies): StlExportHandler {
  const { logger } = dependencies;
  const clock = dependencies.clock ?? (() => new Date());
  const tempDirectory = dependencies.tempDirectory ?? '/tmp';

  return async (_event, context) => {
    const deadline = new Date(clock().getTime() + context.getRemainingTimeInMillis() - SAFETY_MS);
    logger.appendKeys?.({ requestId: context.awsRequestId });
    const config = await dependencies.config.load();
    const instance = await dependencies.openDuckDb();
    let results: FleetExportResult[];
    try {
      results = await exportFleet({
        clusters: config.clusters,
        settings: config.export,
        lake: dependencies.lake,
        state: dependencies.state,
        openRunner: dependencies.openRunner,
        openWriter: async () => new ParquetWriter(await instance.connect(), { tempDirectory }),
        concurrency: config.export.concurrency,
        deadline,
        ...(dependencies.clock ? { clock: dependencies.clock } : {}),
      });
    } finally {
      instance.closeSync();
    }
    for (const result of results) record(result, dependencies);
    await registerPartitions(results, dependencies);
    return { clusters: results.map((result) => ({ cluster: result.cluster, status: result.status })) };
  };
}

/** Logs one cluster's outcome and publishes its metrics, every one with the `cluster` dimension the alarms use. */
function record(result: FleetExportResult, { logger, metrics }: StlExportDependencies): void {
  metrics.addDimension('cluster', result.cluster);
  try {
    recordMetrics(result, { logger, metrics });
  } finally {
    // Publishing clears the dimension, so the next cluster's metrics carry only its own name.
    metrics.publishStoredMetrics();
  }
}

function recordMetrics(result: FleetExportResult, { logger, metrics }: Pick<StlExportDependencies, 'logger' | 'metrics'>): void {
  if (result.status === 'failed') {
    const error = result.error;
    logger.error('cluster export failed', {
      cluster: result.cluster,
      error: result.message,
      ...(error instanceof Error ? { errorName: error.name } : {}),
      ...(typeof error === 'object' && error !== null && 'hint' in error && error.hint ? { hint: error.hint } : {}),
    });
    metrics.addMetric('ExportFailures', MetricUnit.Count, 1);
    return;
  }
  if (result.status === 'lease-held') {
    logger.info('cluster skipped: another run holds its lease', { cluster: result.cluster, reason: result.message });
    return;
  }
  if (result.stopped) {
    // Not a failure: what was exported is committed and the next scheduled run goes on from it.
    logger.warn('cluster export stopped at the deadline', {
      cluster: result.cluster,
      error: result.stopped.name,
      reason: result.stopped.message,
      retryable: result.stopped.retryable,
    });
    metrics.addMetric('DeadlineReached', MetricUnit.Count, 1);
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
 * Registers the partitions this run wrote in Glue, when a database is configured: Athena,
 * Spectrum and EMR read the registered partitions (no projection, DESIGN.md §5). A failure is
 * logged, not thrown: the objects are written, the next run registers the partitions it writes
 * again, and compaction registers a closed day's partition when it switches it.
 */
async function registerPartitions(results: readonly FleetExportResult[], { catalog, logger }: StlExportDependencies): Promise<void> {
  if (!catalog) return;
  const objects = results.flatMap((result) => ('tables' in result ? result.tables.flatMap((table) => table.objects) : []));
  // Custom exports' tables are declared from their recorded columns every run (unchanged ones
  // cost a GetTable), so a table whose creation failed once is created by the next run.
  const custom = new Map(
    results.flatMap((result) => ('customTables' in result ? (result.customTables ?? []) : []).map(({ table }) => [table.name, table])),
  );
  if (objects.length === 0 && custom.size === 0) return;
  try {
    if (custom.size > 0) logger.info('custom tables declared', { tables: await catalog.ensureTables([...custom.values()]) });
    const registered = await registerWrittenPartitions(catalog, objects, [...lakeTables(), ...custom.values()]);
    logger.info('partitions registered', { ...registered });
  } catch (error) {
    logger.error('partition registration failed; the next run tries again', {
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

let configured: StlExportHandler | undefined;

/** Built on first use from the environment (read and checked once), then kept by the warm container. */
function fromEnvironment(): StlExportHandler {
  const environment = readStlExportEnvironment(process.env);
  const s3 = new S3Client(environment.forcePathStyle ? { forcePathStyle: true } : {});
  return createStlExportHandler({
    config: new SsmConfigSource({ client: new SSMClient({}), rootPath: environment.configRoot }),
    lake: openObjectStore(environment.lakeLocation, 'OPSLAKE_LAKE_BUCKET', { s3, kmsKeyId: environment.kmsKeyId }),
    state: openStateStore(`dynamodb://${environment.stateTable}`, 'OPSLAKE_STATE_TABLE', { dynamodb: new DynamoDBClient({}) }),
    openRunner: (cluster) => openSqlRunner(cluster),
    // Four writers' worth (the default concurrency), beside Node's own heap; /tmp is the only writable folder.
    openDuckDb: async () => (await openDuckDb({ memoryLimit: writerMemoryLimit('wholeFile', 4), tempDirectory: '/tmp' })).instance,
    ...(environment.glueDatabase
      ? {
          catalog: new GlueCatalog({
            client: new GlueClient({}),
            database: environment.glueDatabase,
            lakeLocation: environment.lakeLocation,
          }),
        }
      : {}),
    logger: new Logger({ serviceName: environment.serviceName }),
    metrics: new Metrics({ namespace: environment.metricsNamespace, serviceName: environment.serviceName }),
    tempDirectory: '/tmp',
  });
}

/** EventBridge-scheduled Lambda entry point. */
export const handler: StlExportHandler = async (event, context) => {
  await removeLeftoverTempFiles();
  configured ??= fromEnvironment();
  return configured(event, context);
};
