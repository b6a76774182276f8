import { Annotations, ArnFormat, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as quicksight from 'aws-cdk-lib/aws-quicksight';
import type { Construct } from 'constructs';
import type { QueryLibrary } from '../../pipeline/query/query-library.js';
import type { LakeTable } from '../../pipeline/tables/lake-table.js';
import { acknowledgeFinding } from '../nag/acknowledge-finding.js';
import { wildcardResourceRule } from '../nag/wildcard-resource-rule.js';
import { dashboardDefinition, type DashboardDataSet } from '../quicksight/dashboard-definition.js';
import { dataSetSql } from '../quicksight/data-set-sql.js';
import { ATHENA_RESULTS_PREFIX } from './storage-stack.js';
import type { LakeReferences } from './lake-references.js';

export interface QuickSightStackProps extends StackProps {
  readonly lake: LakeReferences;
  /** QuickSight user or group that owns the data source, data sets and dashboard. */
  readonly principalArn: string;
  /** QuickSight's service role in this account (it runs the Athena queries). */
  readonly serviceRoleName: string;
  readonly queries: QueryLibrary;
  /** The lake tables, for column types and the Glue permissions. */
  readonly lakeTables: readonly LakeTable[];
}

const DATA_SOURCE_ACTIONS = [
  'quicksight:DescribeDataSource',
  'quicksight:DescribeDataSourcePermissions',
  'quicksight:PassDataSource',
  'quicksight:UpdateDataSource',
  'quicksight:DeleteDataSource',
  'quicksight:UpdateDataSourcePermissions',
];
const DATA_SET_ACTIONS = [
  'quicksight:DescribeDataSet',
  'quicksight:DescribeDataSetPermissions',
  'quicksight:PassDataSet',
  'quicksight:DescribeIngestion',
  'quicksight:ListIngestions',
  'quicksight:UpdateDataSet',
  'quicksight:DeleteDataSet',
  'quicksight:CreateIngestion',
  'quicksight:CancelIngestion',
  'quicksight:UpdateDataSetPermissions',
];
const DASHBOARD_ACTIONS = [
  'quicksight:DescribeDashboard',
  'quicksight:ListDashboardVersions',
  'quicksight:UpdateDashboardPermissions',
  'quicksight:QueryDashboard',
  'quicksight:UpdateDashboard',
  'quicksight:DeleteDashboard',
  'quicksight:DescribeDashboardPermissions',
  'quicksight:UpdateDashboardPublishedVersion',
];

/**
 * QuickSight over the lake: an Athena data source on the opslake workgroup, one direct-query
 * data set per query of `queries/`, and a dashboard with the chart each query suggests. The
 * account must already be subscribed to QuickSight; its service role gets read access to the
 * lake (and write access to the workgroup's result prefix) here.
 */
export class QuickSightStack extends Stack {
  readonly dataSource: quicksight.CfnDataSource;
  readonly dataSets: readonly quicksight.CfnDataSet[];
  readonly dashboard: quicksight.CfnDashboard;
  readonly serviceRolePolicy: iam.Policy;

  constructor(scope: Construct, id: string, props: QuickSightStackProps) {
    super(scope, id, props);
    const { lake } = props;
    const idPrefix = this.stackName.toLowerCase().replace(/[^a-z0-9-]/g, '-');

    this.serviceRolePolicy = this.grantServiceRole(props);

    this.dataSource = new quicksight.CfnDataSource(this, 'Athena', {
      awsAccountId: this.account,
      dataSourceId: `${idPrefix}-athena`,
      name: 'opslake (Athena)',
      type: 'ATHENA',
      dataSourceParameters: { athenaParameters: { workGroup: lake.workGroup } },
      sslProperties: { disableSsl: false },
      permissions: [{ principal: props.principalArn, actions: DATA_SOURCE_ACTIONS }],
    });
    this.dataSource.node.addDependency(this.serviceRolePolicy);

    const dataSets: quicksight.CfnDataSet[] = [];
    const used: DashboardDataSet[] = [];
    for (const query of props.queries.queries) {
      const built = dataSetSql(query, props.lakeTables);
      if ('skipped' in built) {
        if (!query.view)
          Annotations.of(this).addWarningV2(
            'opslake:quicksight-query-skipped',
            `queries/${query.name}.sql has no QuickSight data set: ${built.skipped}`,
          );
        continue;
      }
      const physicalId = 'query';
      const dataSet = new quicksight.CfnDataSet(this, `DataSet-${query.name}`, {
        awsAccountId: this.account,
        dataSetId: `${idPrefix}-${query.name.replaceAll('_', '-')}`,
        name: query.title,
        importMode: 'DIRECT_QUERY',
        physicalTableMap: {
          [physicalId]: {
            customSql: {
              dataSourceArn: this.dataSource.attrArn,
              name: query.name,
              sqlQuery: built.sql,
              columns: built.columns.map((column) => ({ name: column.name, type: column.type })),
            },
          },
        },
        permissions: [{ principal: props.principalArn, actions: DATA_SET_ACTIONS }],
      });
      dataSets.push(dataSet);
      used.push({ query, identifier: query.name, dataSetArn: dataSet.attrArn, columns: built.columns });
    }
    this.dataSets = dataSets;

    this.dashboard = new quicksight.CfnDashboard(this, 'Dashboard', {
      awsAccountId: this.account,
      dashboardId: `${idPrefix}-dashboard`,
      name: 'opslake',
      definition: dashboardDefinition(used),
      permissions: [{ principal: props.principalArn, actions: DASHBOARD_ACTIONS }],
      dashboardPublishOptions: {
        adHocFilteringOption: { availabilityStatus: 'ENABLED' },
        exportToCsvOption: { availabilityStatus: 'ENABLED' },
        sheetControlsOption: { visibilityState: 'EXPANDED' },
      },
    });

    new CfnOutput(this, 'DashboardId', { value: `${idPrefix}-dashboard`, description: 'QuickSight dashboard id' });
  }

  /**
   * QuickSight runs Athena as its service role: it must read the lake and the catalog, write
   * the workgroup's results, and use the lake key. Added as a policy of its own on that role.
   */
  private grantServiceRole(props: QuickSightStackProps): iam.Policy {
    const { lake } = props;
    const glueArn = (resource: string, resourceName?: string) =>
      this.formatArn({ service: 'glue', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const lakeObjects = `${lake.bucketArn}/${lake.lakePrefix}/*`;
    const results = `${lake.bucketArn}/${ATHENA_RESULTS_PREFIX}*`;
    const viewNames = props.queries.queries.flatMap((query) => (query.view ? [query.view] : []));
    const policy = new iam.Policy(this, 'ServiceRoleLakeAccess', {
      roles: [iam.Role.fromRoleName(this, 'ServiceRole', props.serviceRoleName)],
      statements: [
        new iam.PolicyStatement({
          sid: 'AthenaWorkGroup',
          actions: [
            'athena:StartQueryExecution',
            'athena:GetQueryExecution',
            'athena:GetQueryResults',
            'athena:StopQueryExecution',
            'athena:GetWorkGroup',
          ],
          resources: [this.formatArn({ service: 'athena', resource: 'workgroup', resourceName: lake.workGroup })],
        }),
        new iam.PolicyStatement({
          sid: 'Catalog',
          actions: [
            'glue:GetDatabase',
            'glue:GetTable',
            'glue:GetTables',
            'glue:GetPartition',
            'glue:GetPartitions',
            'glue:BatchGetPartition',
          ],
          resources: [
            glueArn('catalog'),
            glueArn('database', lake.glueDatabase),
            ...[...props.lakeTables.map((table) => table.name), ...viewNames].map((table) =>
              glueArn('table', `${lake.glueDatabase}/${table}`),
            ),
          ],
        }),
        new iam.PolicyStatement({ sid: 'LakeRead', actions: ['s3:GetObject'], resources: [lakeObjects] }),
        new iam.PolicyStatement({
          sid: 'Results',
          actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
          resources: [results],
        }),
        new iam.PolicyStatement({
          sid: 'Bucket',
          actions: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
          resources: [lake.bucketArn],
        }),
        new iam.PolicyStatement({ sid: 'LakeKey', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [lake.keyArn] }),
      ],
    });
    acknowledgeFinding(
      policy,
      wildcardResourceRule(policy, lakeObjects),
      'Athena reads whichever Parquet objects of the lake a query needs, under the lake prefix only.',
    );
    acknowledgeFinding(
      policy,
      wildcardResourceRule(policy, results),
      'Athena writes one result object per query under the workgroup result prefix, with names it chooses.',
    );
    return policy;
  }
}
