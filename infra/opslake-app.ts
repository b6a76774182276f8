import type { App, Environment } from 'aws-cdk-lib';
import type { LakeSources } from './lake-sources.js';
import type { OpslakeSettings } from './opslake-settings.js';
import { importLakeReferences } from './stacks/lake-references.js';
import { PipelineStack } from './stacks/pipeline-stack.js';
import { QuickSightStack } from './stacks/quicksight-stack.js';
import { StorageStack } from './stacks/storage-stack.js';

export interface OpslakeStacks {
  readonly storage: StorageStack;
  readonly pipeline: PipelineStack;
  readonly quickSight: QuickSightStack | undefined;
}

/**
 * The opslake stacks in an app: storage (stateful), pipeline (stateless) and, when asked for,
 * QuickSight. Pure construction from the settings and the sources: the entry point reads
 * both, tests pass their own.
 */
export function addOpslakeStacks(app: App, settings: OpslakeSettings, sources: LakeSources, env?: Environment): OpslakeStacks {
  const prefix = settings.stackPrefix;
  const storage = new StorageStack(app, `${prefix}-Storage`, {
    env,
    description: 'opslake: lake bucket, state table, Glue catalog and Athena workgroup (stateful)',
    lakePrefix: settings.lakePrefix,
    glueDatabase: settings.glueDatabase,
    tableInputs: sources.tableInputs,
    namedQueries: sources.namedQueries,
    views: sources.views,
    athenaBytesScannedCutoff: settings.athenaBytesScannedCutoff,
    quarantineRetentionDays: settings.quarantineRetentionDays,
    noncurrentVersionRetentionDays: settings.noncurrentVersionRetentionDays,
    destroy: settings.destroy,
  });
  const lake = importLakeReferences(storage.stackName, {
    lakePrefix: settings.lakePrefix,
    glueDatabase: settings.glueDatabase,
    workGroup: storage.glueDatabaseName,
  });

  const pipeline = new PipelineStack(app, `${prefix}-Pipeline`, {
    env,
    description: 'opslake: STL export, CloudTrail ingestion, cluster configuration and alarms (stateless)',
    lake,
    clusters: settings.clusters,
    configRoot: settings.configRoot,
    arch: settings.arch,
    cloudTrail: settings.cloudTrailBucket
      ? { bucketName: settings.cloudTrailBucket, prefix: settings.cloudTrailPrefix, kmsKeyArn: settings.cloudTrailKmsKeyArn }
      : undefined,
    redshiftGlueTables: sources.redshiftGlueTables,
    cloudTrailGlueTables: sources.cloudTrailGlueTables,
    alarmEmail: settings.alarmEmail,
    alarmTopicArn: settings.alarmTopicArn,
    exportLagAlarmMinutes: settings.exportLagAlarmMinutes,
    parameterKmsKeyArn: settings.parameterKmsKeyArn,
    destroy: settings.destroy,
  });
  pipeline.addStackDependency(storage, 'imports the lake bucket, key and state table');

  let quickSight: QuickSightStack | undefined;
  if (settings.quickSight && settings.quickSightPrincipalArn !== undefined) {
    quickSight = new QuickSightStack(app, `${prefix}-QuickSight`, {
      env,
      description: 'opslake: QuickSight data source, data sets and dashboard over Athena',
      lake,
      principalArn: settings.quickSightPrincipalArn,
      serviceRoleName: settings.quickSightServiceRole,
      queries: sources.queries,
      lakeTables: sources.lakeTables,
    });
    quickSight.addStackDependency(storage, 'imports the lake bucket and key, and reads the Athena workgroup');
  }
  return { storage, pipeline, quickSight };
}
