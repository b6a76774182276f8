import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryLibrary } from '../../pipeline/query/query-library.js';
import { lakeTables } from '../../pipeline/tables/registry.js';
import { FLEET, buildTestApp, removeTestApps } from './infra-test-app.js';
import { valueAt } from './template-queries.js';

type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }
>;

function onlyResource(template: Template, type: string, properties: Record<string, unknown> = {}): [string, Resources[string]] {
  const found = Object.entries(template.findResources(type, properties ? { Properties: Match.objectLike(properties) } : {})) as Array<
    [string, Resources[string]]
  >;
  const [only, ...others] = found;
  if (only === undefined || others.length > 0)
    throw new Error(`expected one ${type} matching ${JSON.stringify(properties)}, found ${found.length}`);
  return only;
}

describe('StorageStack', () => {
  afterAll(removeTestApps);

  let template: Template;
  let destroyed: Template;
  let queries: QueryLibrary;

  beforeAll(async () => {
    template = (await buildTestApp({ 'opslake:clusters': FLEET })).template('storage');
    destroyed = (await buildTestApp({ 'opslake:clusters': FLEET, 'opslake:destroy': true })).template('storage');
    queries = await QueryLibrary.load();
  });

  it('encrypts the lake with its own rotating KMS key and an S3 bucket key', () => {
    const [keyId] = onlyResource(template, 'AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
          },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  });

  it('denies plain HTTP and TLS older than 1.2 on the lake bucket', () => {
    const [lakeId] = onlyResource(template, 'AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } });
    const policy = Object.values(
      template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: lakeId } } }),
    )[0] as Resources[string];
    const statements = valueAt(policy.Properties, 'PolicyDocument', 'Statement') as Array<Record<string, unknown>>;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Principal: { AWS: '*' },
        Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
      }),
    );
  });

  it('logs lake access to a separate SSE-S3 bucket that is TLS-only too', () => {
    const [logsId] = onlyResource(template, 'AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'lake-bucket/' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logsId },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('expires quarantined inputs, temporary objects, old versions and Athena results', () => {
    const [, lake] = onlyResource(template, 'AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } });
    const rules = valueAt(lake.Properties, 'LifecycleConfiguration', 'Rules') as Array<Record<string, unknown>>;
    const byId = Object.fromEntries(rules.map((rule) => [rule.Id, rule]));
    expect(byId['expire-quarantine']).toMatchObject({ Prefix: 'lake/_quarantine/', ExpirationInDays: 90, Status: 'Enabled' });
    expect(byId['expire-temporary']).toMatchObject({ Prefix: 'lake/_tmp/', ExpirationInDays: 1 });
    expect(byId['expire-noncurrent-versions']).toMatchObject({
      NoncurrentVersionExpiration: { NoncurrentDays: 7 },
      ExpiredObjectDeleteMarker: true,
    });
    expect(byId['abort-incomplete-uploads']).toMatchObject({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } });
    expect(byId['expire-athena-results']).toMatchObject({ Prefix: 'athena-results/' });
  });

  it('keeps the state table on demand, recoverable, encrypted with the lake key, with a TTL on leases', () => {
    const [keyId] = onlyResource(template, 'AWS::KMS::Key');
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'ledger_day_shard', AttributeType: 'S' },
        { AttributeName: 'ledger_key', AttributeType: 'S' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  it('creates one Glue table per registry table, located under the lake prefix of the lake bucket', () => {
    const [lakeId] = onlyResource(template, 'AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } });
    const tables = Object.values(template.findResources('AWS::Glue::Table')) as Array<Resources[string]>;
    expect(tables.map((table) => valueAt(table.Properties, 'TableInput', 'Name')).sort()).toEqual(
      lakeTables()
        .map((table) => table.name)
        .sort(),
    );
    const stlQuery = tables.find((table) => valueAt(table.Properties, 'TableInput', 'Name') === 'stl_query');
    expect(stlQuery?.Properties).toMatchObject({ DatabaseName: 'opslake' });
    const tableInput = valueAt(stlQuery?.Properties, 'TableInput');
    expect(valueAt(tableInput, 'StorageDescriptor', 'Location')).toEqual({
      'Fn::Join': ['', ['s3://', { Ref: lakeId }, '/lake/redshift/stl_query/']],
    });
    expect((valueAt(tableInput, 'PartitionKeys') as Array<{ Name: string }>).map((key) => key.Name)).toEqual(['cluster', 'day']);
    // No projection: compaction moves a partition to its generation's folder, which a template
    // cannot follow; partitions are registered as they are written.
    for (const table of tables) {
      const parameters = Object.keys(valueAt(table.Properties, 'TableInput', 'Parameters') as Record<string, string>);
      expect(parameters.filter((key) => key.startsWith('projection.'))).toEqual([]);
    }
  });

  it('indexes the partitions of every table by day, so GetPartitions with a day range reads the index', () => {
    const created = Object.values(template.findResources('Custom::AWS'))
      .map((resource) => JSON.parse(joinedText(valueAt(resource.Properties, 'Create'))) as Record<string, unknown>)
      .filter((call) => call.action === 'createPartitionIndex');
    expect(created.map((call) => valueAt(call, 'parameters', 'TableName')).sort()).toEqual(
      lakeTables()
        .map((table) => table.name)
        .sort(),
    );
    for (const call of created) {
      expect(call).toMatchObject({
        service: 'Glue',
        parameters: { DatabaseName: 'opslake', PartitionIndex: { IndexName: 'by_day', Keys: ['day'] } },
        ignoreErrorCodesMatching: 'AlreadyExistsException',
      });
    }
  });

  it('gives the state table the sparse ledger index: entries by delivery day, dirty partitions by table', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        {
          IndexName: 'ledger-by-day',
          KeySchema: [
            { AttributeName: 'ledger_day_shard', KeyType: 'HASH' },
            { AttributeName: 'ledger_key', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  it('enforces an encrypted, scan-limited Athena workgroup', () => {
    const [keyId] = onlyResource(template, 'AWS::KMS::Key');
    const [lakeId] = onlyResource(template, 'AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } });
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'opslake',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        PublishCloudWatchMetricsEnabled: true,
        ResultConfiguration: {
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [keyId, 'Arn'] } },
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: lakeId }, '/athena-results/']] },
        },
      },
    });
  });

  it('saves one named query per file of queries/ in the workgroup', () => {
    const named = Object.values(template.findResources('AWS::Athena::NamedQuery')) as Array<Resources[string]>;
    expect(queries.queries.length).toBeGreaterThan(0);
    expect(named.map((query) => query.Properties?.Name).sort()).toEqual(queries.queries.map((query) => query.name).sort());
    for (const query of named) expect(query.Properties).toMatchObject({ Database: 'opslake', WorkGroup: { Ref: 'WorkGroup' } });
  });

  it('retains every stateful resource unless the destroy flag is set', () => {
    const stateful = [
      'AWS::S3::Bucket',
      'AWS::KMS::Key',
      'AWS::DynamoDB::Table',
      'AWS::Glue::Database',
      'AWS::Glue::Table',
      'AWS::Athena::WorkGroup',
    ];
    for (const type of stateful) {
      for (const resource of Object.values(template.findResources(type)) as Array<Resources[string]>) {
        expect(resource.DeletionPolicy, type).toBe('Retain');
      }
      for (const resource of Object.values(destroyed.findResources(type)) as Array<Resources[string]>) {
        expect(resource.DeletionPolicy, type).toBe('Delete');
      }
    }
    expect(Object.keys(template.findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(0);
    expect(Object.keys(destroyed.findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(2);
    destroyed.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });
});

/** The text of a custom resource's call: a string, or an Fn::Join of strings and references (shown as "?"). */
function joinedText(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = valueAt(value, 'Fn::Join');
  if (!Array.isArray(join)) return '{}';
  const [separator, parts] = join as [string, unknown[]];
  return parts.map((part) => (typeof part === 'string' ? part : '?')).join(separator);
}
