import type { StackProps } from 'aws-cdk-lib';
import type { ClusterSettings, LambdaArch } from '../opslake-settings.js';
import type { LakeReferences } from './lake-references.js';

export interface CloudTrailSource {
  /** An existing bucket CloudTrail delivers to (imported by name, never created). */
  readonly bucketName: string;
  /** Only keys under this prefix are ingested. Default: the whole bucket. */
  readonly prefix?: string;
  /** The trail's KMS key, when its log files are SSE-KMS encrypted. */
  readonly kmsKeyArn?: string;
}

export interface PipelineStackProps extends StackProps {
  /** The storage stack's bucket, key, table and catalog. */
  readonly lake: LakeReferences;
  /** Sources exported (an SSM parameter each). Default: none. */
  readonly clusters?: readonly ClusterSettings[];
  /** SSM root path. Default `/opslake`. */
  readonly configRoot?: string;
  /** Default `arm64`. */
  readonly arch?: LambdaArch;
  /** CloudTrail ingestion. Default: not deployed. */
  readonly cloudTrail?: CloudTrailSource;
  /** Glue tables whose partitions the export registers. Default: none (no registration). */
  readonly redshiftGlueTables?: readonly string[];
  /** Glue tables whose partitions the ingestion registers. Default: none. */
  readonly cloudTrailGlueTables?: readonly string[];
  /** Creates a topic for the alarms with this address subscribed. */
  readonly alarmEmail?: string;
  /** Or sends them to this existing topic. Default: alarms without actions. */
  readonly alarmTopicArn?: string;
  /** Default 120 minutes. */
  readonly exportLagAlarmMinutes?: number;
  /** Key of the operator's SecureString parameters, when customer-managed. */
  readonly parameterKmsKeyArn?: string;
  /** Delete the log groups with the stack. Default false (kept). */
  readonly destroy?: boolean;
}
