import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CloudTrailIngester,
  type FileOutcome,
  type IngestedFile,
  type QuarantinedFile,
} from '../../../pipeline/cloudtrail/cloudtrail-ingester.js';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import { LocalObjectStore } from '../../../pipeline/store/local-object-store.js';
import { MemoryObjectStore } from '../../fakes/memory-object-store.js';
import {
  comparableRow,
  expectedRow,
  fixtureLogs,
  fixtureText,
  gzipJson,
  logKey,
  readLakeTable,
  sortedRows,
} from './cloudtrail-test-support.js';

let root: string;
let instance: DuckDBInstance;
let connection: DuckDBConnection;
const clock = () => new Date('2026-03-02T10:00:00Z');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-cloudtrail-ingester-'));
  ({ instance, connection } = await openDuckDb({ threads: 1, memoryLimit: '256MB', tempDirectory: root }));
});

afterAll(async () => {
  connection?.closeSync();
  instance?.closeSync();
  await rm(root, { recursive: true, force: true });
});

let lakes = 0;
async function ingestInto(source: MemoryObjectStore, keys: readonly string[], options: { fastPath?: boolean; lakeDir?: string } = {}) {
  const lakeDir = options.lakeDir ?? join(root, `lake-${(lakes += 1)}`);
  const ingester = new CloudTrailIngester({
    connection,
    lake: new LocalObjectStore(lakeDir),
    tempDirectory: root,
    clock,
    ...(options.fastPath === undefined ? {} : { fastPath: options.fastPath }),
  });
  const outcomes = await ingester.ingest(source, keys);
  return { lakeDir, outcomes };
}

async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.set(relative(dir, path), await readFile(path));
    }
  };
  await walk(dir);
  return out;
}

let eventIds = 0;
function record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  eventIds += 1;
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLE:session',
      arn: 'arn:aws:sts::123456789012:assumed-role/etl/session',
      accountId: '123456789012',
      accessKeyId: 'ASIAEXAMPLE',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLE',
          arn: 'arn:aws:iam::123456789012:role/etl',
          accountId: '123456789012',
          userName: 'etl',
        },
        webIdFederationData: {},
        attributes: { creationDate: '2024-03-05T13:00:00Z', mfaAuthenticated: 'false' },
      },
    },
    eventTime: '2024-03-05T14:07:31Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'us-east-1',
    sourceIPAddress: '10.0.0.1',
    userAgent: 'aws-cli/2',
    requestParameters: { bucketName: 'b', Host: 'b.s3.amazonaws.com', key: 'k' },
    responseElements: null,
    requestID: 'R1',
    eventID: `e-${eventIds}`,
    readOnly: true,
    resources: [
      { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::b/k' },
      { accountId: '123456789012', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::b' },
    ],
    eventType: 'AwsApiCall',
    managementEvent: false,
    recipientAccountId: '123456789012',
    eventCategory: 'Data',
    tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: 'b.s3.amazonaws.com' },
    ...overrides,
  };
}

/** Checks every row of `lakeDir` against the oracle, file by file, and that nothing else is there. */
async function expectLakeHolds(
  lakeDir: string,
  inputs: ReadonlyArray<{ key: string; records: readonly Record<string, unknown>[]; table?: 'events' | 'insights' }>,
): Promise<void> {
  for (const table of ['events', 'insights'] as const) {
    const rows = await readLakeTable(lakeDir, table);
    for (const input of inputs) {
      const expected = (input.table ?? 'events') === table ? input.records.map((source) => expectedRow(source, table, input.key)) : [];
      const actual = rows.filter((row) => row.source_key === input.key).map((row) => comparableRow(row, table));
      expect(sortedRows(actual), `${table} rows of ${input.key}`).toEqual(sortedRows(expected));
    }
    expect(rows.filter((row) => !inputs.some((input) => input.key === row.source_key))).toEqual([]);
  }
}

describe('CloudTrailIngester', () => {
  it.each([true, false])(
    'ingests every fixture file: one row per event, every column equal to the source (fast path %s)',
    async (fastPath) => {
      const fixtures = fixtureLogs();
      expect(fixtures.length).toBeGreaterThan(40);
      const source = new MemoryObjectStore();
      const inputs = fixtures.map((fixture) => ({ key: logKey(fixture.name), records: fixture.records }));
      for (const [index, fixture] of fixtures.entries()) source.objects.set(inputs[index]!.key, fixture.body);
      const { lakeDir, outcomes } = await ingestInto(
        source,
        inputs.map((input) => input.key),
        { fastPath },
      );
      expect(outcomes.map((outcome) => outcome.status)).toEqual(fixtures.map(() => 'ingested'));
      const events = await readLakeTable(lakeDir, 'events');
      expect(events).toHaveLength(fixtures.reduce((sum, fixture) => sum + fixture.records.length, 0));
      // Every eventID exactly once.
      const ids = events.map((row) => `${String(row.source_key)} ${String(row.eventid)}`).filter((id) => !id.endsWith(' null'));
      const sourceIds = inputs.flatMap((input) =>
        input.records.filter((r) => typeof r.eventID === 'string').map((r) => `${input.key} ${String(r.eventID)}`),
      );
      expect(ids.sort()).toEqual(sourceIds.sort());
      await expectLakeHolds(lakeDir, inputs);
    },
  );

  it('writes the same lake through the fast path and through the JS flattener', async () => {
    const fixtures = fixtureLogs().slice(0, 20);
    const source = new MemoryObjectStore();
    const keys = fixtures.map((fixture) => logKey(fixture.name));
    for (const [index, fixture] of fixtures.entries()) source.objects.set(keys[index]!, fixture.body);
    const fast = await ingestInto(source, keys, { fastPath: true });
    const slow = await ingestInto(source, keys, { fastPath: false });
    const strip = (rows: Array<Record<string, unknown>>) => sortedRows(rows.map((row) => comparableRow(row, 'events')));
    expect(strip(await readLakeTable(fast.lakeDir, 'events'))).toEqual(strip(await readLakeTable(slow.lakeDir, 'events')));
    expect([...(await filesUnder(fast.lakeDir)).keys()].sort()).toEqual([...(await filesUnder(slow.lakeDir)).keys()].sort());
  });

  it('ingests an empty Records array as a file with no rows and no objects', async () => {
    const source = new MemoryObjectStore();
    const key = logKey('empty');
    source.objects.set(key, gzipJson({ Records: [] }));
    const { outcomes } = await ingestInto(source, [key]);
    expect(outcomes[0]).toMatchObject({ status: 'ingested', events: 0, insights: 0, objects: [] });
  });

  it('keeps unknown fields at the root and inside userIdentity in unknown_fields, and counts them', async () => {
    const source = new MemoryObjectStore();
    const key = logKey('unknown');
    const base = record();
    const odd = {
      ...base,
      brandNewField: { Nested: [1, 2, { Deep: true }] },
      userIdentity: {
        ...(base.userIdentity as object),
        shinyNewThing: 'x',
        sessionContext: { ...((base.userIdentity as Record<string, object>).sessionContext as object), extra: 42 },
      },
      readOnly: 'maybe',
    };
    const plain = record();
    source.objects.set(key, gzipJson({ Records: [odd, plain] }));
    const { lakeDir, outcomes } = await ingestInto(source, [key]);
    expect(outcomes[0]).toMatchObject({ status: 'ingested', events: 2, unknownFields: 3, mistypedFields: 1 });
    await expectLakeHolds(lakeDir, [{ key, records: [odd, plain] }]);
    const rows = await readLakeTable(lakeDir, 'events');
    const unknown = rows.map((row) => row.unknown_fields).filter((value) => value !== null);
    expect(unknown.map((value) => JSON.parse(String(value)))).toEqual([
      {
        brandNewField: { Nested: [1, 2, { Deep: true }] },
        readOnly: 'maybe',
        userIdentity: { shinyNewThing: 'x', sessionContext: { extra: 42 } },
      },
    ]);
  });

  it('keeps 13-digit, leading-zero and odd account ids as delivered, escaped in the partition', async () => {
    const source = new MemoryObjectStore();
    const key = logKey('accounts');
    const records = [
      record({ recipientAccountId: '0123456789012' }),
      record({ recipientAccountId: '000000000042', userIdentity: { type: 'AWSAccount', accountId: '000000000042' } }),
      record({ recipientAccountId: 'redacted/../x y' }),
      record({ recipientAccountId: null, awsRegion: null }),
    ];
    source.objects.set(key, gzipJson({ Records: records }));
    const { lakeDir } = await ingestInto(source, [key]);
    await expectLakeHolds(lakeDir, [{ key, records }]);
    const files = [...(await filesUnder(lakeDir)).keys()].map((path) => path.split('/').slice(2, 4).join('/')).sort();
    expect(files).toEqual([
      'account=000000000042/region=us-east-1',
      'account=0123456789012/region=us-east-1',
      // No recipientAccountId and no awsRegion: the account and region of the key.
      'account=123456789012/region=us-east-1',
      'account=redacted%2F..%2Fx%20y/region=us-east-1',
    ]);
    const rows = await readLakeTable(lakeDir, 'events');
    expect(rows.map((row) => row.account).sort()).toEqual(['000000000042', '0123456789012', '123456789012', 'redacted/../x y']);
  });

  it('keeps resources without accountId (and with ARNPrefix) as their original JSON', async () => {
    const source = new MemoryObjectStore();
    const key = logKey('resources');
    const records = [
      record({
        resources: [
          { type: 'AWS::S3::Object', ARNPrefix: 'arn:aws:s3:::b/prefix/' },
          { ARN: 'arn:aws:s3:::b', type: 'AWS::S3::Bucket' },
        ],
      }),
    ];
    source.objects.set(key, gzipJson({ Records: records }));
    const { lakeDir } = await ingestInto(source, [key]);
    await expectLakeHolds(lakeDir, [{ key, records }]);
  });

  it('routes Insights to cloudtrail_insights, from their folder and from their own markers', async () => {
    const source = new MemoryObjectStore();
    const start = {
      eventVersion: '1.08',
      eventTime: '2024-03-05T14:00:00Z',
      awsRegion: 'us-east-1',
      eventID: 'i-1',
      eventType: 'AwsCloudTrailInsight',
      recipientAccountId: '123456789012',
      sharedEventID: 's-1',
      insightDetails: {
        state: 'Start',
        eventSource: 'ec2.amazonaws.com',
        eventName: 'RunInstances',
        insightType: 'ApiCallRateInsight',
        insightContext: {
          statistics: { baseline: { average: 0.0011 }, insight: { average: 2.6 }, baselineDuration: 10080 },
          attributions: [{ attribute: 'errorCode', insight: [{ value: 'null', average: 9.8e-5 }], baseline: [] }],
        },
      },
      eventCategory: 'Insight',
    };
    const end = {
      ...start,
      eventID: 'i-2',
      eventTime: '2024-03-05T14:21:00Z',
      insightDetails: {
        ...start.insightDetails,
        state: 'End',
        insightContext: {
          statistics: { baseline: { average: 0.0011 }, insight: { average: 1.7 }, insightDuration: 21, baselineDuration: 10080 },
        },
      },
    };
    const insightKey = logKey('insight', { folder: 'CloudTrail-Insight' });
    const mixedKey = logKey('mixed');
    source.objects.set(insightKey, gzipJson({ Records: [start, end] }));
    const plain = record();
    source.objects.set(mixedKey, gzipJson({ Records: [plain, { ...end, eventID: 'i-3' }] }));
    const { lakeDir, outcomes } = await ingestInto(source, [insightKey, mixedKey]);
    expect(outcomes).toMatchObject([
      { events: 0, insights: 2 },
      { events: 1, insights: 1 },
    ]);
    const insights = await readLakeTable(lakeDir, 'insights');
    expect(insights.map((row) => [row.eventid, row.insightdetails_state, row.insightdetails_eventname]).sort()).toEqual([
      ['i-1', 'Start', 'RunInstances'],
      ['i-2', 'End', 'RunInstances'],
      ['i-3', 'End', 'RunInstances'],
    ]);
    const rows = await readLakeTable(lakeDir, 'events');
    expect(sortedRows(rows.map((row) => comparableRow(row, 'events')))).toEqual([expectedRow(plain, 'events', mixedKey)]);
    const insightRows = sortedRows(insights.map((row) => comparableRow(row, 'insights')));
    expect(insightRows).toEqual(
      sortedRows([
        expectedRow(start, 'insights', insightKey),
        expectedRow(end, 'insights', insightKey),
        expectedRow({ ...end, eventID: 'i-3' }, 'insights', mixedKey),
      ]),
    );
  });

  it('splits a file whose events span midnight into two day partitions of the same input', async () => {
    const source = new MemoryObjectStore();
    const key = logKey('midnight', { day: '2024-03-06' });
    const records = [
      record({ eventTime: '2024-03-05T23:59:59Z' }),
      record({ eventTime: '2024-03-06T00:00:01Z' }),
      record({ eventTime: '2024-03-05T23:58:00Z' }),
    ];
    source.objects.set(key, gzipJson({ Records: records }));
    const { lakeDir, outcomes } = await ingestInto(source, [key]);
    const written = (outcomes[0] as IngestedFile).objects;
    expect(written.map((object) => [object.partition.day, object.rows])).toEqual([
      ['2024-03-05', 2],
      ['2024-03-06', 1],
    ]);
    // Both objects carry the same name: the hash of the input key.
    expect(new Set(written.map((object) => object.key.split('/').pop())).size).toBe(1);
    await expectLakeHolds(lakeDir, [{ key, records }]);
  });

  it('writes an identical lake when the same input is ingested twice', async () => {
    const source = new MemoryObjectStore();
    const keys = [logKey('a'), logKey('b', { day: '2024-03-06' })];
    source.objects.set(keys[0]!, gzipJson({ Records: [record(), record({ eventTime: '2024-03-04T10:00:00Z' })] }));
    source.objects.set(keys[1]!, gzipJson({ Records: [record()] }));
    const lakeDir = join(root, 'twice');
    await ingestInto(source, keys, { lakeDir });
    const first = await filesUnder(lakeDir);
    await ingestInto(source, keys, { lakeDir });
    const second = await filesUnder(lakeDir);
    expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
    for (const [path, bytes] of first) expect(second.get(path)?.equals(bytes), path).toBe(true);
  });

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
      const why = JSON.parse(lake.get(`${outcome.quarantineKey}.error.json`)!.toString('utf8')) as Record<string, unknown>;
      expect(why).toMatchObject({ key, reason, source: `memory://${key}`, quarantinedAt: '2026-03-02T10:00:00.000Z' });
      expect(String(why.message).length).toBeGreaterThan(10);
    }
    const events = await readLakeTable(lakeDir, 'events');
    expect(events.map((row) => row.source_key).sort()).toEqual([good, good, goodToo]);
  });

  it('keeps records larger than the spool buffer whole, on both paths, around a file cut short mid-record', async () => {
    const source = new MemoryObjectStore();
    const huge = (id: string, extra: Record<string, unknown> = {}) =>
      record({ eventID: id, requestParameters: { policy: 'x'.repeat(5 << 20), items: [1, 2, 3] }, ...extra });
    const first = logKey('hugefirst');
    const cut = logKey('hugecut');
    const last = logKey('hugelast');
    const firstRecords = [record(), huge('h1'), record(), huge('h2', { brandNewField: 'kept' }), record()];
    const lastRecords = [huge('h3'), record()];
    const cutBody = gzipJson({ Records: [record(), huge('h4'), record()] });
    source.objects.set(first, gzipJson({ Records: firstRecords }));
    source.objects.set(cut, cutBody.subarray(0, cutBody.length - 200));
    source.objects.set(last, gzipJson({ Records: lastRecords }));
    const { lakeDir, outcomes } = await ingestInto(source, [first, cut, last]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['ingested', 'quarantined', 'ingested']);
    expect(outcomes[0]).toMatchObject({ events: 5, unknownFields: 1 });
    await expectLakeHolds(lakeDir, [
      { key: first, records: firstRecords },
      { key: last, records: lastRecords },
    ]);
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
      'AWSLogs/o-a1b2c3d4e5/123456789012/CloudTrail-Digest/us-east-1/2024/03/05/123456789012_CloudTrail-Digest_us-east-1_org_us-east-1_20240305T150000Z.json.gz';
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
