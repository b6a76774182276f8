import { checkoutCount, cohortRetention, customerList, customerLookup, featureUnload, pathAnalysis } from './analytics-adhoc.js';
import { channelFunnel, revenueByRegion, revenueKpi, topProducts } from './analytics-dashboards.js';
import {
  ADHOC,
  ADMIN,
  ANA,
  BEN,
  CUSTOMERS,
  DAILY_REVENUE,
  DANA,
  DASHBOARDS,
  DEFAULT_QUEUE,
  LOOKER,
  PRODUCTS,
  REGIONS,
  SALES,
  SESSIONS,
  UPLOADS,
  WEB_EVENTS,
} from './analytics-vocabulary.js';
import { RDSDB, SHORT_QUERY_QUEUE, adminMonitoring, autoAnalyze, dayLiteral, officeLoad, scan, spread } from './profile-helpers.js';
import type { Arrival, MinuteContext, StatementSpec, WorkloadProfile } from './workload-profile.js';

/**
 * A BI cluster: a dashboard tool fires many short SELECTs through office hours, analysts run
 * heavier ad hoc work. Its troubles, visible in the views: `web_events` was never analyzed, one
 * cohort query joins without an equality predicate (nested loop), `customers` carries many
 * deleted rows, and peak hours spill dashboards onto concurrency scaling.
 */

function utility(context: MinuteContext): StatementSpec {
  const rng = context.rng;
  const user = rng.pick([ANA, BEN, DANA, LOOKER]);
  const session = `${user.name}-${Math.floor(context.minuteStartMs / 3_600_000)}`;
  const text = rng.weighted<string>([
    [6, 'SET search_path TO analytics, public'],
    [4, `SET statement_timeout TO ${rng.pick([60000, 300000, 900000])}`],
    [3, 'SHOW search_path'],
    [3, 'BEGIN'],
    [3, 'COMMIT'],
    [1, 'ROLLBACK'],
    [2, `SET query_group TO '${rng.pick(['adhoc', 'notebook', 'looker'])}'`],
    [1, 'RESET query_group'],
    [1, `TRUNCATE scratch.${user.name}_tmp_${rng.int(1, 40)}`],
  ]);
  return { kind: 'utility', user, text, medianMs: 3, sigma: 0.8, session };
}

function adminUtility(context: MinuteContext): StatementSpec {
  const rng = context.rng;
  const text = rng.weighted<string>([
    [3, `GRANT SELECT ON ALL TABLES IN SCHEMA ${rng.pick(['public', 'reporting'])} TO GROUP ${rng.pick(['analysts', 'bi_readers'])}`],
    [2, `ANALYZE public.${rng.pick(['daily_revenue', 'sales', 'products'])}`],
    [1, `CANCEL ${1_073_741_824 + rng.int(10_000, 900_000)}`],
    [1, `REVOKE ALL ON SCHEMA scratch FROM ${rng.pick(['ben_okafor', 'dana_ml'])}`],
  ]);
  return { kind: 'utility', user: ADMIN, text, medianMs: 40, sigma: 0.8 };
}

function scratchTable(context: MinuteContext): StatementSpec[] {
  const rng = context.rng;
  const user = rng.pick([ANA, BEN]);
  const name = `scratch.${user.name}_cohort_${dayLiteral(context.minuteStartMs).replaceAll('-', '')}_${rng.int(1, 9)}`;
  const session = `${user.name}-${Math.floor(context.minuteStartMs / 3_600_000)}`;
  return [
    { kind: 'ddl', user, text: `DROP TABLE IF EXISTS ${name}`, medianMs: 30, session },
    {
      kind: 'ddl',
      user,
      text: `CREATE TABLE ${name} (
  customer_id bigint NOT NULL,
  cohort date,
  week_number integer,
  revenue numeric(18,2)
)
DISTKEY (customer_id)
SORTKEY (cohort)`,
      medianMs: 60,
      session,
    },
  ];
}

/** A view definition long enough to need several pieces in stl_ddltext. */
function customerView(context: MinuteContext): StatementSpec {
  const rng = context.rng;
  const window = rng.pick([90, 180, 365]);
  return {
    kind: 'ddl',
    user: ADMIN,
    text: `CREATE OR REPLACE VIEW reporting.v_customer_360 AS
SELECT c.customer_id,
       c.email,
       c.segment,
       c.signup_at,
       r.region_name,
       COALESCE(SUM(s.amount), 0) AS revenue_${window}d,
       COUNT(DISTINCT s.order_id) AS orders_${window}d,
       MAX(s.sold_at) AS last_order_at,
       COUNT(DISTINCT se.session_id) AS sessions_${window}d,
       SUM(CASE WHEN se.purchased THEN 1 ELSE 0 END) AS purchasing_sessions
FROM public.customers c
LEFT JOIN public.regions r ON r.region_id = c.region_id
LEFT JOIN public.sales s ON s.customer_id = c.customer_id AND s.sold_at >= dateadd(day, -${window}, getdate())
LEFT JOIN public.sessions se ON se.customer_id = c.customer_id AND se.started_at >= dateadd(day, -${window}, getdate())
GROUP BY 1, 2, 3, 4, 5
WITH NO SCHEMA BINDING`,
    medianMs: 120,
  };
}

/** An analyst loads a CSV file into scratch; a few lines of it never parse. */
function upload(context: MinuteContext): StatementSpec {
  const rng = context.rng;
  const user = rng.pick([ANA, BEN, DANA]);
  return {
    kind: 'query',
    user,
    text: `COPY scratch.uploads
FROM 's3://acme-analysts/uploads/${user.name}/${dayLiteral(context.minuteStartMs)}/'
IAM_ROLE 'arn:aws:iam::123456789012:role/analyst-uploads'
CSV
IGNOREHEADER 1
MAXERROR 100`,
    medianMs: 2_500,
    sigma: 0.4,
    queue: ADHOC,
    scans: [scan(UPLOADS, 'uploads', { type: 21 })],
    session: `${user.name}-${Math.floor(context.minuteStartMs / 3_600_000)}`,
  };
}

function arrivals(context: MinuteContext): Arrival[] {
  const rng = context.rng;
  const load = officeLoad(context);
  const result: Arrival[] = [];
  // Dashboards refresh on the hour and at the half hour; users add their own clicks.
  const refresh = context.minuteOfHour === 0 || context.minuteOfHour === 30 ? 2 : 0;
  result.push(
    ...spread(context, refresh + rng.poisson(1.15 * load + 0.08), () =>
      rng.weighted<(context: MinuteContext) => StatementSpec>([
        [4, revenueByRegion],
        [3, topProducts],
        [2, channelFunnel],
        [4, revenueKpi],
      ])(context),
    ),
  );
  result.push(
    ...spread(context, rng.poisson(0.3 * load), () => {
      const user = rng.pick([ANA, BEN, BEN]);
      return rng.weighted<() => StatementSpec>([
        [1, () => customerList(context, user)],
        [3, () => pathAnalysis(context, user)],
        [3, () => customerLookup(context, user)],
        [4, () => checkoutCount(context, user)],
      ])();
    }),
  );
  // Ana's cohort query: late mornings on weekdays.
  if (context.weekday >= 1 && context.weekday <= 5 && context.hour >= 9 && context.hour < 12) {
    result.push(...spread(context, rng.poisson(1 / 45), () => cohortRetention(context)));
  }
  result.push(...spread(context, rng.poisson(0.03 * load), () => featureUnload(context)));
  result.push(...spread(context, rng.poisson(0.35 * load + 0.02), () => utility(context)));
  result.push(...spread(context, rng.poisson(0.02 * load), () => adminUtility(context)));
  result.push(...spread(context, rng.poisson(0.03 * load), () => scratchTable(context)));
  if (context.hour === 6 && context.minuteOfHour === 15) result.push(...spread(context, 1, () => customerView(context)));
  if (rng.chance(0.01)) result.push(adminMonitoring(context, ADMIN));
  // Auto analyze skips web_events (too big for the threshold set): its statistics stay missing.
  if (rng.chance(0.02)) result.push(autoAnalyze(context, rng.pick([SALES, CUSTOMERS, PRODUCTS, DAILY_REVENUE, SESSIONS]), 'public'));
  // Drawn last, so the work above is what it was before uploads were simulated.
  result.push(...spread(context, rng.poisson(0.05 * load), () => upload(context)));
  return result;
}

export const ANALYTICS_PROFILE: WorkloadProfile = {
  name: 'analytics',
  slices: 4,
  databases: ['dev'],
  users: [RDSDB, ADMIN, LOOKER, ANA, BEN, DANA],
  queues: [DASHBOARDS, ADHOC, DEFAULT_QUEUE, SHORT_QUERY_QUEUE],
  tables: [SALES, WEB_EVENTS, CUSTOMERS, PRODUCTS, REGIONS, DAILY_REVENUE, SESSIONS],
  peakQueueMs: 800,
  arrivals,
};
