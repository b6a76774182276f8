import { describe, expect, it } from 'vitest';
import { decodeS3NotificationKey, parseCloudTrailKey } from '../../../pipeline/cloudtrail/cloudtrail-key.js';

describe('parseCloudTrailKey', () => {
  it.each([
    {
      shape: 'regular trail',
      key: 'AWSLogs/111122223333/CloudTrail/eu-west-1/2024/03/05/111122223333_CloudTrail_eu-west-1_20240305T1410Z_Q7bXk2LmP0aZr9Tt.json.gz',
      expected: {
        kind: 'events',
        prefix: '',
        organizationId: undefined,
        account: '111122223333',
        region: 'eu-west-1',
        deliveryDate: '2024-03-05',
        deliveredAt: new Date('2024-03-05T14:10:00Z'),
      },
    },
    {
      shape: 'organization trail',
      key: 'AWSLogs/o-a1b2c3d4e5/012345678901/CloudTrail/us-east-1/2024/03/05/012345678901_CloudTrail_us-east-1_20240305T0005Z_abcdefABCDEF0123.json.gz',
      expected: {
        kind: 'events',
        prefix: '',
        organizationId: 'o-a1b2c3d4e5',
        account: '012345678901',
        region: 'us-east-1',
        deliveryDate: '2024-03-05',
      },
    },
    {
      shape: 'custom prefix with several folders (one named AWSLogs)',
      key: 'security/AWSLogs/trails/AWSLogs/111122223333/CloudTrail/ap-southeast-2/2023/12/31/111122223333_CloudTrail_ap-southeast-2_20231231T2355Z_x.json.gz',
      expected: {
        kind: 'events',
        prefix: 'security/AWSLogs/trails',
        account: '111122223333',
        region: 'ap-southeast-2',
        deliveryDate: '2023-12-31',
      },
    },
    {
      shape: 'digest of an organization trail',
      key: 'AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail-Digest/us-east-1/2024/03/05/111122223333_CloudTrail-Digest_us-east-1_org-trail_us-east-1_20240305T150000Z.json.gz',
      expected: {
        kind: 'digest',
        organizationId: 'o-a1b2c3d4e5',
        account: '111122223333',
        region: 'us-east-1',
        deliveryDate: '2024-03-05',
      },
    },
    {
      shape: 'insight',
      key: 'logs/AWSLogs/111122223333/CloudTrail-Insight/us-gov-west-1/2024/02/29/111122223333_CloudTrail-Insight_us-gov-west-1_20240229T0130Z_a.json.gz',
      expected: { kind: 'insight', prefix: 'logs', region: 'us-gov-west-1', deliveryDate: '2024-02-29' },
    },
    {
      shape: 'network activity',
      key: 'AWSLogs/111122223333/CloudTrail-NetworkActivity/us-east-1/2024/03/05/111122223333_CloudTrail-NetworkActivity_us-east-1_20240305T1410Z_a.json.gz',
      expected: { kind: 'network-activity' },
    },
  ])('reads a $shape key', ({ key, expected }) => {
    const result = parseCloudTrailKey(key);
    expect(result.ok).toBe(true);
    expect(result.ok && result.key).toMatchObject({ ...expected, fileName: key.split('/').pop() });
  });

  it('reads a URL-encoded key from an S3 notification once decoded', () => {
    const raw =
      'audit+logs/prod%3Dtrail/AWSLogs/111122223333/CloudTrail/eu-west-1/2024/03/05/111122223333_CloudTrail_eu-west-1_20240305T1410Z_Q7bXk2LmP0aZr9Tt.json.gz';
    const key = decodeS3NotificationKey(raw);
    expect(key).toBe(
      'audit logs/prod=trail/AWSLogs/111122223333/CloudTrail/eu-west-1/2024/03/05/111122223333_CloudTrail_eu-west-1_20240305T1410Z_Q7bXk2LmP0aZr9Tt.json.gz',
    );
    expect(parseCloudTrailKey(key)).toMatchObject({ ok: true, key: { prefix: 'audit logs/prod=trail', account: '111122223333' } });
    // Decoding is done once: a literal % or + in a decoded key stays.
    expect(decodeS3NotificationKey('a%2Bb+c%25')).toBe('a+b c%');
  });

  it.each([
    ['a file outside AWSLogs', 'exports/2024/03/05/report.json.gz', /no AWSLogs\/ segment/],
    ['a folder marker', 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/05/', /names a folder/],
    ['an account that is not 12 digits', 'AWSLogs/1111/CloudTrail/us-east-1/2024/03/05/x.json.gz', /12-digit account id/],
    ['a bad organization id', 'AWSLogs/o-XY/111122223333/CloudTrail/us-east-1/2024/03/05/x.json.gz', /not an organization id/],
    ['an unknown service folder', 'AWSLogs/111122223333/Config/us-east-1/2024/03/05/x.json.gz', /expected CloudTrail/],
    ['an impossible date', 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/02/30/x.json.gz', /YYYY\/MM\/DD/],
    ['a file that is not JSON', 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/05/notes.txt', /not a CloudTrail log file name/],
    ['extra folders after the date', 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/05/x/y.json.gz', /unexpected folders/],
    ['an empty key', '', /empty/],
  ])('refuses %s with a reason', (_name, key, reason) => {
    const result = parseCloudTrailKey(key);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});
