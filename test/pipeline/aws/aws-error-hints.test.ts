import { describe, expect, it } from 'vitest';
import type { AwsErrorKind } from '../../../pipeline/aws/aws-error-details.js';
import { awsErrorHint, type AwsCallTarget } from '../../../pipeline/aws/aws-error-hints.js';

const KEY = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000001';

function hint(kind: AwsErrorKind, name: string, call: AwsCallTarget, message = `${name} happened`): string | undefined {
  return awsErrorHint({ kind, name, message }, call);
}

describe('awsErrorHint', () => {
  const cases: Array<{ what: string; kind: AwsErrorKind; name: string; call: AwsCallTarget; message?: string; expected: string }> = [
    {
      what: 'S3 denying a write with a lake key',
      kind: 'access-denied',
      name: 'AccessDenied',
      call: { service: 's3', operation: 'PutObject', resource: 'lake-bucket', kmsKeyId: KEY },
      expected: `check that the role may s3:PutObject on lake-bucket and kms:GenerateDataKey on its key ${KEY}`,
    },
    {
      what: 'S3 denying a read without a known key',
      kind: 'access-denied',
      name: 'AccessDenied',
      call: { service: 's3', operation: 'GetObject', resource: 'trail-bucket' },
      expected: "check that the role may s3:GetObject on trail-bucket and kms:Decrypt on the bucket's KMS key, when it has one",
    },
    {
      what: 'S3 denying a HEAD',
      kind: 'access-denied',
      name: 'Forbidden',
      call: { service: 's3', operation: 'HeadObject', resource: 'lake-bucket' },
      expected: 'without s3:ListBucket a missing object also answers 403',
    },
    {
      what: 'S3 denying a listing',
      kind: 'access-denied',
      name: 'AccessDenied',
      call: { service: 's3', operation: 'ListObjectsV2', resource: 'lake-bucket' },
      expected: 'check that the role may s3:ListBucket on lake-bucket',
    },
    {
      what: 'a missing S3 bucket',
      kind: 'not-found',
      name: 'NoSuchBucket',
      call: { service: 's3', operation: 'PutObject', resource: 'lake-bucket' },
      expected: 'bucket lake-bucket does not exist; check the bucket name and the region',
    },
    {
      what: 'DynamoDB denying an item read',
      kind: 'access-denied',
      name: 'AccessDeniedException',
      call: { service: 'dynamodb', operation: 'GetItem', resource: 'opslake-state' },
      expected: 'check that the role may dynamodb:GetItem on table opslake-state',
    },
    {
      what: 'a missing DynamoDB table',
      kind: 'not-found',
      name: 'ResourceNotFoundException',
      call: { service: 'dynamodb', operation: 'PutItem', resource: 'opslake-state' },
      expected: 'check the state table name (OPSLAKE_STATE_TABLE in Lambda',
    },
    {
      what: 'Glue denying a partition registration',
      kind: 'access-denied',
      name: 'AccessDeniedException',
      call: { service: 'glue', operation: 'BatchCreatePartition', resource: 'opslake' },
      expected: 'the role needs glue:BatchCreatePartition on the database opslake and its tables',
    },
    {
      what: 'a missing Glue database',
      kind: 'not-found',
      name: 'EntityNotFoundException',
      call: { service: 'glue', operation: 'GetTable', resource: 'opslake' },
      expected: 'does the Glue database opslake exist? The stack creates it',
    },
    {
      what: 'the Data API denying a statement',
      kind: 'access-denied',
      name: 'AccessDeniedException',
      call: { service: 'redshift-data', operation: 'ExecuteStatement', resource: 'analytics' },
      expected: 'redshift-data:ExecuteStatement on analytics',
    },
    {
      what: 'the Data API refusing the credentials',
      kind: 'credentials',
      name: 'ExpiredTokenException',
      call: { service: 'redshift-data', operation: 'ExecuteStatement', resource: 'analytics' },
      expected: 'redshift:GetClusterCredentials for a dbUser',
    },
    {
      what: 'the Data API unable to reach the database',
      kind: 'transient',
      name: 'DatabaseConnectionException',
      call: { service: 'redshift-data', operation: 'ExecuteStatement', resource: 'analytics' },
      expected: 'could not connect to the database of analytics',
    },
    {
      what: 'SSM denying the parameters',
      kind: 'access-denied',
      name: 'AccessDeniedException',
      call: { service: 'ssm', operation: 'GetParametersByPath', resource: '/opslake' },
      expected: 'the role needs ssm:GetParametersByPath on parameter/opslake/* and kms:Decrypt on the key of its SecureStrings',
    },
    {
      what: 'a SecureString key SSM cannot use',
      kind: 'access-denied',
      name: 'InvalidKeyId',
      call: { service: 'ssm', operation: 'GetParametersByPath', resource: '/opslake' },
      expected: 'encrypted with a KMS key the role cannot use; check the key and kms:Decrypt on it',
    },
    {
      what: 'Athena denying a query',
      kind: 'access-denied',
      name: 'AccessDeniedException',
      call: { service: 'athena', operation: 'StartQueryExecution', resource: 'opslake' },
      expected:
        "athena:StartQueryExecution, GetQueryExecution and GetQueryResults in workgroup opslake, glue:GetTable on the lake's database",
    },
    {
      what: 'Athena with no result location',
      kind: 'invalid',
      name: 'InvalidRequestException',
      call: { service: 'athena', operation: 'StartQueryExecution', resource: 'primary' },
      message: 'No output location provided. An output location is required either through the Workgroup result configuration setting',
      expected: 'set a result location on workgroup primary, or pass one (--output-location, OPSLAKE_ATHENA_OUTPUT)',
    },
    {
      what: 'credentials refused by any service',
      kind: 'credentials',
      name: 'InvalidAccessKeyId',
      call: { service: 's3', operation: 'GetObject', resource: 'lake-bucket' },
      expected: 'S3 refused the credentials',
    },
    {
      what: 'an endpoint that does not answer',
      kind: 'unreachable',
      name: 'ECONNREFUSED',
      call: { service: 'dynamodb', operation: 'GetItem', resource: 'opslake-state' },
      expected: 'check the network path to DynamoDB',
    },
  ];

  it.each(cases)('names what to check for $what', ({ kind, name, call, message, expected }) => {
    expect(hint(kind, name, call, message)).toContain(expected);
  });

  it('gives none where the service already says what is wrong', () => {
    expect(hint('invalid', 'InvalidRequestException', { service: 'athena', operation: 'StartQueryExecution', resource: 'w' })).toBe(
      undefined,
    );
    expect(hint('invalid', 'ValidationException', { service: 'redshift-data', operation: 'ExecuteStatement', resource: 'a' })).toBe(
      undefined,
    );
    expect(hint('conflict', 'ConditionalCheckFailedException', { service: 'dynamodb', operation: 'PutItem', resource: 't' })).toBe(
      undefined,
    );
  });
});
