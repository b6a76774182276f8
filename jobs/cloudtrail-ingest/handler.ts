import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { tmpdir } from 'node:os';
import type { Catalog } from '../../pipeline/ports/catalog.js';
import { GlueCatalog } from '../../pipeline/catalog/glue-catalog.js';
import { registerWrittenPartitions } from '../../pipeline/catalog/register-partitions.js';
import { CloudTrailIngester, type FileOutcome } from '../../pipeline/cloudtrail/cloudtrail-ingester.js';
import { type FailedInput, ingestIsolated, type IsolatedIngestionOptions } from '../../pipeline/cloudtrail/isolated-ingestion.js';
import type { CloudTrailInputRef, RecordedIngestionOptions } from '../../pipeline/cloudtrail/recorded-ingestion.js';
import { parseNotification } from '../../pipeline/cloudtrail/s3-notification.js';
import { openDuckDb } from '../../pipeline/duckdb/duckdb-engine.js';
import { OpslakeError } from '../../pipeline/errors.js';
import type { ObjectStore } from '../../pipeline/ports/object-store.js';
import { S3ObjectStore } from '../../pipeline/store/s3-object-store.js';
import type { JobLogger } from '../shared/job-logger.js';
import { readCloudTrailIngestEnvironment } from '../shared/lambda-environment.js';
import { openObjectStore, openStateStore } from '../shared/open-stores.js';
import { decideFailure } from './message-decision.js';
import { removeLeftoverTempFiles } from '../shared/leftover-temp-files.js';

/** What the handler needs; `handler` builds it from the environment, tests pass their own. */
export interface CloudTrailIngestDependencies {
  /** The lake root (`s3://bucket/prefix`). */
  readonly lake: ObjectStore;
  /** The bucket a notification names, at its root (its keys are the CloudTrail keys). */
  readonly sourceFor: (bucket: string) => ObjectStore;
  readonly connection: () => Promise<DuckDBConnection>;
  /** The ledger (which inputs are done) and where late partitions are marked dirty: the state store. */
  readonly state: RecordedIngestionOptions['ledger'] & RecordedIngestionOptions['dirty'];
  /** See CompactionSettings.cloudtrailLatenessMinutes. */
  readonly cloudtrailLatenessMinutes: number;
  /** Registers the partitions written, when a Glue database is configured. */
  readonly catalog?: Pick<Catalog, 'addPartitions'>;
  readonly logger: JobLogger;
  readonly metrics: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'>;
  readonly clock?: () => Date;
  readonly tempDirectory?: string;
}

export type CloudTrailIngestHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/**
 * Builds the SQS handler: each message announces CloudTrail files (an S3 notification, the
 * same wrapped by SNS, or CloudTrail's own notification); their records land in the lake and
 * the message succeeds. Each message is decided on its own, and the decision is logged:
 * unreadable files are quarantined, which counts as done; a failure whose error is `retryable`
 * fails the message for SQS to deliver again; a message that is not a notification, or a failure
 * retrying cannot mend, fails it for the dead-letter queue (see `decideFailure`). Redelivery is
 * harmless: the ledger holds every file done (same size and ETag: not read again), and a file
 * done again overwrites the objects named from its key.
 */
export function createCloudTrailIngestHandler(dependencies: CloudTrailIngestDependencies): CloudTrailIngestHandler {
  const { logger, metrics } = dependencies;
  // One DuckDB connection runs one COPY at a time: messages are processed in turn.
  const processor = new BatchProcessor(EventType.SQS);
  let ingester: CloudTrailIngester | undefined;

  const ingesterOf = async (): Promise<CloudTrailIngester> => {
    ingester ??= new CloudTrailIngester({
      connection: await dependencies.connection(),
      lake: dependencies.lake,
      ...(dependencies.clock ? { clock: dependencies.clock } : {}),
      ...(dependencies.tempDirectory ? { tempDirectory: dependencies.tempDirectory } : {}),
    });
    return ingester;
  };

  const recordHandler = async (record: SQSRecord): Promise<void> => {
    try {
      await ingestMessage(record);
    } catch (error) {
      const decision = decideFailure(error);
      const fields = {
        messageId: record.messageId,
        decision,
        receiveCount: record.attributes.ApproximateReceiveCount,
        error: error instanceof Error ? error.name : 'UnknownError',
        message: error instanceof Error ? error.message : String(error),
        ...(error instanceof OpslakeError ? { retryable: error.retryable, ...(error.hint ? { hint: error.hint } : {}) } : {}),
      };
      if (decision === 'retry') logger.warn('message failed; SQS delivers it again', fields);
      else logger.error('message failed; retrying will not help, it goes to the dead-letter queue', fields);
      // Throwing is what fails this message, and only this one, in the partial batch response.
      throw error;
    }
  };

  const ingestMessage = async (record: SQSRecord): Promise<void> => {
    const notification = parseNotification(record.body);
    if (notification.kind === 'test-event') {
      logger.info('ignored the s3:TestEvent message', { messageId: record.messageId });
      return;
    }
    const byBucket = new Map<string, CloudTrailInputRef[]>();
    for (const object of notification.objects) {
      const input: CloudTrailInputRef = {
        key: object.key,
        ...(object.size === undefined ? {} : { size: object.size }),
        ...(object.etag === undefined ? {} : { etag: object.etag }),
      };
      byBucket.set(object.bucket, [...(byBucket.get(object.bucket) ?? []), input]);
    }
    const outcomes: FileOutcome[] = [];
    const failed: FailedInput[] = [];
    const recorded: IsolatedIngestionOptions = {
      lake: dependencies.lake,
      tempDirectory: dependencies.tempDirectory ?? tmpdir(),
      ledger: dependencies.state,
      dirty: dependencies.state,
      cloudtrailLatenessMinutes: dependencies.cloudtrailLatenessMinutes,
      ...(dependencies.clock ? { clock: dependencies.clock } : {}),
    };
    for (const [bucket, inputs] of byBucket) {
      // One file's failure never fails another's (isolated-ingestion.ts): those done are in the ledger.
      for (const outcome of await ingestIsolated(await ingesterOf(), dependencies.sourceFor(bucket), inputs, recorded)) {
        if (outcome.status === 'failed') failed.push(outcome);
        else outcomes.push(outcome);
      }
    }
    const written = outcomes.flatMap((outcome) => (outcome.status === 'ingested' ? outcome.objects : []));
    if (dependencies.catalog && written.length > 0) await registerWrittenPartitions(dependencies.catalog, written);
    report(outcomes, record.messageId);
    const [first] = failed;
    if (first === undefined) return;
    // Only files that may pass another time are left (the others are in the ledger): the message
    // fails, SQS delivers it again, and the redelivery skips what the ledger holds.
    if (failed.length === 1) throw first.error;
    throw new OpslakeError(
      `${failed.length} file(s) failed (${failed.map((file) => file.cause).join(', ')}); first ${first.key}: ${first.message}`,
      { cause: first.error, retryable: failed.some((file) => decideFailure(file.error) === 'retry') },
    );
  };

  const report = (outcomes: readonly FileOutcome[], messageId: string): void => {
    let events = 0;
    let files = 0;
    let quarantined = 0;
    let digests = 0;
    let recorded = 0;
    for (const outcome of outcomes) {
      if (outcome.status === 'ingested') {
        files += 1;
        events += outcome.events + outcome.insights;
        logger.info('ingested', {
          messageId,
          key: outcome.key,
          events: outcome.events,
          insights: outcome.insights,
          objects: outcome.objects.length,
          unknownFields: outcome.unknownFields,
        });
      } else if (outcome.status === 'quarantined') {
        quarantined += 1;
        logger.warn('quarantined an unreadable file', {
          messageId,
          decision: 'quarantine',
          key: outcome.key,
          reason: outcome.reason,
          message: outcome.message,
          quarantineKey: outcome.quarantineKey,
        });
      } else if (outcome.status === 'recorded') {
        recorded += 1;
        logger.info('already ingested (the ledger holds it with the same size and ETag)', { messageId, key: outcome.key });
      } else if (outcome.reason === 'digest') {
        digests += 1;
      } else {
        logger.info('skipped', { messageId, key: outcome.key, reason: outcome.reason });
      }
    }
    metrics.addMetric('EventsIngested', MetricUnit.Count, events);
    metrics.addMetric('FilesIngested', MetricUnit.Count, files);
    metrics.addMetric('FilesQuarantined', MetricUnit.Count, quarantined);
    metrics.addMetric('DigestsSkipped', MetricUnit.Count, digests);
    metrics.addMetric('FilesAlreadyIngested', MetricUnit.Count, recorded);
  };

  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    try {
      return await processPartialResponse(event, recordHandler, processor, {
        ...(context ? { context } : {}),
        processInParallel: false,
      });
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

let configured: CloudTrailIngestHandler | undefined;

/** Built on first use from the environment (read and checked once), then kept by the warm container: one S3 client, one DuckDB. */
function fromEnvironment(): CloudTrailIngestHandler {
  const environment = readCloudTrailIngestEnvironment(process.env);
  const s3 = new S3Client(environment.forcePathStyle ? { forcePathStyle: true } : {});
  const lake = openObjectStore(environment.lakeLocation, 'OPSLAKE_LAKE_BUCKET', { s3, kmsKeyId: environment.kmsKeyId });
  const database = environment.glueDatabase;
  const catalog = database ? new GlueCatalog({ client: new GlueClient({}), database, lakeLocation: environment.lakeLocation }) : undefined;
  const sources = new Map<string, ObjectStore>();
  let connection: Promise<DuckDBConnection> | undefined;
  return createCloudTrailIngestHandler({
    lake,
    sourceFor: (name) => {
      let source = sources.get(name);
      if (source === undefined) {
        source = new S3ObjectStore({ client: s3, bucket: name });
        sources.set(name, source);
      }
      return source;
    },
    // Lambda's memory is shared with the function's own; /tmp is the only writable folder.
    state: openStateStore(`dynamodb://${environment.stateTable}`, 'OPSLAKE_STATE_TABLE', { dynamodb: new DynamoDBClient({}) }),
    cloudtrailLatenessMinutes: environment.cloudtrailLatenessMinutes,
    connection: () => (connection ??= openDuckDb({ memoryLimit: '256MB', tempDirectory: '/tmp' }).then(({ connection: opened }) => opened)),
    ...(catalog ? { catalog } : {}),
    logger: new Logger({ serviceName: environment.serviceName }),
    metrics: new Metrics({ namespace: environment.metricsNamespace, serviceName: environment.serviceName }),
    tempDirectory: '/tmp',
  });
}

/** SQS-triggered Lambda entry point (partial batch responses must be enabled on the event source). */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  await removeLeftoverTempFiles();
  configured ??= fromEnvironment();
  return configured(event, context);
}
