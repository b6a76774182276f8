import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { GlueCatalog } from '../../pipeline/catalog/glue-catalog.js';
import { formatPartitionResult } from '../../pipeline/compaction/compaction-summary.js';
import { type RunCompactionOptions, runCompaction } from '../../pipeline/compaction/run-compaction.js';
import type { CompactionSettings } from '../../pipeline/config/compaction-settings.js';
import type { ObjectStore } from '../../pipeline/ports/object-store.js';
import { lakeTablesWithCustom } from '../../pipeline/tables/custom-tables.js';
import type { StateStore } from '../../pipeline/ports/state-store.js';
import type { LakeTable } from '../../pipeline/tables/lake-table.js';
import type { JobLogger } from '../shared/job-logger.js';
import { readLakeCompactEnvironment } from '../shared/lambda-environment.js';
import { openObjectStore, openStateStore } from '../shared/open-stores.js';
import { removeLeftoverTempFiles } from '../shared/leftover-temp-files.js';

/** What the handler needs; `handler` builds it from the environment, tests pass their own. */
export interface LakeCompactDependencies {
  readonly lake: ObjectStore;
  readonly state: RunCompactionOptions['state'] & Pick<StateStore, 'listTableSchemas'>;
  /** Where readers resolve partitions: Glue in AWS. */
  readonly catalog: RunCompactionOptions['catalog'];
  readonly settings: CompactionSettings;
  /** Default: every table of the registry, and the custom exports' recorded in the state store. */
  readonly tables?: readonly LakeTable[];
  readonly logger: JobLogger;
  /** Powertools' Metrics in AWS; narrow, so that a test passes a recorder. */
  readonly metrics: {
    addMetric(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): unknown;
    publishStoredMetrics(): unknown;
  };
  readonly clock?: () => Date;
  readonly tempDirectory?: string;
  /** No partition starts with less than this left before Lambda's limit. Default 5 minutes. */
  readonly reserveMs?: number;
}

export interface LakeCompactResponse {
  readonly compacted: number;
  readonly failed: number;
  readonly partitionsOverdue: number;
  readonly stoppedAtDeadline: boolean;
}

export type LakeCompactHandler = (
  event: ScheduledEvent | Record<string, unknown>,
  context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>,
) => Promise<LakeCompactResponse>;

/**
 * Time kept back from Lambda's limit: a partition of a busy organization day (a few GB of
 * Parquet) is downloaded, rewritten and uploaded in a few minutes; one that would not finish is
 * left for the next run rather than cut off (a cut-off one is only redone, never half-visible).
 */
const DEFAULT_RESERVE_MS = 5 * 60_000;

/**
 * Builds the scheduled handler: one compaction run over every table (the days closed since each
 * watermark and the partitions marked dirty), stopping before Lambda's deadline. Thin: every
 * decision is in `pipeline/compaction/`. A partition that fails is logged with the object it
 * names and counted (`CompactionFailures`); the closed partitions left uncompacted, failed or
 * not reached, are `PartitionsOverdue`: the alarms watch both. The run itself succeeds, as the
 * next scheduled one retries.
 */
export function createLakeCompactHandler(dependencies: LakeCompactDependencies): LakeCompactHandler {
  const { logger, metrics } = dependencies;
  return async (_event, context) => {
    logger.appendKeys?.({ requestId: context.awsRequestId });
    const summary = await runCompaction({
      lake: dependencies.lake,
      catalog: dependencies.catalog,
      state: dependencies.state,
      tables: dependencies.tables ?? (await lakeTablesWithCustom(dependencies.state)),
      settings: dependencies.settings,
      tempDirectory: dependencies.tempDirectory ?? '/tmp/opslake-compact',
      remainingMs: () => context.getRemainingTimeInMillis(),
      reserveMs: dependencies.reserveMs ?? DEFAULT_RESERVE_MS,
      ...(dependencies.clock ? { clock: dependencies.clock } : {}),
      onPartition: (result) => {
        if (result.status === 'failed') {
          logger.error('partition compaction failed; readers still see it as before', {
            table: result.table,
            partition: result.path,
            error: result.error?.message,
            ...(result.error?.key ? { object: result.error.key } : {}),
          });
        } else if (result.status === 'compacted' || result.deleted > 0) {
          logger.info(formatPartitionResult(result), { table: result.table, partition: result.path });
        }
      },
    });
    const totals = summary.toJSON();
    if (summary.leaseHeldBy !== undefined) logger.info('another compaction holds the lease; nothing done', { holder: summary.leaseHeldBy });
    if (summary.stoppedAtDeadline) logger.warn('compaction stopped at the deadline', { partitionsLeft: summary.notStarted });
    metrics.addMetric('PartitionsCompacted', MetricUnit.Count, summary.count('compacted'));
    metrics.addMetric('CompactionFailures', MetricUnit.Count, summary.count('failed'));
    metrics.addMetric('PartitionsOverdue', MetricUnit.Count, summary.partitionsOverdue);
    metrics.addMetric('DuplicatesRemoved', MetricUnit.Count, summary.total('duplicatesRemoved'));
    metrics.addMetric('ObjectsBefore', MetricUnit.Count, summary.total('inputs'));
    metrics.addMetric('ObjectsAfter', MetricUnit.Count, summary.total('outputs'));
    metrics.addMetric('SupersededObjectsDeleted', MetricUnit.Count, summary.total('deleted'));
    metrics.publishStoredMetrics();
    logger.info('compaction run', totals);
    return {
      compacted: summary.count('compacted'),
      failed: summary.count('failed'),
      partitionsOverdue: summary.partitionsOverdue,
      stoppedAtDeadline: summary.stoppedAtDeadline,
    };
  };
}

let configured: LakeCompactHandler | undefined;

/** Built on first use from the environment (read and checked once), then kept by the warm container. */
function fromEnvironment(): LakeCompactHandler {
  const environment = readLakeCompactEnvironment(process.env);
  const s3 = new S3Client(environment.forcePathStyle ? { forcePathStyle: true } : {});
  return createLakeCompactHandler({
    lake: openObjectStore(environment.lakeLocation, 'OPSLAKE_LAKE_BUCKET', { s3, kmsKeyId: environment.kmsKeyId }),
    state: openStateStore(`dynamodb://${environment.stateTable}`, 'OPSLAKE_STATE_TABLE', { dynamodb: new DynamoDBClient({}) }),
    catalog: new GlueCatalog({ client: new GlueClient({}), database: environment.glueDatabase, lakeLocation: environment.lakeLocation }),
    settings: environment.compaction,
    logger: new Logger({ serviceName: environment.serviceName }),
    metrics: new Metrics({ namespace: environment.metricsNamespace, serviceName: environment.serviceName }),
  });
}

/** EventBridge-scheduled Lambda entry point. */
export const handler: LakeCompactHandler = async (event, context) => {
  await removeLeftoverTempFiles();
  configured ??= fromEnvironment();
  return configured(event, context);
};
