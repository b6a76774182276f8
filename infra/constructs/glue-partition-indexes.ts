import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeManagedPolicies } from '../nag/acknowledge-managed-policies.js';

export interface GluePartitionIndexesProps {
  readonly database: string;
  /** Tables that have a `day` partition key. */
  readonly tables: readonly string[];
}

/** The index every table gets: partitions by `day`, the key every day-range lookup filters on. */
export const DAY_INDEX = { IndexName: 'by_day', Keys: ['day'] } as const;

/**
 * A Glue partition index on `day` for each table, created at deploy time through the Glue API
 * (CloudFormation has no resource for it). Partitions are registered, not projected: compaction
 * moves a partition to its generation's folder, which a projection template cannot follow. The
 * index lets GetPartitions with a day range (Athena's planning, compaction's enumeration) skip
 * the table's other partitions. An index that exists already is left as it is.
 */
export class GluePartitionIndexes extends Construct {
  readonly resources: readonly cr.AwsCustomResource[];

  constructor(scope: Construct, id: string, props: GluePartitionIndexesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const glueArn = (resource: string, resourceName?: string) =>
      stack.formatArn({ service: 'glue', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const statement = new iam.PolicyStatement({
      actions: ['glue:CreatePartitionIndex', 'glue:GetTable', 'glue:UpdateTable'],
      resources: [
        glueArn('catalog'),
        glueArn('database', props.database),
        ...props.tables.map((table) => glueArn('table', `${props.database}/${table}`)),
      ],
    });
    this.resources = props.tables.map((table) => {
      const call: cr.AwsSdkCall = {
        service: 'Glue',
        action: 'createPartitionIndex',
        parameters: { DatabaseName: props.database, TableName: table, PartitionIndex: DAY_INDEX },
        physicalResourceId: cr.PhysicalResourceId.of(`${table}-${DAY_INDEX.IndexName}`),
        ignoreErrorCodesMatching: 'AlreadyExistsException',
      };
      return new cr.AwsCustomResource(this, table, {
        onCreate: call,
        onUpdate: call,
        policy: cr.AwsCustomResourcePolicy.fromStatements([statement]),
        installLatestAwsSdk: false,
      });
    });
    const role = stack.node.tryFindChild(PROVIDER_ID)?.node.tryFindChild('ServiceRole');
    if (role && this.resources.length > 0) {
      acknowledgeManagedPolicies(
        role,
        'CDK-provided function of AwsCustomResource that runs deploy-time API calls (view DDL, partition indexes); its ' +
          'construct offers no way to replace the basic execution policy, which only lets it write its own logs.',
      );
    }
  }
}

/** The id under which AwsCustomResource keeps its one function per stack. */
const PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';
