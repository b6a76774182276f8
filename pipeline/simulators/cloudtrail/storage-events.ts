import { BUCKETS, TABLES } from './demo-vocabulary.js';
import { type DemoAccount, type DemoContext, type DemoRecord, finishRecord, maybeError } from './demo-record.js';

/** S3 object calls (data events, with and without the bucket owner's account id) and DynamoDB item calls. */

export function s3Event(context: DemoContext, base: DemoRecord, account: DemoAccount, region: string): DemoRecord {
  const r = context.random;
  const bucket = r.pick(BUCKETS);
  const folder = r.pick(['year=2024', 'year=2025', 'exports', 'tmp']);
  const table = r.pick(TABLES);
  const part = `part-${r.chars(5, '0123456789')}-${r.uuid()}`;
  const key = `${folder}/${table}/${part}.snappy.parquet`;
  const name = r.weighted<string>([
    [6, 'GetObject'],
    [3, 'PutObject'],
    [2, 'HeadObject'],
    [1, 'DeleteObject'],
    [1, 'ListObjects'],
  ]);
  const bytes = r.int(512, 134_217_728);
  const host = `${bucket}.s3.${region}.amazonaws.com`;
  const objectArn = `arn:aws:s3:::${bucket}/${key}`;
  const resources: Array<Record<string, unknown>> = [
    { type: 'AWS::S3::Object', ARN: objectArn },
    // The bucket owner's account id is left out of the caller's copy of a denied cross-account call.
    r.chance(0.9)
      ? { accountId: account.id, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }
      : { type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
  ];
  const event: DemoRecord = {
    ...base,
    eventSource: 's3.amazonaws.com',
    eventName: name,
    requestParameters:
      name === 'ListObjects'
        ? { bucketName: bucket, Host: host, prefix: key.split('/')[0], 'list-type': '2' }
        : { bucketName: bucket, Host: host, key },
    responseElements:
      name === 'PutObject'
        ? {
            'x-amz-server-side-encryption': 'aws:kms',
            'x-amz-server-side-encryption-aws-kms-key-id': `arn:aws:kms:${region}:${account.id}:key/${r.uuid()}`,
          }
        : null,
    additionalEventData: {
      SignatureVersion: 'SigV4',
      CipherSuite: 'TLS_AES_128_GCM_SHA256',
      bytesTransferredIn: name === 'PutObject' ? bytes : 0,
      AuthenticationMethod: 'AuthHeader',
      'x-amz-id-2': r.chars(76, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/'),
      bytesTransferredOut: name === 'GetObject' ? bytes : 0,
    },
    readOnly: name !== 'PutObject' && name !== 'DeleteObject',
    resources: name === 'ListObjects' ? resources.slice(1) : resources,
    managementEvent: false,
    eventCategory: 'Data',
  };
  return finishRecord(r, event, host, { error: maybeError(r, 'Access Denied'), vpce: true });
}

export function dynamodbEvent(context: DemoContext, base: DemoRecord, account: DemoAccount, region: string): DemoRecord {
  const r = context.random;
  const table = r.pick(['opslake-state', 'sessions', 'feature-flags']);
  const name = r.weighted<string>([
    [5, 'GetItem'],
    [2, 'PutItem'],
    [2, 'Query'],
    [1, 'DescribeTable'],
  ]);
  const arn = `arn:aws:dynamodb:${region}:${account.id}:table/${table}`;
  return finishRecord(
    r,
    {
      ...base,
      eventSource: 'dynamodb.amazonaws.com',
      eventName: name,
      readOnly: name !== 'PutItem',
      requestParameters:
        name === 'DescribeTable'
          ? { tableName: table }
          : { tableName: table, key: { pk: `cluster#${r.pick(['analytics', 'etl'])}#stl_query` }, consistentRead: true },
      resources: name === 'DescribeTable' ? undefined : [{ accountId: account.id, type: 'AWS::DynamoDB::Table', ARN: arn }],
      managementEvent: name === 'DescribeTable',
      eventCategory: name === 'DescribeTable' ? 'Management' : 'Data',
      apiVersion: '2012-08-10',
    },
    `dynamodb.${region}.amazonaws.com`,
    { error: r.chance(0.02) ? ['ConditionalCheckFailedException', 'The conditional request failed'] : undefined, vpce: true },
  );
}
