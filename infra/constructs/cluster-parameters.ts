import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { EXPORT_TABLE_NAMES } from '../../pipeline/tables/registry.js';
import type { ClusterSettings } from '../opslake-settings.js';

export interface ClusterParametersProps {
  readonly configRoot: string;
  readonly clusters: readonly ClusterSettings[];
}

/** The SSM parameter name of a cluster's document. */
export function clusterParameterName(configRoot: string, cluster: string): string {
  return `${configRoot}/clusters/${cluster}`;
}

/**
 * The JSON document the export reads for one cluster (DESIGN.md §6). It names a secret by ARN
 * but never holds one: passwords for the direct wire-protocol mode are SecureStrings that the
 * operator creates beside it, because CloudFormation cannot create a SecureString without
 * putting its value in the template.
 */
export function clusterDocument(cluster: ClusterSettings): Record<string, unknown> {
  const document: Record<string, unknown> = { kind: cluster.kind };
  if (cluster.kind === 'provisioned') document.clusterIdentifier = cluster.clusterIdentifier;
  else document.workgroupName = cluster.workgroupName;
  document.database = cluster.database;
  if (cluster.auth.type === 'db-user') document.dbUser = cluster.auth.dbUser;
  if (cluster.auth.type === 'secret') document.secretArn = cluster.auth.secretArn;
  if (cluster.views !== 'auto') document.views = cluster.views;
  // Every table is the default, left out: each run exports those of the dialect the source is
  // read through (a list of all of them would name views that this source does not have).
  const all = cluster.tables.length === EXPORT_TABLE_NAMES.length && EXPORT_TABLE_NAMES.every((name) => cluster.tables.includes(name));
  if (!all) document.tables = [...cluster.tables];
  document.enabled = cluster.enabled;
  return document;
}

/** One String parameter per configured cluster, `<root>/clusters/<name>`. */
export class ClusterParameters extends Construct {
  readonly parameters: ReadonlyMap<string, ssm.StringParameter>;

  constructor(scope: Construct, id: string, props: ClusterParametersProps) {
    super(scope, id);
    const parameters = new Map<string, ssm.StringParameter>();
    for (const cluster of props.clusters) {
      parameters.set(
        cluster.name,
        new ssm.StringParameter(this, cluster.name, {
          parameterName: clusterParameterName(props.configRoot, cluster.name),
          description: `opslake source ${cluster.name} (${cluster.kind})`,
          stringValue: JSON.stringify(clusterDocument(cluster)),
          tier: ssm.ParameterTier.STANDARD,
        }),
      );
    }
    this.parameters = parameters;
  }
}
