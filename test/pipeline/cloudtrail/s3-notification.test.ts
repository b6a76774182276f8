import { describe, expect, it } from 'vitest';
import { parseNotification } from '../../../pipeline/cloudtrail/s3-notification.js';
import { InvalidNotificationError } from '../../../pipeline/errors.js';
import { fixtureText } from './cloudtrail-test-support.js';

const S3_EVENT = {
  Records: [
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: {
        bucket: { name: 'trail-bucket' },
        object: {
          key:
            'audit+logs/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/05/' +
            '111122223333_CloudTrail_us-east-1_20240305T1410Z_a%3Db.json.gz',
          size: 1234,
          eTag: '0123456789abcdef0123456789abcdef',
        },
      },
    },
    { eventSource: 'aws:s3', eventName: 'ObjectRemoved:Delete', s3: { bucket: { name: 'trail-bucket' }, object: { key: 'gone' } } },
  ],
};

describe('parseNotification', () => {
  it('reads an S3 event notification, decoding its keys and leaving deletions out', () => {
    expect(parseNotification(JSON.stringify(S3_EVENT))).toEqual({
      kind: 'objects',
      objects: [
        {
          bucket: 'trail-bucket',
          key:
            'audit logs/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/05/' +
            '111122223333_CloudTrail_us-east-1_20240305T1410Z_a=b.json.gz',
          size: 1234,
          etag: '0123456789abcdef0123456789abcdef',
        },
      ],
    });
  });

  it('reads the same wrapped in an SNS envelope', () => {
    const sns = { Type: 'Notification', MessageId: 'm', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: JSON.stringify(S3_EVENT) };
    expect(parseNotification(JSON.stringify(sns))).toEqual(parseNotification(JSON.stringify(S3_EVENT)));
  });

  it("reads CloudTrail's own SNS notification (keys as written, duplicates once)", () => {
    const result = parseNotification(fixtureText('aws-cloudtrail-processing-library/SQSMessageBody'));
    expect(result).toEqual({
      kind: 'objects',
      objects: [
        {
          bucket: 'my-test-bucket',
          key:
            'myprefix/AWSLogs/123456789012/CloudTrail/us-east-1/2014/03/09/' +
            '123456789012_CloudTrail_us-east-1_20140309T2015Z_996mpJdKNLd1Yvzl.json.gz',
          size: undefined,
        },
      ],
    });
  });

  it('reads an EventBridge Object Created event', () => {
    const event = {
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: { bucket: { name: 'b' }, object: { key: 'AWSLogs/x y.json.gz', size: 9 } },
    };
    expect(parseNotification(JSON.stringify(event))).toEqual({
      kind: 'objects',
      objects: [{ bucket: 'b', key: 'AWSLogs/x y.json.gz', size: 9 }],
    });
  });

  it('recognises the s3:TestEvent, plain or wrapped', () => {
    const test = { Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2024-03-05T14:00:00Z', Bucket: 'b' };
    expect(parseNotification(JSON.stringify(test))).toEqual({ kind: 'test-event' });
    expect(parseNotification(JSON.stringify({ Type: 'Notification', Message: JSON.stringify(test) }))).toEqual({ kind: 'test-event' });
  });

  it.each([
    [
      'the fixture with a misspelt Message',
      fixtureText('aws-cloudtrail-processing-library/SQSMessageBodyWrongFormat'),
      /no Records, SNS Message/,
    ],
    ['text that is not JSON', 'hello', /not JSON/],
    ['a JSON array', '[]', /not a JSON object/],
    [
      'an S3 record without a key',
      JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' } } }] }),
      /s3.object.key/,
    ],
    [
      'a malformed URL-encoded key',
      JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: '%E0%A4%A' } } }] }),
      /malformed/,
    ],
    ['an SNS message that is not JSON', JSON.stringify({ Type: 'Notification', Message: '{' }), /SNS Message is not JSON/],
  ])('refuses %s', (_name, body, message) => {
    expect(() => parseNotification(body)).toThrow(InvalidNotificationError);
    expect(() => parseNotification(body)).toThrow(message);
  });
});
