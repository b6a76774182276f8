import { Aws, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { gluePartitionStatements, lakeObjectStatements, stateTableStatements } from '../iam/lake-statements.js';
import { acknowledgeFinding } from '../nag/acknowledge-finding.js';
import { wildcardResourceRule } from '../nag/wildcard-resource-rule.js';
import type { LambdaArch } from '../opslake-settings.js';
import type { LakeReferences } from '../stacks/lake-references.js';
import { DuckDbFunction } from './duckdb-function.js';
import { METRICS_NAMESPACE } from './stl-export.js';

/** Handler source of the ingestion (contract: `handler`, an SQS event, partial batch response). */
export const CLOUDTRAIL_INGEST_ENTRY = 'jobs/cloudtrail-ingest/handler.ts';
export const CLOUDTRAIL_INGEST_SERVICE = 'opslake-cloudtrail-ingest';

export interface CloudTrailIngestProps {
  readonly lake: LakeReferences;
  /** The existing bucket CloudTrail delivers to. It is imported: this stack never owns it. */
  readonly trailBucketName: string;
  /** Only keys under this prefix are ingested. Default: the whole bucket. */
  readonly trailPrefix?: string;
  /** The trail's key, when its log files are SSE-KMS encrypted. */
  readonly trailKmsKeyArn?: string;
  readonly glueTables: readonly string[];
  readonly arch: LambdaArch;
  /** What happens to the log group when the stack is deleted (the queues always go with it). */
  readonly logRemovalPolicy: RemovalPolicy;
  /** Deliveries of one message before it goes to the dead-letter queue. Default 5. */
  readonly maxReceiveCount?: number;
}

/**
 * CloudTrail files flattened to Parquet as they arrive: the trail bucket's ObjectCreated
 * notifications go to a queue, the queue feeds the function in small batches, and a message
 * that keeps failing ends in the dead-letter queue instead of being retried forever.
 */
export class CloudTrailIngest extends Construct {
  readonly handler: DuckDbFunction;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly trailBucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: CloudTrailIngestProps) {
    super(scope, id);
    const { lake } = props;
    const timeout = Duration.minutes(5);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.queue = new sqs.Queue(this, 'Notifications', {
      // SSE-SQS rather than a KMS key: S3 can only send to a KMS-encrypted queue through a key
      // policy that names it, and the messages hold object keys, not log contents.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the function timeout, as Lambda advises, so a batch in flight is never redelivered.
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.handler = new DuckDbFunction(this, 'Handler', {
      entry: CLOUDTRAIL_INGEST_ENTRY,
      description: 'opslake: flattens CloudTrail log files into the lake',
      arch: props.arch,
      memorySize: 2048,
      timeout,
      ephemeralStorage: Size.mebibytes(4096),
      logRemovalPolicy: props.logRemovalPolicy,
      environment: {
        OPSLAKE_LAKE_BUCKET: lake.bucketName,
        OPSLAKE_LAKE_PREFIX: lake.lakePrefix,
        // The ledger of every file's outcome, and the dirty marks of late partitions.
        OPSLAKE_STATE_TABLE: lake.stateTableName,
        OPSLAKE_KMS_KEY_ARN: lake.keyArn,
        ...(props.glueTables.length > 0 ? { OPSLAKE_GLUE_DATABASE: lake.glueDatabase } : {}),
        POWERTOOLS_SERVICE_NAME: CLOUDTRAIL_INGEST_SERVICE,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    });
    this.handler.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(10),
        reportBatchItemFailures: true,
        maxConcurrency: 10,
      }),
    );

    this.trailBucket = s3.Bucket.fromBucketName(this, 'TrailBucket', props.trailBucketName);
    this.trailBucket.addEventNotification(
      s3.EventType.OBJECT_CREATED,
      new s3n.SqsDestination(this.queue),
      ...(props.trailPrefix ? [{ prefix: props.trailPrefix }] : []),
    );

    const role = this.handler.role;
    const trailObjects = `arn:${Aws.PARTITION}:s3:::${props.trailBucketName}/${props.trailPrefix ?? ''}*`;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'TrailObjects', actions: ['s3:GetObject'], resources: [trailObjects] }));
    if (props.trailKmsKeyArn) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'TrailKey',
          actions: ['kms:Decrypt'],
          resources: [props.trailKmsKeyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.${Stack.of(this).urlSuffix}` } },
        }),
      );
    }
    // Outputs are named from the input key and overwritten on redelivery, so the function never
    // reads, lists or deletes in the lake; it quarantines under its own part of `_quarantine/`.
    const objects = lakeObjectStatements(lake, ['cloudtrail/', '_quarantine/cloudtrail/'], 'write');
    for (const statement of [
      ...objects.statements,
      ...stateTableStatements(lake),
      ...gluePartitionStatements(this, lake.glueDatabase, props.glueTables),
    ]) {
      role.addToPrincipalPolicy(statement);
    }

    const policy = role.node.findChild('DefaultPolicy');
    acknowledgeFinding(
      policy,
      wildcardResourceRule(policy, trailObjects),
      'CloudTrail names its log files by account, region, date and time; the function reads whichever object a notification names, under the trail prefix only, and nothing else of the bucket.',
    );
    for (const arn of objects.objectArns) {
      acknowledgeFinding(
        policy,
        wildcardResourceRule(policy, arn),
        'The ingestion writes one object per input file and partition (and quarantines unreadable inputs) under its own lake prefixes; the keys derive from input names not known in advance.',
      );
    }
  }
}
