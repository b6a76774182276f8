import { ArnFormat, Duration, type RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { glueCompactionStatements, lakeCompactionStatements, stateTableStatements } from '../iam/lake-statements.js';
import { acknowledgeFinding } from '../nag/acknowledge-finding.js';
import { wildcardResourceRule } from '../nag/wildcard-resource-rule.js';
import type { LambdaArch } from '../opslake-settings.js';
import type { LakeReferences } from '../stacks/lake-references.js';
import { DuckDbFunction } from './duckdb-function.js';
import { METRICS_NAMESPACE } from './stl-export.js';
import { CUSTOM_TABLE_PREFIX } from '../../pipeline/tables/custom-tables.js';

/** Handler source of compaction (contract: `handler`, an EventBridge scheduled event). */
export const LAKE_COMPACT_ENTRY = 'jobs/lake-compact/handler.ts';
export const LAKE_COMPACT_SERVICE = 'opslake-lake-compact';

export interface LakeCompactProps {
  readonly lake: LakeReferences;
  /** Glue tables compacted (their partitions are listed and switched there). */
  readonly glueTables: readonly string[];
  /** Lake paths of those tables (`redshift/stl_query`, `cloudtrail/events`): the only prefixes it touches. */
  readonly tablePaths: readonly string[];
  readonly arch: LambdaArch;
  readonly logRemovalPolicy: RemovalPolicy;
  /**
   * Default hourly: shorter than the CloudTrail lateness (120 minutes), so a late file becomes
   * visible within the lateness of its arrival.
   */
  readonly interval?: Duration;
  /** See CompactionSettings.cloudtrailLatenessMinutes. Default 120. */
  readonly cloudtrailLatenessMinutes?: number;
  /** Compact the custom exports' tables too (`custom_<name>`, declared by the export at run time). */
  readonly customTables?: boolean;
}

/** DuckDB's memory limit in the function: see CompactionSettings.memoryLimitMb (the headroom is deliberate). */
const DUCKDB_MEMORY_MB = 1024;

/**
 * The scheduled compaction: one run at a time (reserved concurrency 1, and a lease in the state
 * table against the CLI), which stops starting partitions before its deadline; the next run goes
 * on. The function has three times DuckDB's memory limit (Node, the downloads' buffers and
 * DuckDB's allocations beyond its buffer pool), and 10 GB of /tmp for a partition's inputs,
 * its new generation and DuckDB's spill.
 */
export class LakeCompact extends Construct {
  readonly handler: DuckDbFunction;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: LakeCompactProps) {
    super(scope, id);
    const { lake } = props;

    this.handler = new DuckDbFunction(this, 'Handler', {
      entry: LAKE_COMPACT_ENTRY,
      description: 'opslake: compacts closed lake partitions and switches the catalog to them',
      arch: props.arch,
      memorySize: 3 * DUCKDB_MEMORY_MB,
      timeout: Duration.minutes(15),
      ephemeralStorage: Size.gibibytes(10),
      reservedConcurrentExecutions: 1,
      logRemovalPolicy: props.logRemovalPolicy,
      environment: {
        OPSLAKE_LAKE_BUCKET: lake.bucketName,
        OPSLAKE_LAKE_PREFIX: lake.lakePrefix,
        OPSLAKE_STATE_TABLE: lake.stateTableName,
        OPSLAKE_KMS_KEY_ARN: lake.keyArn,
        OPSLAKE_GLUE_DATABASE: lake.glueDatabase,
        OPSLAKE_CLOUDTRAIL_LATENESS_MINUTES: String(props.cloudtrailLatenessMinutes ?? 120),
        OPSLAKE_COMPACTION_MEMORY_MB: String(DUCKDB_MEMORY_MB),
        POWERTOOLS_SERVICE_NAME: LAKE_COMPACT_SERVICE,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    });
    const fn = this.handler.function;
    // Not retried: the next scheduled run takes up what this one left (dirty marks, watermarks).
    fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(30) });

    const role = this.handler.role;
    const objects = lakeCompactionStatements(lake, props.tablePaths);
    for (const statement of [
      ...objects.statements,
      ...stateTableStatements(lake),
      ...glueCompactionStatements(this, lake.glueDatabase, props.glueTables),
    ]) {
      role.addToPrincipalPolicy(statement);
    }
    const policy = role.node.findChild('DefaultPolicy');
    for (const arn of objects.objectArns) {
      acknowledgeFinding(
        policy,
        wildcardResourceRule(policy, arn),
        'Compaction reads and deletes the objects of a table (live objects and superseded generations, named by the jobs that ' +
          'wrote them) and writes generations under its _compacted/ folder; keys are known by prefix only.',
      );
    }

    if (props.customTables) this.#allowCustomTables(lake);

    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'opslake: compact closed lake partitions',
      schedule: events.Schedule.rate(props.interval ?? Duration.hours(1)),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 0 })],
    });
  }

  /**
   * The custom tables' access, in a policy of its own: the same statements as the registry's
   * tables, over the one pattern that names them all (`custom_*`), which cdk-nag reports as a
   * wildcard and which is acknowledged here, on the policy that holds it.
   */
  #allowCustomTables(lake: LakeReferences): void {
    const objects = lakeCompactionStatements(lake, [`redshift/${CUSTOM_TABLE_PREFIX}*`]);
    const glue = glueCompactionStatements(this, lake.glueDatabase, [`${CUSTOM_TABLE_PREFIX}*`]);
    const policy = new iam.Policy(this, 'CustomTablesPolicy', { statements: [...objects.statements, ...glue], roles: [this.handler.role] });
    const reason =
      'Custom exports are configured in SSM without a redeploy; their tables, all named custom_<name>, are compacted like the others.';
    for (const arn of objects.objectArns) acknowledgeFinding(policy, wildcardResourceRule(policy, arn), reason);
    const glueTable = Stack.of(this).formatArn({
      service: 'glue',
      resource: 'table',
      resourceName: `${lake.glueDatabase}/${CUSTOM_TABLE_PREFIX}*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    acknowledgeFinding(policy, wildcardResourceRule(policy, glueTable), reason);
  }
}
