import { clickstreamBatch, hourlyOrdersLoad } from './etl-loads.js';
import { nightlyDbt, nightlyUnload } from './etl-nightly.js';
import {
  ADMIN,
  CLICKSTREAM,
  CLICKSTREAM_ARCHIVE,
  CLICKSTREAM_RAW,
  CUSTOMER_LTV,
  CUSTOMERS,
  DAILY_SALES,
  DBT,
  DEFAULT_QUEUE,
  LOADER,
  LOADS,
  ONCALL,
  ORDER_ITEMS,
  ORDERS,
  ORDERS_RAW,
  REPORTING,
  REPORTS,
  TRANSFORMS,
} from './etl-vocabulary.js';
import { RDSDB, adminMonitoring, autoAnalyze, dayLiteral, hex, officeLoad, scan, spread } from './profile-helpers.js';
import type { Arrival, MinuteContext, StatementSpec, WorkloadProfile } from './workload-profile.js';

/**
 * A warehouse fed by pipelines: an hourly orders load in one transaction, clickstream
 * micro-batches every five minutes, the nightly dbt rebuild of the marts (long statements, big
 * scans, much DDL), a nightly UNLOAD, and some reporting and Spectrum queries in the day. Its
 * trouble: `staging.clickstream_raw` has never been analyzed.
 */

function reportQuery(context: MinuteContext): StatementSpec {
  const rng = context.rng;
  const from = dayLiteral(context.minuteStartMs, rng.int(7, 90));
  const build = rng.weighted<() => StatementSpec>([
    [
      3,
      () => ({
        kind: 'query',
        user: REPORTING,
        label: 'reports',
        text: `SELECT day, currency, orders, revenue FROM mart.daily_sales WHERE day >= '${from}' ORDER BY day`,
        medianMs: 400,
        queue: REPORTS,
        scans: [scan(DAILY_SALES, 'daily_sales', { fraction: 0.1, selectivity: 0.8 })],
        plan: { sortKey: 'day' },
      }),
    ],
    [
      2,
      () => ({
        kind: 'query',
        user: REPORTING,
        label: 'reports',
        text: `SELECT value_tier, sales_region, COUNT(*) AS customers, AVG(lifetime_value) AS avg_ltv
FROM mart.customer_ltv
WHERE last_order_at >= '${from}'
GROUP BY 1, 2`,
        medianMs: 2_500,
        queue: REPORTS,
        scans: [scan(CUSTOMER_LTV, 'customer_ltv', { selectivity: 0.4 })],
        plan: { aggregate: '' },
      }),
    ],
  ]);
  return { ...build(), session: `reporting-${Math.floor(context.minuteStartMs / 1_800_000)}` };
}

/** The on-call engineer checks traffic: big scans of core and the Spectrum archive. */
function oncallQuery(context: MinuteContext): StatementSpec {
  const rng = context.rng;
  const since = dayLiteral(context.minuteStartMs, rng.int(1, 3));
  const session = `oncall-${Math.floor(context.minuteStartMs / 3_600_000)}`;
  if (rng.chance(0.4)) {
    const month = dayLiteral(context.minuteStartMs, rng.int(60, 400)).slice(0, 7);
    return {
      kind: 'query',
      user: ONCALL,
      session,
      text: `SELECT date_trunc('day', event_ts) AS day, COUNT(*) AS events
FROM spectrum.clickstream_archive
WHERE event_month = '${month}'
GROUP BY 1
ORDER BY 1`,
      medianMs: 240_000,
      sigma: 0.4,
      queue: DEFAULT_QUEUE,
      scans: [scan(CLICKSTREAM_ARCHIVE, 'clickstream_archive', { fraction: 0.04 })],
      plan: { aggregate: '', sortKey: "date_trunc('day'::text, event_ts)" },
      abortRate: 0.15,
    };
  }
  return {
    kind: 'query',
    user: ONCALL,
    session,
    text: `SELECT date_trunc('hour', event_ts) AS hour, utm_source, COUNT(*) AS events
FROM core.clickstream
WHERE event_ts >= '${since}'
GROUP BY 1, 2
ORDER BY 1, 3 DESC`,
    medianMs: 75_000,
    sigma: 0.5,
    queue: DEFAULT_QUEUE,
    scans: [
      scan(CLICKSTREAM, 'clickstream', {
        fraction: 0.01 * rng.int(1, 3),
        selectivity: 0.95,
        filter: `Filter: (event_ts >= '${since} 00:00:00'::timestamp without time zone)`,
      }),
    ],
    plan: { aggregate: '', sortKey: "date_trunc('hour'::text, event_ts), count(*)" },
    abortRate: 0.08,
  };
}

function adminWork(context: MinuteContext): StatementSpec {
  const rng = context.rng;
  return rng.weighted<StatementSpec>([
    [2, { kind: 'utility', user: ADMIN, text: `GRANT USAGE ON SCHEMA mart TO GROUP ${rng.pick(['reporting', 'analysts'])}`, medianMs: 30 }],
    [
      2,
      {
        kind: 'utility',
        user: ADMIN,
        text: `ALTER USER ${rng.pick(['reporting_svc', 'ops_oncall'])} SET statement_timeout TO ${rng.pick([600000, 1800000])}`,
        medianMs: 30,
      },
    ],
    [
      1,
      {
        kind: 'ddl',
        user: ADMIN,
        text: `ALTER TABLE core.orders ALTER COLUMN status TYPE varchar(${rng.pick([32, 48, 64])})`,
        medianMs: 3_000,
      },
    ],
    [1, { kind: 'ddl', user: ADMIN, text: `CREATE SCHEMA IF NOT EXISTS sandbox_${hex(rng, 4)}`, medianMs: 40 }],
    [1, { kind: 'utility', user: ADMIN, text: 'LOCK core.orders', medianMs: 5 }],
  ]);
}

function arrivals(context: MinuteContext): Arrival[] {
  const rng = context.rng;
  const load = officeLoad(context);
  const result: Arrival[] = [];
  if (context.minuteOfHour === 5) result.push(hourlyOrdersLoad(context));
  if (context.minuteOfHour % 5 === 2) result.push(clickstreamBatch(context));
  if (context.hour === 2 && context.minuteOfHour === 0) result.push(nightlyDbt(context));
  if (context.hour === 3 && context.minuteOfHour === 30) result.push(nightlyUnload(context));
  result.push(...spread(context, rng.poisson(0.25 * load), () => reportQuery(context)));
  result.push(...spread(context, rng.poisson(0.02 * load + 0.002), () => oncallQuery(context)));
  result.push(...spread(context, rng.poisson(0.006), () => adminWork(context)));
  if (rng.chance(0.008)) result.push(adminMonitoring(context, ADMIN));
  if (rng.chance(0.015)) result.push(autoAnalyze(context, rng.pick([ORDERS, ORDER_ITEMS, CUSTOMERS, CLICKSTREAM]), 'core'));
  return result;
}

export const ETL_PROFILE: WorkloadProfile = {
  name: 'etl',
  slices: 8,
  databases: ['dev'],
  users: [RDSDB, ADMIN, LOADER, DBT, REPORTING, ONCALL],
  queues: [LOADS, TRANSFORMS, REPORTS, DEFAULT_QUEUE],
  tables: [ORDERS_RAW, CLICKSTREAM_RAW, ORDERS, ORDER_ITEMS, CUSTOMERS, CLICKSTREAM, DAILY_SALES, CUSTOMER_LTV, CLICKSTREAM_ARCHIVE],
  peakQueueMs: 4_000,
  arrivals,
};
