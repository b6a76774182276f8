import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { lakeTables } from '../../pipeline/tables/registry.js';
import { CloudTrailIngest } from '../constructs/cloudtrail-ingest.js';
import { LakeCompact } from '../constructs/lake-compact.js';
import { ClusterParameters } from '../constructs/cluster-parameters.js';
import { PipelineAlarms } from '../constructs/pipeline-alarms.js';
import { StlExport } from '../constructs/stl-export.js';
import { acknowledgeBucketNotificationsHandler } from '../nag/bucket-notifications-handler.js';
import type { PipelineStackProps } from './pipeline-stack-props.js';

/**
 * The stateless half: the functions (export, CloudTrail ingestion, compaction), their triggers, the cluster configuration and the
 * alarms. It holds no data of its own, so it can be destroyed and deployed again at will;
 * the state it works on lives in the storage stack.
 */
export class PipelineStack extends Stack {
  readonly stlExport: StlExport;
  readonly cloudTrailIngest: CloudTrailIngest | undefined;
  /** Deployed when partitions are registered in Glue: readers follow a compacted partition there. */
  readonly lakeCompact: LakeCompact | undefined;
  readonly clusterParameters: ClusterParameters;
  readonly alarms: PipelineAlarms;
  readonly alarmTopic: sns.ITopic | undefined;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    // Logs outlive the stack unless everything is to go: they are the record of what ran.
    const logRemovalPolicy = props.destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const arch = props.arch ?? 'arm64';
    const configRoot = props.configRoot ?? '/opslake';
    const clusters = props.clusters ?? [];

    this.clusterParameters = new ClusterParameters(this, 'Clusters', { configRoot, clusters });

    this.stlExport = new StlExport(this, 'StlExport', {
      lake: props.lake,
      clusters,
      configRoot,
      parameterKmsKeyArn: props.parameterKmsKeyArn,
      glueTables: props.redshiftGlueTables ?? [],
      arch,
      logRemovalPolicy,
    });

    if (props.cloudTrail) {
      this.cloudTrailIngest = new CloudTrailIngest(this, 'CloudTrailIngest', {
        lake: props.lake,
        trailBucketName: props.cloudTrail.bucketName,
        trailPrefix: props.cloudTrail.prefix,
        trailKmsKeyArn: props.cloudTrail.kmsKeyArn,
        glueTables: props.cloudTrailGlueTables ?? [],
        arch,
        logRemovalPolicy,
      });
      acknowledgeBucketNotificationsHandler(this);
    }

    const compacted = [...(props.redshiftGlueTables ?? []), ...(props.cloudTrailGlueTables ?? [])];
    this.lakeCompact =
      compacted.length === 0
        ? undefined
        : new LakeCompact(this, 'LakeCompact', {
            lake: props.lake,
            glueTables: compacted,
            tablePaths: lakeTables()
              .filter((table) => compacted.includes(table.name))
              .map((table) => table.path),
            // Custom exports run with the Redshift export; their tables are compacted with the others.
            customTables: (props.redshiftGlueTables ?? []).length > 0,
            arch,
            logRemovalPolicy,
          });

    this.alarmTopic = props.alarmTopicArn
      ? sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)
      : props.alarmEmail
        ? this.createAlarmTopic(props.alarmEmail)
        : undefined;

    this.alarms = new PipelineAlarms(this, 'Alarms', {
      exportFunction: this.stlExport.handler.function,
      ingestFunction: this.cloudTrailIngest?.handler.function,
      deadLetterQueue: this.cloudTrailIngest?.deadLetterQueue,
      compactFunction: this.lakeCompact?.handler.function,
      clusters: clusters.filter((cluster) => cluster.enabled).map((cluster) => cluster.name),
      exportLagThreshold: Duration.minutes(props.exportLagAlarmMinutes ?? 120),
      topic: this.alarmTopic,
    });

    new CfnOutput(this, 'StlExportFunction', { value: this.stlExport.handler.function.functionName, description: 'STL export function' });
    new CfnOutput(this, 'StlExportRoleName', {
      value: this.stlExport.handler.role.roleName,
      description: 'Role of the STL export; with IAM authentication a workgroup knows it as the database user IAMR:<this name>',
    });
    if (this.cloudTrailIngest) {
      new CfnOutput(this, 'CloudTrailQueueUrl', {
        value: this.cloudTrailIngest.queue.queueUrl,
        description: 'CloudTrail notification queue (backfill sends here too)',
      });
      new CfnOutput(this, 'CloudTrailDeadLetterQueueUrl', {
        value: this.cloudTrailIngest.deadLetterQueue.queueUrl,
        description: 'Dead-letter queue',
      });
    }
  }

  /**
   * An encrypted topic that CloudWatch can publish to: alarms cannot use the AWS-managed SNS
   * key, so the topic gets its own key whose policy lets CloudWatch use it.
   */
  private createAlarmTopic(email: string): sns.Topic {
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'opslake: alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    const topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'opslake alarms', masterKey: key, enforceSSL: true });
    topic.addSubscription(new subscriptions.EmailSubscription(email));
    new CfnOutput(this, 'AlarmTopicArn', { value: topic.topicArn, description: 'Alarm topic' });
    return topic;
  }
}
