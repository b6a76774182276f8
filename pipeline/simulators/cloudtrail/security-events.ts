import { BUCKETS, TABLES } from './demo-vocabulary.js';
import { type DemoAccount, type DemoContext, type DemoRecord, finishRecord, iso, maybeError } from './demo-record.js';

/** KMS (mostly on a service's behalf), Secrets Manager, STS and IAM calls, and KMS's own key rotation. */

export function kmsEvent(context: DemoContext, base: DemoRecord, account: DemoAccount, region: string): DemoRecord {
  const r = context.random;
  const keyArn = `arn:aws:kms:${region}:${account.id}:key/${r.uuid()}`;
  const name = r.weighted<string>([
    [5, 'Decrypt'],
    [3, 'GenerateDataKey'],
    [1, 'Encrypt'],
  ]);
  // Most KMS calls are made by a service on the caller's behalf.
  const identity = r.chance(0.6)
    ? { type: 'AWSService', invokedBy: r.pick(['s3.amazonaws.com', 'secretsmanager.amazonaws.com', 'redshift.amazonaws.com']) }
    : base.userIdentity;
  const viaService = (identity as { type: string }).type === 'AWSService';
  const event: DemoRecord = {
    ...base,
    userIdentity: identity,
    eventSource: 'kms.amazonaws.com',
    eventName: name,
    sourceIPAddress: viaService ? (identity as { invokedBy: string }).invokedBy : base.sourceIPAddress,
    userAgent: viaService ? (identity as { invokedBy: string }).invokedBy : base.userAgent,
    requestParameters: {
      encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::${r.pick(BUCKETS)}/${r.pick(TABLES)}` },
      encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      ...(name === 'GenerateDataKey' ? { keySpec: 'AES_256', keyId: keyArn } : {}),
    },
    resources: [{ accountId: account.id, type: 'AWS::KMS::Key', ARN: keyArn }],
    ...(viaService ? { sharedEventID: r.uuid() } : {}),
  };
  const out = finishRecord(r, event, `kms.${region}.amazonaws.com`, {
    error: maybeError(r, 'User is not authorized to perform kms:Decrypt'),
  });
  if (viaService) delete out.tlsDetails;
  return out;
}

export function secretsEvent(context: DemoContext, base: DemoRecord, account: DemoAccount, region: string): DemoRecord {
  const r = context.random;
  const cluster = r.pick(['analytics', 'etl']);
  const secret = `arn:aws:secretsmanager:${region}:${account.id}:secret:redshift/${cluster}/admin-${r.chars(6, 'abcdefABCDEF0123456789')}`;
  return finishRecord(
    r,
    {
      ...base,
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'GetSecretValue',
      requestParameters: { secretId: secret },
      resources: undefined,
    },
    `secretsmanager.${region}.amazonaws.com`,
    { error: maybeError(r, `User is not authorized to perform: secretsmanager:GetSecretValue on resource: ${secret}`), vpce: true },
  );
}

export function stsEvent(context: DemoContext, base: DemoRecord, account: DemoAccount, time: Date): DemoRecord {
  const r = context.random;
  const byService = r.chance(0.5);
  const roleName = r.pick(['etl-runner', 'RedshiftQueryRole', 'opslake-cloudtrail-ingest-role']);
  const roleArn = `arn:aws:iam::${account.id}:role/${roleName}`;
  const session = byService ? `${r.chars(19, '0123456789')}` : 'botocore-session-1709650000';
  const expiration = new Date(time.getTime() + 3_600_000);
  const event: DemoRecord = {
    ...base,
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    requestParameters: { roleArn, roleSessionName: session, durationSeconds: 3600 },
    responseElements: {
      credentials: {
        accessKeyId: `ASIA${r.chars(16)}`,
        sessionToken: r.chars(180, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='),
        expiration: consoleTime(expiration),
      },
      assumedRoleUser: {
        assumedRoleId: `AROA${r.chars(17)}:${session}`,
        arn: `arn:aws:sts::${account.id}:assumed-role/${roleName}/${session}`,
      },
    },
    readOnly: true,
    resources: [{ accountId: account.id, type: 'AWS::IAM::Role', ARN: roleArn }],
    sharedEventID: r.uuid(),
  };
  if (byService) {
    event.userIdentity = {
      type: 'AWSService',
      invokedBy: r.pick(['lambda.amazonaws.com', 'ec2.amazonaws.com', 'redshift.amazonaws.com']),
    };
    event.sourceIPAddress = (event.userIdentity as { invokedBy: string }).invokedBy;
    event.userAgent = event.sourceIPAddress;
    const out = finishRecord(r, event, 'sts.amazonaws.com');
    delete out.tlsDetails;
    return out;
  }
  return finishRecord(r, event, 'sts.amazonaws.com', {
    error: maybeError(r, `User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`),
  });
}

export function iamEvent(context: DemoContext, base: DemoRecord, account: DemoAccount): DemoRecord {
  const r = context.random;
  const name = r.weighted<string>([
    [4, 'ListRoles'],
    [3, 'GetRole'],
    [1, 'CreateUser'],
    [1, 'AttachUserPolicy'],
    [1, 'CreateAccessKey'],
  ]);
  const user = r.pick(['svc-reporting', 'temp-contractor', 'backup-operator']);
  const event: DemoRecord = {
    ...base,
    eventSource: 'iam.amazonaws.com',
    eventName: name,
    awsRegion: 'us-east-1',
    readOnly: name.startsWith('List') || name.startsWith('Get'),
  };
  if (name === 'CreateUser') {
    event.requestParameters = { userName: user, tags: [{ key: 'owner', value: 'platform' }] };
    event.responseElements = {
      user: {
        path: '/',
        userName: user,
        userId: `AIDA${r.chars(17)}`,
        arn: `arn:aws:iam::${account.id}:user/${user}`,
        createDate: 'Mar 5, 2024, 2:07:31 PM',
        tags: [{ key: 'owner', value: 'platform' }],
      },
    };
  } else if (name === 'AttachUserPolicy') {
    event.requestParameters = { userName: user, policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' };
  } else if (name === 'CreateAccessKey') {
    event.requestParameters = { userName: user };
    event.responseElements = {
      accessKey: { userName: user, accessKeyId: `AKIA${r.chars(16)}`, status: 'Active', createDate: 'Mar 5, 2024, 2:07:31 PM' },
    };
  } else if (name === 'GetRole') {
    event.requestParameters = { roleName: r.pick(['etl-runner', 'RedshiftQueryRole']) };
  } else {
    event.requestParameters = { maxItems: 100 };
  }
  return finishRecord(r, event, 'iam.amazonaws.com', { error: maybeError(r, 'User is not authorized to perform: iam:CreateUser') });
}

export function serviceEvent(context: DemoContext, account: DemoAccount, region: string, time: Date): DemoRecord {
  const r = context.random;
  return {
    eventVersion: '1.08',
    userIdentity: { accountId: account.id, invokedBy: 'AWS Internal' },
    eventTime: iso(time),
    eventSource: 'kms.amazonaws.com',
    eventName: 'RotateKey',
    awsRegion: region,
    sourceIPAddress: 'AWS Internal',
    userAgent: 'AWS Internal',
    requestParameters: null,
    responseElements: null,
    additionalEventData: { keyId: `arn:aws:kms:${region}:${account.id}:key/${r.uuid()}` },
    eventID: r.uuid(),
    readOnly: false,
    resources: [{ accountId: account.id, type: 'AWS::KMS::Key', ARN: `arn:aws:kms:${region}:${account.id}:key/${r.uuid()}` }],
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: account.id,
    serviceEventDetails: { keyRotationStatus: 'SUCCEEDED', rotationType: 'AUTOMATIC', nextRotationDate: 1767225600 },
    eventCategory: 'Management',
  };
}

/** A time as STS responses print it in CloudTrail: `Mar 5, 2024, 3:07:31 PM` (UTC). */
function consoleTime(time: Date): string {
  const hours = time.getUTCHours();
  const twoDigits = (value: number) => String(value).padStart(2, '0');
  const clock = `${hours % 12 || 12}:${twoDigits(time.getUTCMinutes())}:${twoDigits(time.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
  return `${time.toUTCString().slice(8, 11)} ${time.getUTCDate()}, ${time.getUTCFullYear()}, ${clock}`;
}
