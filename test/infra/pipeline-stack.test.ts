import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterParameterName } from '../../infra/constructs/cluster-parameters.js';
import { ConfigLocation } from '../../pipeline/config/config-location.js';
import { validateCluster } from '../../pipeline/config/validate-config.js';
import { EXPORT_TABLE_NAMES } from '../../pipeline/tables/registry.js';
import {
  ACCOUNT,
  FLEET,
  FULL_CONTEXT,
  REGION,
  SECRET_ARN,
  SECRET_KEY_ARN,
  TRAIL_KEY_ARN,
  WORKGROUP_ARN,
  buildTestApp,
  removeTestApps,
} from './infra-test-app.js';
import { asList, importValue, joined, policyOf, resources, resourceWhere, statement, valueAt } from './template-queries.js';

describe('PipelineStack', () => {
  afterAll(removeTestApps);

  let template: Template;
  let x86: Template;

  beforeAll(async () => {
    template = (await buildTestApp(FULL_CONTEXT)).template('pipeline');
    x86 = (await buildTestApp({ 'opslake:clusters': FLEET, 'opslake:arch': 'x86_64' })).template('pipeline');
  });

  describe('stl-export', () => {
    it('runs on nodejs24.x, arm64 by default and x86_64 when asked, one run at a time', () => {
      const props = { Runtime: 'nodejs24.x', Handler: 'index.handler', ReservedConcurrentExecutions: 1, Timeout: 900 };
      template.hasResourceProperties('AWS::Lambda::Function', {
        ...props,
        Architectures: ['arm64'],
        Description: Match.stringLikeRegexp('STL'),
      });
      x86.hasResourceProperties('AWS::Lambda::Function', {
        ...props,
        Architectures: ['x86_64'],
        Description: Match.stringLikeRegexp('STL'),
      });
    });

    it('gets the contract environment, pointing at the storage stack exports', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp('STL'),
        Environment: {
          Variables: {
            OPSLAKE_CONFIG_ROOT: '/opslake',
            OPSLAKE_LAKE_BUCKET: importValue('LakeBucketName'),
            OPSLAKE_LAKE_PREFIX: 'lake',
            OPSLAKE_STATE_TABLE: importValue('StateTableName'),
            OPSLAKE_KMS_KEY_ARN: importValue('LakeKeyArn'),
            OPSLAKE_GLUE_DATABASE: 'opslake',
            POWERTOOLS_SERVICE_NAME: 'opslake-stl-export',
            POWERTOOLS_METRICS_NAMESPACE: 'opslake',
          },
        },
      });
    });

    it('is scheduled every 5 minutes and never retried or queued behind a running export', () => {
      const [fnId] = resourceWhere(template, 'AWS::Lambda::Function', ([id]) => id.startsWith('StlExport'));
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(5 minutes)',
        State: 'ENABLED',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } })],
      });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fnId },
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 240,
      });
    });

    it('may use the Data API on the configured clusters and workgroups only', () => {
      const statements = policyOf(template, 'StlExport');
      const dataApi = statement(statements, 'DataApiOnSources');
      expect(asList(dataApi.Action)).toEqual(['redshift-data:ExecuteStatement']);
      expect(asList(dataApi.Resource).sort()).toEqual(
        [
          WORKGROUP_ARN,
          `arn:aws:redshift:${REGION}:${ACCOUNT}:cluster:analytics-prod`,
          `arn:aws:redshift:${REGION}:${ACCOUNT}:cluster:etl-prod`,
        ].sort(),
      );
      const own = statement(statements, 'DataApiOwnStatements');
      expect(own.Resource).toBe('*');
      expect([...asList(own.Action)].sort()).toEqual([
        'redshift-data:CancelStatement',
        'redshift-data:DescribeStatement',
        'redshift-data:GetStatementResult',
        'redshift-data:GetStatementResultV2',
      ]);
      // IAM's policy variable, written as IAM reads it.
      const callerUserId = `\${aws:userid}`;
      expect(own.Condition).toEqual({ StringEquals: { 'redshift-data:statement-owner-iam-userid': callerUserId } });
      for (const s of statements) {
        if (s.Resource === '*') expect(s.Sid).toBe('DataApiOwnStatements');
        for (const action of asList(s.Action)) expect(action).not.toMatch(/\*/);
      }
    });

    it('gets temporary credentials for the configured database users, secrets for the others', () => {
      const statements = policyOf(template, 'StlExport');
      expect(statement(statements, 'ClusterCredentials')).toMatchObject({ Action: 'redshift:GetClusterCredentials' });
      expect(asList(statement(statements, 'ClusterCredentials').Resource).sort()).toEqual(
        [
          `arn:aws:redshift:${REGION}:${ACCOUNT}:dbname:analytics-prod/dev`,
          `arn:aws:redshift:${REGION}:${ACCOUNT}:dbuser:analytics-prod/opslake_reader`,
          `arn:aws:redshift:${REGION}:${ACCOUNT}:dbname:etl-prod/etl`,
          `arn:aws:redshift:${REGION}:${ACCOUNT}:dbuser:etl-prod/opslake_reader`,
        ].sort(),
      );
      expect(statement(statements, 'SourceSecrets')).toMatchObject({ Action: 'secretsmanager:GetSecretValue', Resource: SECRET_ARN });
      expect(statement(statements, 'SourceSecretKeys')).toMatchObject({
        Action: 'kms:Decrypt',
        Resource: SECRET_KEY_ARN,
        Condition: { StringEquals: { 'kms:ViaService': joined(`secretsmanager.${REGION}.`, { Ref: 'AWS::URLSuffix' }) } },
      });
    });

    it('reads its configuration by path under the root only', () => {
      expect(statement(policyOf(template, 'StlExport'), 'ConfigByPath')).toEqual({
        Sid: 'ConfigByPath',
        Effect: 'Allow',
        Action: 'ssm:GetParametersByPath',
        Resource: [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/opslake`, `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/opslake/*`],
      });
    });

    it('writes the redshift part of the lake and the state table, with the lake key', () => {
      const statements = policyOf(template, 'StlExport');
      expect(statement(statements, 'LakeObjects')).toMatchObject({
        Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'],
        Resource: joined(importValue('LakeBucketArn'), '/lake/redshift/*'),
      });
      expect(statement(statements, 'LakeList')).toMatchObject({
        Action: 's3:ListBucket',
        Resource: importValue('LakeBucketArn'),
        Condition: { StringLike: { 's3:prefix': ['lake/redshift/*'] } },
      });
      expect(statement(statements, 'LakeKey')).toMatchObject({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: importValue('LakeKeyArn'),
      });
      expect(statement(statements, 'StateTable')).toMatchObject({
        Resource: [importValue('StateTableArn'), joined(importValue('StateTableArn'), '/index/ledger-by-day')],
      });
      expect(asList(statement(statements, 'StateTable').Action)).not.toContain('dynamodb:DeleteTable');
    });

    it('registers partitions of the Redshift tables only', () => {
      const glue = statement(policyOf(template, 'StlExport'), 'GluePartitions');
      const tables = asList(glue.Resource).filter((arn) => typeof arn === 'string' && arn.includes(':table/')) as string[];
      expect(tables).toContain(`arn:aws:glue:${REGION}:${ACCOUNT}:table/opslake/stl_query`);
      expect(tables.some((arn) => arn.includes('cloudtrail'))).toBe(false);
    });
  });

  describe('cluster parameters', () => {
    it('writes one String parameter per cluster that the export validator accepts, with no secret in it', () => {
      const parameters = resources(template, 'AWS::SSM::Parameter');
      expect(parameters.map(([, p]) => p.Properties.Name).sort()).toEqual(
        FLEET.map((cluster) => clusterParameterName('/opslake', cluster.name)).sort(),
      );
      for (const [, parameter] of parameters) {
        expect(parameter.Properties.Type).toBe('String');
        const parameterName = String(parameter.Properties.Name);
        const name = parameterName.split('/').at(-1) ?? '';
        const document = JSON.parse(parameter.Properties.Value as string);
        expect(JSON.stringify(document)).not.toMatch(/password/i);
        const config = validateCluster(document, new ConfigLocation(parameterName), {
          source: 'ssm',
          name,
          passwordParameter: `${parameterName}/password`,
        });
        const given = FLEET.find((cluster) => cluster.name === name);
        expect(given, name).toBeDefined();
        expect(config).toMatchObject({ name, kind: given?.kind, database: given?.database, enabled: given?.enabled ?? true });
        // The tables as given; left out, every table (each run keeps those of the source's dialect).
        expect(config.tables).toEqual(given && 'tables' in given ? given.tables : EXPORT_TABLE_NAMES);
      }
    });
  });

  describe('cloudtrail-ingest', () => {
    it('queues the trail bucket notifications in an encrypted queue with a dead-letter queue', () => {
      const queues = resources(template, 'AWS::SQS::Queue');
      expect(queues).toHaveLength(2);
      for (const [, queue] of queues) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      const [dlqId] = resourceWhere(template, 'AWS::SQS::Queue', ([, q]) => q.Properties.RedrivePolicy === undefined);
      template.hasResourceProperties('AWS::SQS::Queue', {
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
        VisibilityTimeout: 1800,
      });
      for (const [, policy] of resources(template, 'AWS::SQS::QueuePolicy')) {
        expect(valueAt(policy.Properties, 'PolicyDocument', 'Statement')).toContainEqual(
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        );
      }
    });

    it('subscribes to ObjectCreated under the prefix of the existing bucket, which it does not create', () => {
      expect(resources(template, 'AWS::S3::Bucket')).toHaveLength(0);
      template.hasResourceProperties('Custom::S3BucketNotifications', {
        BucketName: 'org-trail-logs',
        Managed: false,
        NotificationConfiguration: {
          QueueConfigurations: [
            Match.objectLike({ Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'AWSLogs/' }] } } }),
          ],
        },
      });
    });

    it('reports partial batch failures', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 10,
      });
    });

    it('may read the trail bucket under its prefix and write the cloudtrail and quarantine parts of the lake', () => {
      const statements = policyOf(template, 'CloudTrailIngest');
      // HeadObject of a quarantined input is authorized by s3:GetObject too.
      expect(statement(statements, 'TrailObjects')).toMatchObject({
        Action: 's3:GetObject',
        Resource: joined('arn:', { Ref: 'AWS::Partition' }, ':s3:::org-trail-logs/AWSLogs/*'),
      });
      expect(statement(statements, 'TrailKey')).toMatchObject({ Action: 'kms:Decrypt', Resource: TRAIL_KEY_ARN });
      // Outputs are named from the input key and overwritten on redelivery: nothing is read,
      // listed or deleted in the lake.
      const lakeObjects = statement(statements, 'LakeObjects');
      expect(asList(lakeObjects.Action).sort()).toEqual(['s3:AbortMultipartUpload', 's3:PutObject']);
      expect(asList(lakeObjects.Resource)).toHaveLength(2);
      expect(asList(lakeObjects.Resource)).toEqual(
        expect.arrayContaining([
          joined(importValue('LakeBucketArn'), '/lake/cloudtrail/*'),
          joined(importValue('LakeBucketArn'), '/lake/_quarantine/cloudtrail/*'),
        ]),
      );
      expect(statements.some((s) => asList(s.Action).includes('s3:ListBucket'))).toBe(false);
      expect(statement(statements, 'LakeKey')).toMatchObject({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: importValue('LakeKeyArn'),
      });
      const trailStatements = statements.filter((s) => JSON.stringify(s.Resource).includes('org-trail-logs'));
      expect(trailStatements.map((s) => s.Sid)).toEqual(['TrailObjects']);
      expect(statements.some((s) => JSON.stringify(s).includes('ssm:') || JSON.stringify(s).includes('redshift'))).toBe(false);
    });
  });

  describe('alarms', () => {
    it('raises export lag per enabled cluster from the metric the export emits', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'opslake',
        MetricName: 'ExportLagSeconds',
        Dimensions: Match.arrayEquals([
          { Name: 'cluster', Value: 'analytics' },
          { Name: 'service', Value: 'opslake-stl-export' },
        ]),
        Statistic: 'Maximum',
        Threshold: 7200,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'breaching',
      });
      const lagAlarms = resources(template, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.MetricName === 'ExportLagSeconds');
      // etl is disabled: an alarm would only say what everyone knows.
      const clusterOf = (alarm: unknown) => asList(valueAt(alarm, 'Dimensions')).find((d) => valueAt(d, 'Name') === 'cluster');
      expect(lagAlarms.map(([, a]) => valueAt(clusterOf(a.Properties), 'Value')).sort()).toEqual(['analytics', 'bi']);
    });

    it('raises recorded gaps, handler errors and dead letters, and sends all to the alarm topic', () => {
      const [topicId] = resourceWhere(template, 'AWS::SNS::Topic');
      for (const metricName of ['GapsRecorded', 'Errors', 'ApproximateNumberOfMessagesVisible']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: metricName, AlarmActions: [{ Ref: topicId }] });
      }
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'ops@example.com',
        TopicArn: { Ref: topicId },
      });
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
      template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' } })]) },
      });
    });

    it('has no actions when no topic is configured', () => {
      for (const [, alarm] of resources(x86, 'AWS::CloudWatch::Alarm')) expect(alarm.Properties.AlarmActions).toBeUndefined();
    });
  });
});
