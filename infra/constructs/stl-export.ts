import { Duration, type RemovalPolicy, Size } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { glueCustomTableStatements, gluePartitionStatements, lakeObjectStatements, stateTableStatements } from '../iam/lake-statements.js';
import { configReadStatements, redshiftSourceStatements } from '../iam/redshift-source-statements.js';
import { acknowledgeFinding } from '../nag/acknowledge-finding.js';
import { wildcardResourceRule } from '../nag/wildcard-resource-rule.js';
import type { ClusterSettings, LambdaArch } from '../opslake-settings.js';
import type { LakeReferences } from '../stacks/lake-references.js';
import { DuckDbFunction } from './duckdb-function.js';

/** Handler source of the export (contract: `handler`, an EventBridge scheduled event). */
export const STL_EXPORT_ENTRY = 'jobs/stl-export/handler.ts';
export const STL_EXPORT_SERVICE = 'opslake-stl-export';
export const METRICS_NAMESPACE = 'opslake';

export interface StlExportProps {
  readonly lake: LakeReferences;
  readonly clusters: readonly ClusterSettings[];
  readonly configRoot: string;
  /** Key of the operator's SecureString parameters, when it is a customer-managed one. */
  readonly parameterKmsKeyArn?: string;
  /** Glue tables whose partitions the export registers. */
  readonly glueTables: readonly string[];
  readonly arch: LambdaArch;
  /** What happens to the log group when the stack is deleted. */
  readonly logRemovalPolicy: RemovalPolicy;
  /** Default every 5 minutes. */
  readonly interval?: Duration;
}

/**
 * The scheduled export of the STL views: one function, run every few minutes, never twice at
 * once (reserved concurrency 1; the lease in the state table guards the same across anything
 * else that runs an export, such as the CLI).
 */
export class StlExport extends Construct {
  readonly handler: DuckDbFunction;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: StlExportProps) {
    super(scope, id);
    const { lake } = props;

    this.handler = new DuckDbFunction(this, 'Handler', {
      entry: STL_EXPORT_ENTRY,
      description: 'opslake: exports Redshift STL views to the lake',
      arch: props.arch,
      // DuckDB may take 512 MB (four concurrent Parquet writers, see writerMemoryLimit) beside Node's heap.
      memorySize: 1536,
      // A run stops by itself before its deadline with its work committed; the next one goes on.
      timeout: Duration.minutes(15),
      ephemeralStorage: Size.mebibytes(2048),
      reservedConcurrentExecutions: 1,
      logRemovalPolicy: props.logRemovalPolicy,
      environment: {
        OPSLAKE_CONFIG_ROOT: props.configRoot,
        OPSLAKE_LAKE_BUCKET: lake.bucketName,
        OPSLAKE_LAKE_PREFIX: lake.lakePrefix,
        OPSLAKE_STATE_TABLE: lake.stateTableName,
        OPSLAKE_KMS_KEY_ARN: lake.keyArn,
        ...(props.glueTables.length > 0 ? { OPSLAKE_GLUE_DATABASE: lake.glueDatabase } : {}),
        POWERTOOLS_SERVICE_NAME: STL_EXPORT_SERVICE,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    });
    const fn = this.handler.function;
    // A run that failed is not retried: the next scheduled run does the same work, and one
    // that could not start because the previous run is still going is dropped, not queued.
    fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(4) });

    const role = this.handler.role;
    const objects = lakeObjectStatements(lake, ['redshift/']);
    const config = configReadStatements(this, props.configRoot, props.parameterKmsKeyArn);
    const customTables = glueCustomTableStatements(this, lake.glueDatabase);
    for (const statement of [
      ...redshiftSourceStatements(this, props.clusters),
      ...config.statements,
      ...objects.statements,
      ...stateTableStatements(lake),
      ...gluePartitionStatements(this, lake.glueDatabase, props.glueTables),
      ...customTables.statements,
    ]) {
      role.addToPrincipalPolicy(statement);
    }

    const policy = role.node.findChild('DefaultPolicy');
    for (const arn of objects.objectArns) {
      acknowledgeFinding(
        policy,
        wildcardResourceRule(policy, arn),
        'The export writes one object per table, cluster, day and slot under the redshift/ prefix of the lake; ' +
          'the keys are not known in advance, only their prefix.',
      );
    }
    acknowledgeFinding(
      policy,
      wildcardResourceRule(policy, config.subtreeArn),
      'The configuration is every parameter under the root path (one per cluster, added by operators without a redeploy); ' +
        'GetParametersByPath reads the subtree.',
    );
    acknowledgeFinding(
      policy,
      wildcardResourceRule(policy, customTables.tableArn),
      'Custom exports are configured in SSM without a redeploy; the export declares their tables, all named custom_<name>, and no other.',
    );
    if (props.clusters.length > 0) {
      acknowledgeFinding(
        policy,
        'AwsSolutions-IAM5[Resource::*]',
        'DescribeStatement, GetStatementResult(V2) and CancelStatement take no resource in IAM; ' +
          'the statement-owner condition limits them to statements this role started.',
      );
    }

    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'opslake: run the STL export',
      schedule: events.Schedule.rate(props.interval ?? Duration.minutes(5)),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.minutes(4) })],
    });
  }
}
