import { describe, expect, it } from 'vitest';
import { CloudTrailLakeIndex } from '../../../pipeline/cloudtrail/cloudtrail-lake-index.js';
import { cloudTrailObject, quarantineKeys } from '../../../pipeline/cloudtrail/cloudtrail-lake-layout.js';
import { MemoryObjectStore } from '../../fakes/memory-object-store.js';
import { logKey } from './cloudtrail-test-support.js';

const PARTITION = { account: '123456789012', region: 'us-east-1' };

describe('CloudTrailLakeIndex', () => {
  it('finds an input by its objects on its delivery day or the day before, in its own table', async () => {
    const lake = new MemoryObjectStore();
    const sameDay = logKey('same', { day: '2024-03-05' });
    const dayBefore = logKey('before', { day: '2024-03-05' });
    const twoDaysBefore = logKey('long-before', { day: '2024-03-05' });
    const insight = logKey('insight', { day: '2024-03-05', folder: 'CloudTrail-Insight' });
    const insightAsEvents = logKey('insight-as-events', { day: '2024-03-05', folder: 'CloudTrail-Insight' });
    const put = (object: { key: string }) => lake.putBytes(object.key, 'parquet');
    await put(cloudTrailObject('events', { ...PARTITION, day: '2024-03-05' }, sameDay));
    await put(cloudTrailObject('events', { ...PARTITION, day: '2024-03-04' }, dayBefore));
    await put(cloudTrailObject('events', { ...PARTITION, day: '2024-03-03' }, twoDaysBefore));
    await put(cloudTrailObject('insights', { ...PARTITION, day: '2024-03-05' }, insight));
    await put(cloudTrailObject('events', { ...PARTITION, day: '2024-03-05' }, insightAsEvents));
    const index = new CloudTrailLakeIndex(lake);
    expect(await index.has(sameDay)).toBe(true);
    expect(await index.has(dayBefore)).toBe(true);
    expect(await index.has(twoDaysBefore)).toBe(false);
    expect(await index.has(insight)).toBe(true);
    expect(await index.has(insightAsEvents)).toBe(false);
    expect(await index.has(logKey('never', { day: '2024-03-05' }))).toBe(false);
  });

  it('counts a quarantined input as done, whatever its key', async () => {
    const lake = new MemoryObjectStore();
    const bad = 'exports/2024/report.json.gz';
    const keys = quarantineKeys(bad, new Date('2026-03-02T10:00:00Z'));
    await lake.putBytes(keys.data, 'x');
    await lake.putBytes(keys.error, '{}');
    const index = new CloudTrailLakeIndex(lake);
    expect(await index.has(bad)).toBe(true);
    expect(await index.has('exports/2024/other.json.gz')).toBe(false);
  });
});
