import { describe, expect, it } from 'vitest';
import {
  cloudTrailObjectKey,
  escapePartitionValue,
  quarantineKeys,
  sourceKeyHash,
} from '../../../pipeline/cloudtrail/cloudtrail-lake-layout.js';
import { assertObjectKey } from '../../../pipeline/store/object-key.js';

describe('escapePartitionValue', () => {
  it.each([
    ['012345678901', '012345678901'],
    ['0123456789012', '0123456789012'],
    ['us-east-1', 'us-east-1'],
    ['redacted', 'redacted'],
    ['a/b', 'a%2Fb'],
    ['x=y%', 'x%3Dy%25'],
    ['AWS Internal', 'AWS%20Internal'],
    ['Ünï', '%C3%9Cn%C3%AF'],
    ['..', '%2E%2E'],
    ['', '__HIVE_DEFAULT_PARTITION__'],
  ])('writes %j as %j', (value, expected) => {
    expect(escapePartitionValue(value)).toBe(expected);
    expect(() => assertObjectKey(`account=${expected}/x`)).not.toThrow();
    if (value !== '') expect(decodeURIComponent(expected)).toBe(value);
  });
});

describe('cloudTrailObjectKey', () => {
  it('names the object after the sha256 of the source key, in its partition', () => {
    const source = 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/05/f.json.gz';
    expect(sourceKeyHash(source)).toMatch(/^[0-9a-f]{32}$/);
    expect(cloudTrailObjectKey('events', { account: '111122223333', region: 'us-east-1', day: '2024-03-04' }, source)).toBe(
      `cloudtrail/events/account=111122223333/region=us-east-1/day=2024-03-04/${sourceKeyHash(source)}.parquet`,
    );
    expect(cloudTrailObjectKey('insights', { account: 'a', region: 'r', day: 'd' }, 'x')).toMatch(/^cloudtrail\/insights\//);
  });
});

describe('quarantineKeys', () => {
  it('puts the copy under the day it was quarantined, with a hash that keeps equal names apart', () => {
    const keys = quarantineKeys('a/b/report.json.gz', new Date('2026-03-02T23:59:00Z'));
    expect(keys.data).toMatch(/^_quarantine\/cloudtrail\/2026-03-02\/[0-9a-f]{12}_report\.json\.gz$/);
    expect(keys.error).toBe(`${keys.data}.error.json`);
    expect(quarantineKeys('c/report.json.gz', new Date('2026-03-02T00:00:00Z')).data).not.toBe(keys.data);
    expect(() => assertObjectKey(quarantineKeys('weird name:?*.json', new Date()).data)).not.toThrow();
  });
});
