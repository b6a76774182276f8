import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../fakes/memory-object-store.js';
import { expectLakeHolds, filesUnder, record, useIngesterFixture } from './cloudtrail-ingester-support.js';
import { comparableRow, expectedRow, gzipJson, logKey, readLakeTable, sortedRows } from './cloudtrail-test-support.js';

const { ingestInto } = useIngesterFixture();

describe('CloudTrailIngester: what records hold', () => {
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
});
