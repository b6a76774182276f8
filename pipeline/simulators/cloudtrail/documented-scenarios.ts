import { type DemoAccount, type DemoRecord, iso } from './demo-record.js';

/**
 * A few events that the AWS documentation's example CloudTrail queries look for, so that those
 * queries find rows in the demo lake (test/queries/documented-examples.test.ts runs them):
 * an anonymous (unsigned) GetObject on a public bucket, a PutObject of `example/datafile.txt`,
 * and a DeleteBucket. Fixed values, no randomness: the rest of the trail stays as it was.
 */
export const DOCUMENTED_SCENARIO = {
  publicBucket: 'acme-public-assets',
  datafileBucket: 'acme-analytics-share',
  deletedBucket: 'acme-tmp-exports',
  deleter: 'ci-deployer',
} as const;

export function documentedScenarioEvents(account: DemoAccount, region: string, at: Date): DemoRecord[] {
  const time = (minutes: number) => iso(new Date(at.getTime() + minutes * 60_000));
  const id = (n: number) => `d0c0e8a1-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const { publicBucket, datafileBucket, deletedBucket, deleter } = DOCUMENTED_SCENARIO;
  const s3 = (n: number, bucket: string) => ({
    eventVersion: '1.10',
    eventSource: 's3.amazonaws.com',
    awsRegion: region,
    requestID: `DOCEXAMPLE${String(n).padStart(6, '0')}`,
    eventID: id(n),
    recipientAccountId: account.id,
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: `${bucket}.s3.${region}.amazonaws.com`,
    },
  });
  const user = {
    type: 'IAMUser',
    principalId: 'AIDADOCEXAMPLE0000001',
    arn: `arn:aws:iam::${account.id}:user/${deleter}`,
    accountId: account.id,
    accessKeyId: 'AKIADOCEXAMPLE000001',
    userName: deleter,
  };
  return [
    {
      ...s3(1, publicBucket),
      // How S3 records an unsigned request: no ARN, the account "anonymous".
      userIdentity: { type: 'AWSAccount', principalId: '', accountId: 'anonymous' },
      eventTime: time(0),
      eventName: 'GetObject',
      sourceIPAddress: '198.51.100.23',
      userAgent: 'curl/8.5.0',
      requestParameters: { bucketName: publicBucket, Host: `${publicBucket}.s3.${region}.amazonaws.com`, key: 'img/logo.png' },
      responseElements: null,
      additionalEventData: { SignatureVersion: null, bytesTransferredIn: 0, bytesTransferredOut: 5213 },
      resources: [
        { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${publicBucket}/img/logo.png` },
        { accountId: account.id, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${publicBucket}` },
      ],
      eventType: 'AwsApiCall',
      managementEvent: false,
      readOnly: true,
      eventCategory: 'Data',
    },
    {
      ...s3(2, datafileBucket),
      userIdentity: user,
      eventTime: time(3),
      eventName: 'PutObject',
      sourceIPAddress: '203.0.113.40',
      userAgent: 'aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023 command/s3.cp',
      requestParameters: { bucketName: datafileBucket, Host: `${datafileBucket}.s3.${region}.amazonaws.com`, key: 'example/datafile.txt' },
      responseElements: { 'x-amz-server-side-encryption': 'AES256' },
      resources: [
        { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${datafileBucket}/example/datafile.txt` },
        { accountId: account.id, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${datafileBucket}` },
      ],
      eventType: 'AwsApiCall',
      managementEvent: false,
      readOnly: false,
      eventCategory: 'Data',
    },
    {
      ...s3(3, deletedBucket),
      userIdentity: user,
      eventTime: time(7),
      eventName: 'DeleteBucket',
      sourceIPAddress: '203.0.113.40',
      userAgent: 'aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023 command/s3.rb',
      requestParameters: { bucketName: deletedBucket, Host: `s3.${region}.amazonaws.com` },
      responseElements: null,
      resources: [{ accountId: account.id, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${deletedBucket}` }],
      eventType: 'AwsApiCall',
      managementEvent: true,
      readOnly: false,
      eventCategory: 'Management',
    },
  ];
}
