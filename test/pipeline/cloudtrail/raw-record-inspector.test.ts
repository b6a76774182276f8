import { describe, expect, it } from 'vitest';
import type { RecordContext } from '../../../pipeline/cloudtrail/event-flattener.js';
import { RawRecordInspector } from '../../../pipeline/cloudtrail/raw-record-inspector.js';
import { RecordScanner } from '../../../pipeline/cloudtrail/record-scanner.js';
import { defined } from '../../harness/defined.js';

const CONTEXT: RecordContext = {
  sourceKey: 'k',
  account: '111122223333',
  region: 'eu-west-1',
  deliveryDate: '2024-03-06',
  fileKind: 'events',
};

function inspect(json: string, context: RecordContext = CONTEXT, inspector = new RawRecordInspector()) {
  const scanner = new RecordScanner();
  const [record] = scanner.push(Buffer.from(`{"Records":[${json}]}`));
  scanner.finish();
  return inspector.inspect(defined(record, 'a scanned record'), context);
}

const TYPICAL = JSON.stringify({
  eventVersion: '1.08',
  userIdentity: {
    type: 'IAMUser',
    arn: 'arn:aws:iam::111122223333:user/a',
    sessionContext: { attributes: { mfaAuthenticated: 'false' }, webIdFederationData: {} },
  },
  eventTime: '2024-03-05T14:07:31Z',
  awsRegion: 'us-east-1',
  readOnly: true,
  requestParameters: { anything: ['goes', { Here: 1 }] },
  resources: [{ ARN: 'x' }],
  recipientAccountId: '012345678901',
  tlsDetails: { tlsVersion: 'TLSv1.3' },
});

describe('RawRecordInspector', () => {
  it('lets DuckDB take a typical record as delivered, with its partition', () => {
    expect(inspect(TYPICAL)).toEqual({
      path: 'raw',
      table: 'events',
      partition: { account: '012345678901', region: 'us-east-1', day: '2024-03-05' },
    });
  });

  it.each([
    ['an unknown member', '{"eventTime":"2024-03-05T14:07:31Z","brandNew":1}'],
    ['an unknown member of userIdentity', '{"userIdentity":{"type":"IAMUser","brandNew":1}}'],
    ['an unknown member deep in sessionContext', '{"userIdentity":{"sessionContext":{"sessionIssuer":{"brandNew":"x"}}}}'],
    ['a repeated member', '{"eventName":"A","eventName":"B"}'],
    ['a boolean given as a string', '{"readOnly":"true"}'],
    ['a number in a text column', '{"recipientAccountId":123456789012}'],
    ['an object in a text column', '{"userIdentity":{"arn":{"x":1}}}'],
    ['a string where an object belongs', '{"userIdentity":"root"}'],
    ['an eventTime in another form', '{"eventTime":"2024-03-05T14:07:31.500Z"}'],
    ['an impossible eventTime', '{"eventTime":"2024-02-30T14:07:31Z"}'],
    ['an escaped account id', '{"recipientAccountId":"0123\\u00345678901"}'],
  ])('hands %s to the JS flattener', (_name, json) => {
    expect(inspect(json)).toEqual({ path: 'flatten' });
  });

  it('remembers verdicts on repeated identities without mixing them up', () => {
    const inspector = new RawRecordInspector();
    const good = '{"userIdentity":{"type":"IAMUser","arn":"arn:a"}}';
    const bad = '{"userIdentity":{"type":"IAMUser","arx":"arn:a"}}';
    expect(inspect(good, CONTEXT, inspector).path).toBe('raw');
    expect(inspect(bad, CONTEXT, inspector).path).toBe('flatten');
    expect(inspect(good, CONTEXT, inspector).path).toBe('raw');
    expect(inspect(bad, CONTEXT, inspector).path).toBe('flatten');
  });

  it('routes Insights by folder and by their own markers', () => {
    const insight =
      '{"eventType":"AwsCloudTrailInsight","eventTime":"2024-03-05T14:00:00Z","insightDetails":{"state":"End","insightContext":{"statistics":{"insightDuration":21}}}}';
    expect(inspect(insight)).toMatchObject({ path: 'raw', table: 'insights', partition: { day: '2024-03-05' } });
    expect(inspect(insight, { ...CONTEXT, fileKind: 'insight' })).toMatchObject({ path: 'raw', table: 'insights' });
  });
});
