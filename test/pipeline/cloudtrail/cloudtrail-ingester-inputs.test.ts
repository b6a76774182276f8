import { stat } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { FileOutcome, QuarantinedFile } from '../../../pipeline/cloudtrail/cloudtrail-ingester.js';
import { MemoryObjectStore } from '../../fakes/memory-object-store.js';
import { expectLakeHolds, filesUnder, record, useIngesterFixture } from './cloudtrail-ingester-support.js';
import { fixtureText, gzipJson, logKey, readLakeTable } from './cloudtrail-test-support.js';

const { ingestInto } = useIngesterFixture();

describe('CloudTrailIngester: inputs it cannot or need not ingest', () => {
  it('quarantines each kind of unreadable input with its reason while the rest of the batch lands', async () => {
    const source = new MemoryObjectStore();
    const good = logKey('good');
    const goodToo = logKey('goodtoo');
    const full = gzipJson({ Records: [record(), record()] });
    const bad: Record<string, { body: Buffer; reason: string }> = {
      [logKey('truncatedgzip')]: { body: full.subarray(0, full.length - 10), reason: 'truncated' },
      [logKey('notgzip')]: { body: Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('not really gzip')]), reason: 'unreadable-gzip' },
      [logKey('invalidjson')]: {
        body: Buffer.from(fixtureText('aws-cloudtrail-processing-library/SerializerTestFileBadJsonFormat.json')),
        reason: 'invalid-json',
      },
      [logKey('cutjson')]: { body: gzipSync('{"Records":[{"eventID":"x"},'), reason: 'truncated' },
      [logKey('norecords')]: { body: gzipJson({ records: [] }), reason: 'no-records' },
      [logKey('array')]: { body: gzipJson([record()]), reason: 'not-cloudtrail' },
      [logKey('empty')]: { body: Buffer.alloc(0), reason: 'invalid-json' },
      [logKey('badstring')]: { body: Buffer.from('{"Records":[{"eventID":"a\\qb"}]}'), reason: 'invalid-json' },
      'exports/2024/report.json.gz': { body: full, reason: 'not-cloudtrail' },
    };
    source.objects.set(good, full);
    source.objects.set(goodToo, gzipJson({ Records: [record()] }));
    for (const [key, { body }] of Object.entries(bad)) source.objects.set(key, body);
    const keys = [good, ...Object.keys(bad), goodToo];
    const { lakeDir, outcomes } = await ingestInto(source, keys);
    const byKey = new Map<string, FileOutcome>(outcomes.map((outcome) => [outcome.key, outcome]));
    expect(byKey.get(good)).toMatchObject({ status: 'ingested', events: 2 });
    expect(byKey.get(goodToo)).toMatchObject({ status: 'ingested', events: 1 });
    const lake = await filesUnder(lakeDir);
    for (const [key, { body, reason }] of Object.entries(bad)) {
      const outcome = byKey.get(key) as QuarantinedFile;
      expect(outcome, key).toMatchObject({ status: 'quarantined', reason });
      expect(outcome.quarantineKey).toMatch(/^_quarantine\/cloudtrail\/2026-03-02\/[0-9a-f]{12}_/);
      expect(lake.get(outcome.quarantineKey)?.equals(body), key).toBe(true);
      const why = JSON.parse(lake.get(`${outcome.quarantineKey}.error.json`)?.toString('utf8') ?? '') as Record<string, unknown>;
      expect(why).toMatchObject({ key, reason, source: `memory://${key}`, quarantinedAt: '2026-03-02T10:00:00.000Z' });
      expect(String(why.message).length).toBeGreaterThan(10);
    }
    const events = await readLakeTable(lakeDir, 'events');
    expect(events.map((row) => row.source_key).sort()).toEqual([good, good, goodToo]);
  });

  it('mends invalid UTF-8 in a string instead of quarantining the file', async () => {
    const source = new MemoryObjectStore();
    const key = logKey('utf8');
    const text = JSON.stringify({ Records: [record({ eventID: 'u-1', userAgent: 'agent-XX' })] });
    const bytes = Buffer.from(text);
    const at = bytes.indexOf('XX');
    bytes[at] = 0xff;
    bytes[at + 1] = 0xfe;
    source.objects.set(key, gzipSync(bytes));
    const { lakeDir, outcomes } = await ingestInto(source, [key]);
    expect(outcomes[0]).toMatchObject({ status: 'ingested', events: 1 });
    const [row] = await readLakeTable(lakeDir, 'events');
    expect(row?.useragent).toBe('agent-\uFFFD\uFFFD');
  });

  it('skips digest files, other streams and folder markers without reading them', async () => {
    const source = new MemoryObjectStore();
    const digest =
      'AWSLogs/o-a1b2c3d4e5/123456789012/CloudTrail-Digest/us-east-1/2024/03/05/' +
      '123456789012_CloudTrail-Digest_us-east-1_org_us-east-1_20240305T150000Z.json.gz';
    const network = logKey('net', { folder: 'CloudTrail-NetworkActivity' });
    const outcomes = (await ingestInto(source, [digest, network, 'AWSLogs/123456789012/CloudTrail/'])).outcomes;
    expect(outcomes).toEqual([
      { status: 'skipped', key: digest, reason: 'digest' },
      { status: 'skipped', key: network, reason: 'network-activity' },
      { status: 'skipped', key: 'AWSLogs/123456789012/CloudTrail/', reason: 'folder' },
    ]);
  });

  it('reads a pretty-printed plain JSON file as well as gzip', async () => {
    const source = new MemoryObjectStore();
    const key = logKey('pretty').replace('.json.gz', '.json');
    const records = [record(), record({ eventName: 'PutObject' })];
    source.objects.set(key, Buffer.from(JSON.stringify({ Records: records }, null, 4)));
    const { lakeDir } = await ingestInto(source, [key]);
    await expectLakeHolds(lakeDir, [{ key, records }]);
    expect((await stat(lakeDir)).isDirectory()).toBe(true);
  });
});
