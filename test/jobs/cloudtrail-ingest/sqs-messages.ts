import type { SQSRecord } from 'aws-lambda';

/** The SQS messages the cloudtrail-ingest handler is given in tests: S3 notifications as S3 writes them. */

export function s3Notification(key: string, bucket = 'trail'): string {
  const encoded = encodeURIComponent(key).replaceAll('%2F', '/').replaceAll('%20', '+');
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: bucket }, object: { key: encoded, size: 100 } },
      },
    ],
  });
}

export function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1709647651000',
      SenderId: 'AIDA',
      ApproximateFirstReceiveTimestamp: '1709647651000',
    },
    messageAttributes: {},
    md5OfBody: 'x',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:opslake-cloudtrail',
    awsRegion: 'us-east-1',
  };
}
