import { CfnOutput, Fn } from 'aws-cdk-lib';
import type { StorageStack } from './storage-stack.js';

/**
 * What the stateless stacks need of the storage stack, as deploy-time strings. They travel as
 * CloudFormation exports with names chosen here rather than generated ones, so that the
 * importing templates (and the cdk-nag acknowledgments written against their policies) are
 * the same whether or not the storage stack is part of the same synth.
 */
export interface LakeReferences {
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly keyArn: string;
  readonly stateTableName: string;
  readonly stateTableArn: string;
  /** Plain strings from the settings: both stacks are built from the same ones. */
  readonly lakePrefix: string;
  readonly glueDatabase: string;
  readonly workGroup: string;
}

type Exported = 'bucketName' | 'bucketArn' | 'keyArn' | 'stateTableName' | 'stateTableArn';

const EXPORT_SUFFIX: Record<Exported, string> = {
  bucketName: 'LakeBucketName',
  bucketArn: 'LakeBucketArn',
  keyArn: 'LakeKeyArn',
  stateTableName: 'StateTableName',
  stateTableArn: 'StateTableArn',
};

function exportName(storageStackName: string, key: Exported): string {
  return `${storageStackName}:${EXPORT_SUFFIX[key]}`;
}

/** Publishes the storage stack's references as exports. */
export function exportLakeReferences(storage: StorageStack): void {
  const values: Record<Exported, string> = {
    bucketName: storage.lakeBucket.bucketName,
    bucketArn: storage.lakeBucket.bucketArn,
    keyArn: storage.lakeKey.keyArn,
    stateTableName: storage.stateTable.tableName,
    stateTableArn: storage.stateTable.tableArn,
  };
  for (const key of Object.keys(values) as Exported[]) {
    new CfnOutput(storage, `Export${EXPORT_SUFFIX[key]}`, { value: values[key], exportName: exportName(storage.stackName, key) });
  }
}

/** The references as imports, for a stack deployed after the storage stack named here. */
export function importLakeReferences(
  storageStackName: string,
  plain: Pick<LakeReferences, 'lakePrefix' | 'glueDatabase' | 'workGroup'>,
): LakeReferences {
  const imported = (key: Exported) => Fn.importValue(exportName(storageStackName, key));
  return {
    bucketName: imported('bucketName'),
    bucketArn: imported('bucketArn'),
    keyArn: imported('keyArn'),
    stateTableName: imported('stateTableName'),
    stateTableArn: imported('stateTableArn'),
    ...plain,
  };
}
