import { describe, expect, it } from 'vitest';
import { EventFlattener, type RecordContext } from '../../../pipeline/cloudtrail/event-flattener.js';
import { normaliseEventTime } from '../../../pipeline/cloudtrail/event-time.js';
import { RecordScanner } from '../../../pipeline/cloudtrail/record-scanner.js';
import { CLOUDTRAIL_EVENT_COLUMNS, CLOUDTRAIL_INSIGHT_COLUMNS } from '../../../pipeline/tables/cloudtrail-tables.js';
import { defined } from '../../harness/defined.js';

const CONTEXT: RecordContext = {
  sourceKey: 'AWSLogs/1/k.json.gz',
  account: '111122223333',
  region: 'eu-west-1',
  deliveryDate: '2024-03-06',
  fileKind: 'events',
};

/** Flattens one record given as JSON text; returns its columns by name (values as JSON). */
function flatten(json: string, context: RecordContext = CONTEXT) {
  const scanner = new RecordScanner();
  const [record] = scanner.push(Buffer.from(`{"Records":[${json}]}`));
  scanner.finish();
  const row = new EventFlattener().flatten(defined(record, 'a scanned record'), context);
  const columns = row.table === 'events' ? CLOUDTRAIL_EVENT_COLUMNS : CLOUDTRAIL_INSIGHT_COLUMNS;
  const encoded = JSON.parse(row.line) as Record<string, unknown>;
  const values = Object.fromEntries(
    Object.entries(encoded).map(([key, value]) => [defined(columns[Number(key.slice(1))], key).name, value]),
  );
  return { ...row, values };
}

describe('EventFlattener', () => {
  it('types the top-level fields and flattens userIdentity, its sessionContext and tlsDetails', () => {
    const { values, partition, table } = flatten(
      JSON.stringify({
        eventVersion: '1.10',
        eventTime: '2024-03-05T14:07:31Z',
        readOnly: false,
        managementEvent: true,
        recipientAccountId: '012345678901',
        awsRegion: 'us-east-2',
        userIdentity: {
          type: 'AssumedRole',
          arn: 'arn:x',
          sessionContext: { sessionIssuer: { arn: 'arn:role' }, attributes: { mfaAuthenticated: 'true' }, ec2RoleDelivery: '2.0' },
        },
        tlsDetails: { tlsVersion: 'TLSv1.3', keyExchange: 'X25519MLKEM768' },
      }),
    );
    expect(table).toBe('events');
    expect(values).toMatchObject({
      eventversion: '1.10',
      eventtime: '2024-03-05 14:07:31',
      readonly: false,
      managementevent: true,
      recipientaccountid: '012345678901',
      useridentity_type: 'AssumedRole',
      useridentity_arn: 'arn:x',
      useridentity_sessioncontext_sessionissuer_arn: 'arn:role',
      useridentity_sessioncontext_attributes_mfaauthenticated: 'true',
      useridentity_sessioncontext_ec2roledelivery: '2.0',
      tlsdetails_tlsversion: 'TLSv1.3',
      tlsdetails_keyexchange: 'X25519MLKEM768',
      source_key: CONTEXT.sourceKey,
    });
    expect(partition).toEqual({ account: '012345678901', region: 'us-east-2', day: '2024-03-05' });
  });

  it('copies free-form objects through as their original JSON text, key case and numbers intact', () => {
    const requestParameters = '{"Bucket":"b","Big":12345678901234567890123,"f":9.8E-5,"Arr":[[1,2],{"X":null}],"dots.in.keys":"é"}';
    const { values } = flatten(`{"eventTime":"2024-03-05T14:07:31Z","requestParameters":${requestParameters},"responseElements":null}`);
    expect(values.requestparameters).toEqual(JSON.parse(requestParameters));
    expect(values.responseelements).toBeUndefined();
  });

  it('falls back on the key for the account, region and day of a record that does not say', () => {
    const { partition, values } = flatten('{"eventID":"x","eventTime":null,"recipientAccountId":"","awsRegion":null}');
    expect(partition).toEqual({ account: '111122223333', region: 'eu-west-1', day: '2024-03-06' });
    expect(values.recipientaccountid).toBe('');
  });

  it('keeps unknown members and values of the wrong type in unknown_fields, and counts them', () => {
    const { values, unknownFields, mistypedFields } = flatten(
      '{"newRootField":{"A":1},"readOnly":"maybe","eventTime":"yesterday","userIdentity":{"type":"IAMUser","newInside":[1],"sessionContext":{"attributes":{"x":true}}},"tlsDetails":"TLS"}',
    );
    expect(values.unknown_fields).toEqual({
      newRootField: { A: 1 },
      readOnly: 'maybe',
      eventTime: 'yesterday',
      userIdentity: { newInside: [1], sessionContext: { attributes: { x: true } } },
      tlsDetails: 'TLS',
    });
    expect(unknownFields).toBe(3);
    expect(mistypedFields).toBe(3);
    expect(values.useridentity_type).toBe('IAMUser');
    expect(values.readonly).toBeUndefined();
  });

  it('reads booleans given as strings and numbers in text columns', () => {
    const { values } = flatten(
      '{"readOnly":"TRUE","managementEvent":"false","recipientAccountId":123456789012,"userIdentity":{"sessionContext":{"assumedRoot":true}}}',
    );
    expect(values).toMatchObject({
      readonly: true,
      managementevent: false,
      recipientaccountid: '123456789012',
      useridentity_sessioncontext_assumedroot: 'true',
    });
  });

  it('sends Insights to cloudtrail_insights, by folder or by their own markers', () => {
    const insight =
      '{"eventType":"AwsCloudTrailInsight","eventTime":"2024-03-05T14:00:00Z","insightDetails":{"state":"Start","insightContext":{"statistics":{"baseline":{"average":0.5}}}}}';
    for (const context of [CONTEXT, { ...CONTEXT, fileKind: 'insight' as const }]) {
      const { table, values } = flatten(insight, context);
      expect(table).toBe('insights');
      expect(values).toMatchObject({
        insightdetails_state: 'Start',
        insightdetails_insightcontext_statistics_baseline_average: 0.5,
        eventtime: '2024-03-05 14:00:00',
      });
    }
    expect(flatten('{"eventCategory":"Insight"}').table).toBe('insights');
    expect(flatten('{"eventCategory":"Management"}').table).toBe('events');
  });

  it('puts each line on one line even when the file was pretty-printed', () => {
    const { line, values } = flatten('{\n  "requestParameters": {\n    "a": [\n 1\n ]\n  }\n}');
    expect(line.trimEnd()).not.toContain('\n');
    expect(values.requestparameters).toEqual({ a: [1] });
  });
});

describe('normaliseEventTime', () => {
  it.each([
    ['2024-03-05T14:07:31Z', { text: '2024-03-05 14:07:31', day: '2024-03-05' }],
    ['2024-03-05T23:59:59.1234567Z', { text: '2024-03-05 23:59:59.123456', day: '2024-03-05' }],
    ['2024-03-06T01:30:00+02:00', { text: '2024-03-05 23:30:00.000', day: '2024-03-05' }],
    ['2024-02-29T00:00:00Z', { text: '2024-02-29 00:00:00', day: '2024-02-29' }],
  ])('reads %s as UTC', (value, expected) => {
    expect(normaliseEventTime(value)).toEqual(expected);
  });

  it.each(['2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-03-05T24:00:00Z', 'yesterday', '1', '', '0000-01-01T00:00:00Z'])(
    'refuses %j',
    (value) => {
      expect(normaliseEventTime(value)).toBeUndefined();
    },
  );
});
