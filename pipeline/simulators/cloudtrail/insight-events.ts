import type { SeededRandom } from '../seeded-random.js';
import { type DemoAccount, type DemoRecord, iso } from './demo-record.js';

/** The Start and End events of one Insight (an unusual API call rate). */
export function insightPair(r: SeededRandom, account: DemoAccount, region: string, start: Date, minutes: number): DemoRecord[] {
  const shared = r.uuid();
  const end = new Date(start.getTime() + minutes * 60_000);
  const statistics = (state: string) => ({
    baseline: { average: 0.0011458333 },
    insight: { average: state === 'Start' ? 2.6 : 1.7142857143 },
    ...(state === 'End' ? { insightDuration: minutes, baselineDuration: 10080 } : { baselineDuration: 10080 }),
  });
  return (['Start', 'End'] as const).map((state) => ({
    eventVersion: '1.08',
    eventTime: iso(state === 'Start' ? start : end),
    awsRegion: region,
    eventID: r.uuid(),
    eventType: 'AwsCloudTrailInsight',
    recipientAccountId: account.id,
    sharedEventID: shared,
    insightDetails: {
      state,
      eventSource: 'redshift-data.amazonaws.com',
      eventName: 'ExecuteStatement',
      insightType: 'ApiCallRateInsight',
      insightContext: {
        statistics: statistics(state),
        attributions: [
          {
            attribute: 'userIdentityArn',
            insight: [{ value: `arn:aws:sts::${account.id}:assumed-role/etl-runner/i-0a1b2c3d4e5f60718`, average: 2.4 }],
            baseline: [{ value: `arn:aws:sts::${account.id}:assumed-role/etl-runner/i-0a1b2c3d4e5f60718`, average: 0.0009 }],
          },
          { attribute: 'errorCode', insight: [{ value: 'null', average: 2.6 }], baseline: [{ value: 'null', average: 9.8e-5 }] },
        ],
      },
    },
    eventCategory: 'Insight',
  }));
}
