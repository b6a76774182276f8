import type { AwsErrorDetails } from './aws-error-details.js';

/** The AWS services the adapters call. */
export type AwsService = 's3' | 'dynamodb' | 'glue' | 'redshift-data' | 'ssm' | 'athena' | 'cloudtrail';

/** What a hint needs to know about the call that failed. */
export interface AwsCallTarget {
  readonly service: AwsService;
  /** The SDK operation: PutObject, GetItem, BatchCreatePartition, ExecuteStatement, GetParametersByPath, ... */
  readonly operation: string;
  /** What the call was about: the bucket, table, Glue database, cluster, parameter path or workgroup. */
  readonly resource: string;
  /** The KMS key the call encrypts or decrypts with, when the adapter knows it. */
  readonly kmsKeyId?: string | undefined;
}

type Details = Pick<AwsErrorDetails, 'name' | 'kind' | 'message'>;

const TITLES: Record<AwsService, string> = {
  s3: 'S3',
  dynamodb: 'DynamoDB',
  glue: 'Glue',
  'redshift-data': 'the Redshift Data API',
  ssm: 'SSM Parameter Store',
  athena: 'Athena',
  cloudtrail: 'CloudTrail',
};

export function serviceTitle(service: AwsService): string {
  return TITLES[service];
}

/**
 * What to check next, in a sentence a person can act on: the permission and the resource for
 * an access denied, the setting that names a missing resource, the way to an endpoint. Undefined
 * when the service's own message already says it (a validation error) or nothing would help.
 */
export function awsErrorHint(details: Details, call: AwsCallTarget): string | undefined {
  const own = SERVICE_HINTS[call.service](details, call);
  if (own !== undefined) return own;
  const title = TITLES[call.service];
  switch (details.kind) {
    case 'credentials':
      return `${title} refused the credentials: check the role or profile the process runs with and that its session has not expired`;
    case 'unreachable':
      return `check the network path to ${title} (VPC endpoint, NAT gateway or proxy) and the region`;
    case 'throttled':
      return `${title} is throttling: lower the concurrency or try again later`;
    default:
      return undefined;
  }
}

const S3_ACTIONS: Readonly<Record<string, string>> = {
  PutObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  ListObjectsV2: 's3:ListBucket',
  DeleteObject: 's3:DeleteObject',
};

function s3Hint(details: Details, call: AwsCallTarget): string | undefined {
  if (details.name === 'NoSuchBucket') return `bucket ${call.resource} does not exist; check the bucket name and the region`;
  if (details.kind !== 'access-denied') return undefined;
  const action = S3_ACTIONS[call.operation] ?? `s3:${call.operation}`;
  // S3 answers 403 rather than 404 for a missing object when the caller may not list the bucket.
  const head = call.operation === 'HeadObject' ? ' (without s3:ListBucket a missing object also answers 403)' : '';
  if (action === 's3:ListBucket' || action === 's3:DeleteObject') return `check that the role may ${action} on ${call.resource}`;
  const kms = action === 's3:PutObject' ? 'kms:GenerateDataKey' : 'kms:Decrypt';
  const key = call.kmsKeyId === undefined ? "the bucket's KMS key, when it has one" : `its key ${call.kmsKeyId}`;
  return `check that the role may ${action} on ${call.resource}${head} and ${kms} on ${key}`;
}

function dynamoDbHint(details: Details, call: AwsCallTarget): string | undefined {
  if (details.kind === 'not-found') {
    return 'check the state table name (OPSLAKE_STATE_TABLE in Lambda, state: dynamodb://<table> in opslake.yaml) and the region';
  }
  if (details.kind !== 'access-denied') return undefined;
  return (
    `check that the role may dynamodb:${call.operation} on table ${call.resource} ` +
    '(the state store uses GetItem, PutItem, DeleteItem and Scan) and use the KMS key that encrypts it'
  );
}

function glueHint(details: Details, call: AwsCallTarget): string | undefined {
  if (details.kind === 'not-found') return `does the Glue database ${call.resource} exist? The stack creates it`;
  if (details.kind === 'access-denied') return `the role needs glue:${call.operation} on the database ${call.resource} and its tables`;
  return undefined;
}

function dataApiHint(details: Details, call: AwsCallTarget): string | undefined {
  if (details.name === 'DatabaseConnectionException') {
    const cluster = call.resource;
    return `the Data API could not connect to the database of ${cluster}: check that the cluster is available (not paused or resizing)`;
  }
  if (details.kind === 'not-found') return `check the cluster identifier or workgroup name configured for ${call.resource}, and the region`;
  if (details.kind !== 'access-denied' && details.kind !== 'credentials') return undefined;
  return (
    `check that the role may redshift-data:ExecuteStatement on ${call.resource} (and DescribeStatement, GetStatementResult, ` +
    'CancelStatement), plus redshift:GetClusterCredentials for a dbUser, redshift-serverless:GetCredentials for a workgroup, ' +
    'or secretsmanager:GetSecretValue for a secretArn'
  );
}

function ssmHint(details: Details, call: AwsCallTarget): string | undefined {
  if (details.kind === 'invalid') return `check the configuration root path ${call.resource} (OPSLAKE_CONFIG_ROOT in Lambda)`;
  if (details.kind !== 'access-denied') return undefined;
  if (details.name === 'InvalidKeyId' || details.name.startsWith('KMS')) {
    return `a SecureString under ${call.resource} is encrypted with a KMS key the role cannot use; check the key and kms:Decrypt on it`;
  }
  return `the role needs ssm:GetParametersByPath on parameter${call.resource}/* and kms:Decrypt on the key of its SecureStrings`;
}

function athenaHint(details: Details, call: AwsCallTarget): string | undefined {
  if (details.kind === 'invalid' && /output location/i.test(details.message)) {
    return `set a result location on workgroup ${call.resource}, or pass one (--output-location, OPSLAKE_ATHENA_OUTPUT)`;
  }
  if (details.kind !== 'access-denied') return undefined;
  return (
    `check that the role may athena:StartQueryExecution, GetQueryExecution and GetQueryResults in workgroup ${call.resource}, ` +
    "glue:GetTable on the lake's database, s3:GetObject on the lake, and s3:PutObject on the workgroup's results bucket"
  );
}

function cloudTrailHint(details: Details, call: AwsCallTarget): string | undefined {
  if (details.kind !== 'access-denied') return undefined;
  return `the role needs cloudtrail:${call.operation} in ${call.resource} to read the public keys of digest signatures`;
}

const SERVICE_HINTS: Record<AwsService, (details: Details, call: AwsCallTarget) => string | undefined> = {
  s3: s3Hint,
  dynamodb: dynamoDbHint,
  glue: glueHint,
  'redshift-data': dataApiHint,
  ssm: ssmHint,
  athena: athenaHint,
  cloudtrail: cloudTrailHint,
};
