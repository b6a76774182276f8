import { describe, expect, it } from 'vitest';
import {
  cloudTrailObject,
  quarantinedHash,
  quarantineHash,
  quarantineKeys,
  sourceKeyHash,
} from '../../../pipeline/cloudtrail/cloudtrail-lake-layout.js';
import { assertObjectKey } from '../../../pipeline/store/object-key.js';

describe('cloudTrailObject', () => {
  it('names the object after the sha256 of the source key, in its partition', () => {
    const source = 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/05/f.json.gz';
    const partition = { account: '111122223333', region: 'us-east-1', day: '2024-03-04' };
    expect(sourceKeyHash(source)).toMatch(/^[0-9a-f]{32}$/);
    expect(cloudTrailObject('events', partition, source).key).toBe(
      `cloudtrail/events/account=111122223333/region=us-east-1/day=2024-03-04/${sourceKeyHash(source)}.parquet`,
    );
    expect(cloudTrailObject('insights', { account: 'a', region: 'r', day: 'd' }, 'x').key).toMatch(/^cloudtrail\/insights\//);
  });

  it('carries its table and partition beside its key', () => {
    const partition = { account: 'redacted%2Fx', region: 'us-east-1', day: '2024-03-04' };
    expect(cloudTrailObject('insights', partition, 'k')).toEqual({
      table: 'cloudtrail_insights',
      partition,
      key: `cloudtrail/insights/account=redacted%2Fx/region=us-east-1/day=2024-03-04/${sourceKeyHash('k')}.parquet`,
    });
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

  it('names the copy and its error with the hash the resume index looks for', () => {
    const keys = quarantineKeys('a/b/report.json.gz', new Date('2026-03-02T23:59:00Z'));
    expect(quarantinedHash(keys.data)).toBe(quarantineHash('a/b/report.json.gz'));
    expect(quarantinedHash(keys.error)).toBe(quarantineHash('a/b/report.json.gz'));
    expect(quarantineHash('a/b/report.json.gz')).toBe(sourceKeyHash('a/b/report.json.gz').slice(0, 12));
  });
});
