import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import type { ClusterSettings } from '../opslake-settings.js';

/**
 * What the export needs to read the system views of the configured sources, and nothing of any
 * other cluster: the Data API on exactly these clusters and workgroups, credentials for exactly
 * these database users, these secrets and their keys.
 */
export function redshiftSourceStatements(scope: IConstruct, clusters: readonly ClusterSettings[]): iam.PolicyStatement[] {
  if (clusters.length === 0) return [];
  const stack = Stack.of(scope);
  const redshiftArn = (resource: string, resourceName: string) =>
    stack.formatArn({ service: 'redshift', resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });

  const targets: string[] = [];
  const dbUserResources: string[] = [];
  const workgroupCredentials: string[] = [];
  const secrets: string[] = [];
  const secretKeys: string[] = [];

  for (const cluster of clusters) {
    const target =
      cluster.kind === 'provisioned'
        ? redshiftArn('cluster', required(cluster.clusterIdentifier, cluster.name))
        : required(cluster.workgroupArn, cluster.name);
    targets.push(target);
    switch (cluster.auth.type) {
      case 'db-user':
        dbUserResources.push(
          redshiftArn('dbuser', `${cluster.clusterIdentifier}/${cluster.auth.dbUser}`),
          redshiftArn('dbname', `${cluster.clusterIdentifier}/${cluster.database}`),
        );
        break;
      case 'secret':
        secrets.push(cluster.auth.secretArn);
        if (cluster.secretKmsKeyArn) secretKeys.push(cluster.secretKmsKeyArn);
        break;
      case 'iam':
        workgroupCredentials.push(target);
        break;
    }
  }

  const statements = [
    new iam.PolicyStatement({
      sid: 'DataApiOnSources',
      actions: ['redshift-data:ExecuteStatement'],
      resources: unique(targets),
    }),
    new iam.PolicyStatement({
      // These actions name a statement id, not a cluster, so IAM takes no resource for them;
      // the condition limits them to statements this role itself started.
      sid: 'DataApiOwnStatements',
      // GetStatementResultV2 reads a CSV result (see data-api-result-format.ts).
      actions: [
        'redshift-data:DescribeStatement',
        'redshift-data:GetStatementResult',
        'redshift-data:GetStatementResultV2',
        'redshift-data:CancelStatement',
      ],
      resources: ['*'],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, resolved by IAM, not a template.
      conditions: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
    }),
  ];
  if (dbUserResources.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ClusterCredentials',
        actions: ['redshift:GetClusterCredentials'],
        resources: unique(dbUserResources),
      }),
    );
  }
  if (workgroupCredentials.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'WorkgroupCredentials',
        actions: ['redshift-serverless:GetCredentials'],
        resources: unique(workgroupCredentials),
      }),
    );
  }
  if (secrets.length > 0) {
    statements.push(
      new iam.PolicyStatement({ sid: 'SourceSecrets', actions: ['secretsmanager:GetSecretValue'], resources: unique(secrets) }),
    );
  }
  if (secretKeys.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'SourceSecretKeys',
        actions: ['kms:Decrypt'],
        resources: unique(secretKeys),
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.${stack.urlSuffix}` } },
      }),
    );
  }
  return statements;
}

/** Reading the configuration: every parameter under the root path, SecureStrings included. */
export function configReadStatements(
  scope: IConstruct,
  configRoot: string,
  parameterKmsKeyArn?: string,
): { statements: iam.PolicyStatement[]; subtreeArn: string } {
  const stack = Stack.of(scope);
  const parameterArn = (path: string) =>
    stack.formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: path.replace(/^\//, ''),
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  const subtreeArn = parameterArn(`${configRoot}/*`);
  const statements = [
    new iam.PolicyStatement({
      sid: 'ConfigByPath',
      actions: ['ssm:GetParametersByPath'],
      resources: [parameterArn(configRoot), subtreeArn],
    }),
  ];
  if (parameterKmsKeyArn) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ConfigKey',
        actions: ['kms:Decrypt'],
        resources: [parameterKmsKeyArn],
        conditions: { StringEquals: { 'kms:ViaService': `ssm.${stack.region}.${stack.urlSuffix}` } },
      }),
    );
  }
  return { statements, subtreeArn };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Settings validation guarantees the identifier of each kind; a missing one here is a programming error. */
function required(value: string | undefined, source: string): string {
  if (value === undefined) throw new RangeError(`source ${source} has no cluster identifier or workgroup ARN`);
  return value;
}
