import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { acknowledgeFinding } from '../nag/acknowledge-finding.js';
import { acknowledgeManagedPolicies } from '../nag/acknowledge-managed-policies.js';
import { wildcardResourceRule } from '../nag/wildcard-resource-rule.js';

/** A view of `queries/`: its name and the `CREATE OR REPLACE VIEW` that makes it. */
export interface AthenaViewDefinition {
  readonly name: string;
  readonly ddl: string;
}

export interface AthenaViewsProps {
  /** In dependency order: a view comes after the views it reads. */
  readonly views: readonly AthenaViewDefinition[];
  readonly workGroup: string;
  readonly database: string;
  /** Tables the views read (Athena checks them when it creates a view). */
  readonly tables: readonly string[];
  readonly bucketArn: string;
  /** The workgroup's result prefix, e.g. `athena-results/`. */
  readonly resultsPrefix: string;
  readonly keyArn: string;
}

/**
 * Creates the views of `queries/` in Athena at deploy time (and again whenever their SQL
 * changes), so queries and data sets that read a view work on a fresh deployment. Athena is
 * the only writer of a view's Presto definition, so the stack asks Athena to run the DDL
 * rather than writing the Glue table itself. The call starts the statement and does not wait:
 * a failing view shows in the workgroup's query history, not as a failed deployment.
 */
export class AthenaViews extends Construct {
  readonly resources: readonly cr.AwsCustomResource[];

  constructor(scope: Construct, id: string, props: AthenaViewsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const glueArn = (resource: string, resourceName?: string) =>
      stack.formatArn({ service: 'glue', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const results = `${props.bucketArn}/${props.resultsPrefix}*`;
    const statements = [
      new iam.PolicyStatement({
        actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution'],
        resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: props.workGroup })],
      }),
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:CreateTable', 'glue:UpdateTable'],
        resources: [
          glueArn('catalog'),
          glueArn('database', props.database),
          ...[...props.tables, ...props.views.map((view) => view.name)].map((table) => glueArn('table', `${props.database}/${table}`)),
        ],
      }),
      new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'], resources: [results] }),
      new iam.PolicyStatement({ actions: ['s3:GetBucketLocation', 's3:ListBucket'], resources: [props.bucketArn] }),
      new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [props.keyArn] }),
    ];

    const resources: cr.AwsCustomResource[] = [];
    for (const view of props.views) {
      const call: cr.AwsSdkCall = {
        service: 'Athena',
        action: 'startQueryExecution',
        parameters: {
          QueryString: view.ddl,
          WorkGroup: props.workGroup,
          QueryExecutionContext: { Database: props.database },
        },
        // A new id when the SQL changes makes CloudFormation run the update.
        physicalResourceId: cr.PhysicalResourceId.of(`${view.name}-${createHash('sha256').update(view.ddl).digest('hex').slice(0, 16)}`),
      };
      const resource = new cr.AwsCustomResource(this, view.name, {
        onCreate: call,
        onUpdate: call,
        policy: cr.AwsCustomResourcePolicy.fromStatements(statements),
        installLatestAwsSdk: false,
      });
      const previous = resources.at(-1);
      if (previous) resource.node.addDependency(previous);
      resources.push(resource);
    }
    this.resources = resources;

    // Each view's custom resource has a policy of its own, with the same statements.
    for (const resource of resources) {
      const policy = resource.node.findChild('CustomResourcePolicy');
      acknowledgeFinding(
        policy,
        wildcardResourceRule(policy, results),
        'Athena writes the result and metadata of each DDL statement under the workgroup result prefix, with names it chooses.',
      );
    }
    const first = resources[0];
    if (first) {
      const provider = stack.node.tryFindChild(PROVIDER_ID);
      const role = provider?.node.tryFindChild('ServiceRole');
      if (role) {
        acknowledgeManagedPolicies(
          role,
          'CDK-provided function of AwsCustomResource that runs the view DDL at deploy time; its construct offers no way ' +
            'to replace the basic execution policy, which only lets it write its own logs.',
        );
      }
    }
  }
}

/** The id under which AwsCustomResource keeps its one function per stack. */
const PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';
