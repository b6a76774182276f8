/** Events as AWS hands them to the two functions: EventBridge's schedule, and an S3 notification through SQS. */

/** EventBridge's scheduled event, as stl-export receives it. */
export const SCHEDULED_EVENT = {
  version: '0',
  id: 'e0c0a5b4-0000-0000-0000-000000000000',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-11-22T12:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/opslake'],
  detail: {},
};

/** A Redshift control-plane call by the IAM user ops, at 12:01:02 on 2026-11-22. */
export function trailRecord(id: string, eventName: string): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: 'arn:aws:iam::123456789012:user/ops',
      accountId: '123456789012',
      userName: 'ops',
    },
    eventTime: '2026-11-22T12:01:02Z',
    eventSource: 'redshift.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '192.0.2.10',
    userAgent: 'aws-cli/2.0',
    requestParameters: { clusterIdentifier: 'analytics-prod' },
    responseElements: null,
    requestID: `req-${id}`,
    eventID: id,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '123456789012',
    eventCategory: 'Management',
  };
}

/** The SQS batch that delivers S3's ObjectCreated notification of `key` in `bucket`. */
export function objectCreatedBatch(bucket: string, key: string): Record<string, unknown> {
  const notification = {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: '2026-11-22T12:05:30.000Z',
        eventName: 'ObjectCreated:Put',
        s3: {
          s3SchemaVersion: '1.0',
          bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
          object: { key: encodeURIComponent(key).replaceAll('%2F', '/'), size: 1000 },
        },
      },
    ],
  };
  return {
    Records: [
      {
        messageId: 'm-1',
        receiptHandle: 'r-1',
        body: JSON.stringify(notification),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '1795000000000',
          SenderId: 's3',
          ApproximateFirstReceiveTimestamp: '1795000000000',
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:opslake-cloudtrail',
        awsRegion: 'us-east-1',
      },
    ],
  };
}
