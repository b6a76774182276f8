import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lakeTables } from '../../pipeline/tables/registry.js';
import { ACCOUNT, FULL_CONTEXT, REGION, buildTestApp, removeTestApps } from './infra-test-app.js';
import { asList, importValue, joined, policyOf, resources, resourceWhere, statement, valueAt } from './template-queries.js';

describe('lake-compact in the pipeline stack', () => {
  /** The statements of the registry's tables (those of the custom tables are in a policy of their own). */
  const registryStatements = () => policyOf(template, 'LakeCompact').filter((s) => !JSON.stringify(s.Resource ?? '').includes('custom_*'));
  afterAll(removeTestApps);

  let template: Template;

  beforeAll(async () => {
    template = (await buildTestApp(FULL_CONTEXT)).template('pipeline');
  });

  it('runs hourly, one run at a time, with room for DuckDB and a partition in /tmp, and the environment its handler reads', () => {
    const [functionId, fn] = resourceWhere(template, 'AWS::Lambda::Function', ([id]) => id.startsWith('LakeCompact'));
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      ReservedConcurrentExecutions: 1,
      Timeout: 900,
      MemorySize: 3072,
      EphemeralStorage: { Size: 10240 },
      Environment: {
        Variables: {
          OPSLAKE_LAKE_BUCKET: importValue('LakeBucketName'),
          OPSLAKE_LAKE_PREFIX: 'lake',
          OPSLAKE_STATE_TABLE: importValue('StateTableName'),
          OPSLAKE_KMS_KEY_ARN: importValue('LakeKeyArn'),
          OPSLAKE_GLUE_DATABASE: 'opslake',
          OPSLAKE_CLOUDTRAIL_LATENESS_MINUTES: '120',
          OPSLAKE_COMPACTION_MEMORY_MB: '1024',
          POWERTOOLS_SERVICE_NAME: 'opslake-lake-compact',
        },
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionId, 'Arn'] } })],
    });
  });

  it('deletes only under the tables, writes only under their _compacted/ folders, and never touches the quarantine', () => {
    const statements = registryStatements();
    const tableArn = (path: string, rest = '') => joined(importValue('LakeBucketArn'), `/lake/${path}/${rest}*`);
    const paths = lakeTables().map((table) => table.path);
    const read = statement(statements, 'LakeTablesRead');
    expect(asList(read.Action).sort()).toEqual(['s3:DeleteObject', 's3:GetObject']);
    expect(asList(read.Resource)).toHaveLength(paths.length);
    expect(asList(read.Resource)).toEqual(expect.arrayContaining(paths.map((path) => tableArn(path))));
    const write = statement(statements, 'LakeGenerationsWrite');
    expect(asList(write.Action).sort()).toEqual(['s3:AbortMultipartUpload', 's3:PutObject']);
    expect(asList(write.Resource)).toHaveLength(paths.length);
    expect(asList(write.Resource)).toEqual(expect.arrayContaining(paths.map((path) => tableArn(path, '_compacted/'))));
    // Nothing else puts or deletes objects, and nothing reaches the quarantine or the bucket's other prefixes.
    const objectActions = statements.filter((s) => asList(s.Action).some((action) => /^s3:(Put|Delete)Object$/.test(String(action))));
    expect(objectActions.map((s) => s.Sid).sort()).toEqual(['LakeGenerationsWrite', 'LakeTablesRead']);
    const custom = policyOf(template, 'LakeCompact').filter((s) => !statements.includes(s));
    const customObjectActions = custom.filter((s) => asList(s.Action).some((action) => /^s3:(Put|Delete)Object$/.test(String(action))));
    expect(customObjectActions.map((s) => s.Sid).sort()).toEqual(['LakeGenerationsWrite', 'LakeTablesRead']);
    expect(JSON.stringify(statements)).not.toContain('_quarantine');
    expect(statement(statements, 'LakeList')).toMatchObject({
      Action: 's3:ListBucket',
    });
    const listed = valueAt(statement(statements, 'LakeList'), 'Condition', 'StringLike', 's3:prefix');
    expect(asList(listed).sort()).toEqual(paths.map((path) => `lake/${path}/*`).sort());
  });

  it("compacts custom exports' tables through one pattern, custom_*, with the same access as the others", () => {
    const statements = policyOf(template, 'LakeCompact');
    const customArn = (rest = '') => joined(importValue('LakeBucketArn'), `/lake/redshift/custom_*/${rest}*`);
    const reads = statements.filter((s) => s.Sid === 'LakeTablesRead').flatMap((s) => asList(s.Resource));
    expect(reads).toContainEqual(customArn());
    const writes = statements.filter((s) => s.Sid === 'LakeGenerationsWrite').flatMap((s) => asList(s.Resource));
    expect(writes).toContainEqual(customArn('_compacted/'));
    const glue = statements.filter((s) => s.Sid === 'GlueCompaction').flatMap((s) => asList(s.Resource));
    expect(glue).toContain(`arn:aws:glue:${REGION}:${ACCOUNT}:table/opslake/custom_*`);
    expect(glue.filter((arn) => /table\/opslake\/.*\*/.test(String(arn)))).toEqual([
      `arn:aws:glue:${REGION}:${ACCOUNT}:table/opslake/custom_*`,
    ]);
  });

  it('lists and switches partitions in Glue, and uses the state table and its ledger index', () => {
    const statements = registryStatements();
    const glue = statement(statements, 'GlueCompaction');
    expect(asList(glue.Action).sort()).toEqual([
      'glue:CreatePartition',
      'glue:GetPartition',
      'glue:GetPartitions',
      'glue:GetTable',
      'glue:UpdatePartition',
    ]);
    expect(asList(glue.Resource)).toContain(`arn:aws:glue:${REGION}:${ACCOUNT}:table/opslake/cloudtrail_events`);
    expect(asList(glue.Resource)).toContain(`arn:aws:glue:${REGION}:${ACCOUNT}:table/opslake/stl_query`);
    expect(JSON.stringify(glue.Action)).not.toMatch(/Delete|UpdateTable|CreateTable/);
    const state = statement(statements, 'StateTable');
    expect(asList(state.Action)).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem']));
    expect(asList(state.Resource)).toEqual([importValue('StateTableArn'), joined(importValue('StateTableArn'), '/index/ledger-by-day')]);
  });

  it('alarms on a failed partition at once, and on partitions overdue for three runs or no report at all', () => {
    const alarm = (metricName: string) =>
      resources(template, 'AWS::CloudWatch::Alarm').find(([, a]) => a.Properties.MetricName === metricName)?.[1].Properties;
    const dimensions = [{ Name: 'service', Value: 'opslake-lake-compact' }];
    expect(alarm('CompactionFailures')).toMatchObject({
      Namespace: 'opslake',
      Dimensions: dimensions,
      Statistic: 'Sum',
      Period: 3600,
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(alarm('PartitionsOverdue')).toMatchObject({
      Namespace: 'opslake',
      Dimensions: dimensions,
      Statistic: 'Minimum',
      Period: 3600,
      Threshold: 1,
      EvaluationPeriods: 3,
      TreatMissingData: 'breaching',
    });
    expect(valueAt(alarm('PartitionsOverdue'), 'AlarmActions')).toBeDefined();
  });

  it('gives the CloudTrail ingestion the state table for its ledger', () => {
    const [, fn] = resourceWhere(template, 'AWS::Lambda::Function', ([id]) => id.startsWith('CloudTrailIngest'));
    expect(valueAt(fn.Properties, 'Environment', 'Variables', 'OPSLAKE_STATE_TABLE')).toEqual(importValue('StateTableName'));
    expect(asList(statement(policyOf(template, 'CloudTrailIngest'), 'StateTable').Action)).toContain('dynamodb:BatchWriteItem');
  });
});
