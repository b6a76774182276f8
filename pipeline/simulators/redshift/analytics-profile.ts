import { RDSDB, SHORT_QUERY_QUEUE, adminMonitoring, autoAnalyze, dayLiteral, hex, officeLoad, scan, spread } from './profile-helpers.js';
import type { Arrival, MinuteContext, SimTable, SimUser, StatementSpec, WlmQueue, WorkloadProfile } from './workload-profile.js';

/**
 * A BI cluster: a dashboard tool fires many short SELECTs through office hours, analysts run
 * heavier ad hoc work. Its troubles, visible in the views: `web_events` was never analyzed, one
 * cohort query joins without an equality predicate (nested loop), `customers` carries many
 * deleted rows, and peak hours spill dashboards onto concurrency scaling.
 */

const ADMIN: SimUser = { userid: 100, name: 'admin' };
const LOOKER: SimUser = { userid: 101, name: 'looker_svc' };
const ANA: SimUser = { userid: 102, name: 'ana_silva' };
const BEN: SimUser = { userid: 103, name: 'ben_okafor' };
const DANA: SimUser = { userid: 104, name: 'dana_ml' };

const DASHBOARDS: WlmQueue = { serviceClass: 6, name: 'Dashboards' };
const ADHOC: WlmQueue = { serviceClass: 7, name: 'Ad hoc' };
const DEFAULT_QUEUE: WlmQueue = { serviceClass: 8, name: 'Default queue' };

const SALES: SimTable = { id: 108251, name: 'sales', rowsPerSlice: 12_000_000, width: 48, ghostFraction: 0.02 };
const WEB_EVENTS: SimTable = {
  id: 108263,
  name: 'web_events',
  rowsPerSlice: 30_000_000,
  width: 120,
  missingStats: true,
  ghostFraction: 0.01,
};
const CUSTOMERS: SimTable = { id: 108270, name: 'customers', rowsPerSlice: 500_000, width: 180, ghostFraction: 0.35 };
const PRODUCTS: SimTable = { id: 108277, name: 'products', rowsPerSlice: 12_500, width: 96 };
const REGIONS: SimTable = { id: 108281, name: 'regions', rowsPerSlice: 12, width: 24 };
const DAILY_REVENUE: SimTable = { id: 108290, name: 'daily_revenue', rowsPerSlice: 50_000, width: 40 };
const SESSIONS: SimTable = { id: 108297, name: 'sessions', rowsPerSlice: 7_500_000, width: 64 };

const REGION_NAMES = ['EMEA', 'NA', 'LATAM', 'APAC', 'ANZ'];
const SEGMENTS = ['enterprise', 'smb', 'consumer', 'partner'];
const CHANNELS = ['organic', 'paid_search', 'email', 'social', 'referral'];

function lookerContext(context: MinuteContext): string {
  const rng = context.rng;
  return `\n-- Looker Query Context '{"user_id":${rng.int(2, 180)},"history_slug":"${hex(rng, 32)}","instance_slug":"5f0e1c9a2b7d4e3f"}'`;
}

function dashboardQueue(context: MinuteContext): WlmQueue {
  return context.rng.chance(0.8) ? SHORT_QUERY_QUEUE : DASHBOARDS;
}

function lookerSession(context: MinuteContext): string {
  return `looker-${context.rng.int(0, 5)}-${Math.floor(context.minuteStartMs / 1_800_000)}`;
}

function revenueByRegion(context: MinuteContext): StatementSpec {
  const rng = context.rng;
  const days = rng.pick([7, 14, 28, 90]);
  const from = dayLiteral(context.minuteStartMs, days);
  const to = dayLiteral(context.minuteStartMs, rng.int(0, 1));
  return {
    kind: 'query',
    user: LOOKER,
    label: 'looker',
    text: `SELECT r.region_name, date_trunc('day', s.sold_at) AS day, SUM(s.amount) AS revenue
FROM public.sales s
JOIN public.regions r ON r.region_id = s.region_id
WHERE s.sold_at >= '${from}' AND s.sold_at < '${to}'
GROUP BY 1, 2
ORDER BY 2, 1${lookerContext(context)}`,
    medianMs: 350 + days * 12,
    sigma: 0.7,
    queue: dashboardQueue(context),
    scans: [
      scan(SALES, 's', {
        fraction: days / 400,
        selectivity: 0.97,
        filter: `Filter: ((sold_at >= '${from} 00:00:00'::timestamp without time zone) AND (sold_at < '${to} 00:00:00'::timestamp without time zone))`,
      }),
      scan(REGIONS, 'r'),
    ],
    plan: {
      joins: [{ kind: 'hash', condition: 'Hash Cond: ("outer".region_id = "inner".region_id)', distribution: 'DS_DIST_ALL_NONE' }],
      aggregate: '',
      sortKey: "date_trunc('day'::text, s.sold_at), r.region_name",
    },
    abortRate: 0.004,
    scalingRate: 0.05,
    session: lookerSession(context),
  };
}

function topProducts(context: MinuteContext): StatementSpec {
  const rng = context.rng;
  const limit = rng.pick([5, 10, 20, 25]);
  const region = rng.pick(REGION_NAMES);
  const from = dayLiteral(context.minuteStartMs, rng.int(1, 30));
  return {
    kind: 'query',
    user: LOOKER,
    label: 'looker',
    text: `SELECT p.product_name, p.category, SUM(s.quantity) AS units, SUM(s.amount) AS revenue
FROM public.sales s
JOIN public.products p ON p.product_id = s.product_id
JOIN public.regions r ON r.region_id = s.region_id
WHERE r.region_name = '${region}' AND s.sold_at >= '${from}'
GROUP BY 1, 2
ORDER BY revenue DESC
LIMIT ${limit}${lookerContext(context)}`,
    medianMs: 600,
    sigma: 0.8,
    queue: dashboardQueue(context),
    scans: [
      scan(SALES, 's', {
        fraction: 0.08,
        selectivity: 0.2,
        filter: `Filter: (sold_at >= '${from} 00:00:00'::timestamp without time zone)`,
      }),
      scan(PRODUCTS, 'p'),
      scan(REGIONS, 'r', { selectivity: 0.2, filter: `Filter: ((region_name)::text = '${region}'::text)` }),
    ],
    plan: {
      joins: [
        { kind: 'hash', condition: 'Hash Cond: ("outer".product_id = "inner".product_id)', distribution: 'DS_DIST_ALL_NONE' },
        { kind: 'hash', condition: 'Hash Cond: ("outer".region_id = "inner".region_id)', distribution: 'DS_DIST_ALL_NONE' },
      ],
      aggregate: '',
      sortKey: 'sum(s.amount)',
      limit,
    },
    abortRate: 0.004,
    scalingRate: 0.05,
    session: lookerSession(context),
  };
}

/** Generated by the BI tool with aligned columns: its first 200-character piece ends in real spaces. */
function channelFunnel(context: MinuteContext): StatementSpec {
  const rng = context.rng;
  const column = (expression: string, alias: string): string => `    ${expression}`.padEnd(100) + `AS "${alias}"`;
  const from = dayLiteral(context.minuteStartMs, rng.int(2, 45));
  const channels = CHANNELS.filter(() => rng.chance(0.6));
  const inList = (channels.length > 0 ? channels : ['organic']).map((name) => `'${name}'`).join(', ');
  return {
    kind: 'query',
    user: LOOKER,
    label: 'looker',
    text: [
      'SELECT',
      `${column('"sessions"."channel"', 'sessions.channel')},`,
      `${column('COUNT(DISTINCT "sessions"."session_id")', 'sessions.count')},`,
      `${column('COUNT(DISTINCT CASE WHEN "sessions"."added_to_cart" THEN "sessions"."session_id" END)', 'sessions.carts')},`,
      `${column('COUNT(DISTINCT CASE WHEN "sessions"."purchased" THEN "sessions"."session_id" END)', 'sessions.purchases')}`,
      'FROM public.sessions AS "sessions"',
      `WHERE "sessions"."started_at" >= TIMESTAMP '${from}' AND "sessions"."channel" IN (${inList})`,
      'GROUP BY 1',
      `ORDER BY 2 DESC${lookerContext(context)}`,
    ].join('\n'),
    medianMs: 1200,
    sigma: 0.6,
    queue: dashboardQueue(context),
    scans: [
      scan(SESSIONS, 'sessions', {
        fraction: 0.15,
        selectivity: 0.55,
        filter: `Filter: (started_at >= '${from} 00:00:00'::timestamp without time zone)`,
      }),
    ],
    plan: { aggregate: '', sortKey: 'count(DISTINCT session_id)' },
    abortRate: 0.004,
    scalingRate: 0.05,
    session: lookerSession(context),
  };
}

function revenueKpi(context: MinuteContext): StatementSpec {
  const rng = context.rng;
  const from = dayLiteral(context.minuteStartMs, rng.pick([1, 7, 30]));
  return {
    kind: 'query',
    user: LOOKER,
    label: 'looker',
    text: `SELECT SUM(revenue) AS revenue, SUM(orders) AS orders FROM public.daily_revenue WHERE day >= '${from}'${lookerContext(context)}`,
    medianMs: 120,
    sigma: 0.5,
    queue: dashboardQueue(context),
    scans: [scan(DAILY_REVENUE, 'daily_revenue', { fraction: 0.05, selectivity: 0.6, filter: `Filter: (day >= '${from}'::date)` })],
    plan: { aggregate: '' },
    scalingRate: 0.05,
    session: lookerSession(context),
  };
}

/** Customers picked by hand in a spreadsheet: a list of 600 ids, longer than 4000 characters. */
function customerList(context: MinuteContext, user: SimUser): StatementSpec {
  const rng = context.rng;
  const ids: number[] = [];
  for (let i = 0; i < 600; i++) ids.push(rng.int(100_000, 999_999));
  const lines: string[] = [];
  for (let i = 0; i < ids.length; i += 20) lines.push(`  ${ids.slice(i, i + 20).join(', ')}`);
  return {
    kind: 'query',
    user,
    text: `SELECT c.customer_id, c.segment, SUM(s.amount) AS lifetime_value
FROM public.customers c
JOIN public.sales s ON s.customer_id = c.customer_id
WHERE c.customer_id IN (
${lines.join(',\n')}
)
GROUP BY 1, 2`,
    medianMs: 9_000,
    sigma: 0.6,
    queue: ADHOC,
    scans: [
      scan(CUSTOMERS, 'c', { selectivity: 0.0005, filter: "Filter: (customer_id = ANY ('{...}'::integer[]))" }),
      scan(SALES, 's', { selectivity: 0.001 }),
    ],
    plan: {
      joins: [{ kind: 'hash', condition: 'Hash Cond: ("outer".customer_id = "inner".customer_id)', distribution: 'DS_BCAST_INNER' }],
      aggregate: '',
    },
    abortRate: 0.03,
    session: `${user.name}-${Math.floor(context.minuteStartMs / 3_600_000)}`,
  };
}

/** The cohort query joins on an inequality only: a nested loop over two big tables. */
function cohortRetention(context: MinuteContext): StatementSpec {
  const rng = context.rng;
  const signup = dayLiteral(context.minuteStartMs, rng.int(30, 120));
  const segment = rng.pick(SEGMENTS);
  return {
    kind: 'query',
    user: ANA,
    text: `SELECT date_trunc('week', c.signup_at) AS cohort,
       datediff(week, c.signup_at, s.started_at) AS week_number,
       COUNT(DISTINCT c.customer_id) AS active_customers
FROM public.sessions s, public.customers c
WHERE s.started_at > c.signup_at
  AND c.signup_at >= '${signup}'
  AND c.segment = '${segment}'
GROUP BY 1, 2
ORDER BY 1, 2`,
    medianMs: 140_000,
    sigma: 0.5,
    queue: ADHOC,
    slotCount: 2,
    scans: [
      scan(SESSIONS, 's', { selectivity: 1 }),
      scan(CUSTOMERS, 'c', {
        selectivity: 0.04,
        filter: `Filter: ((signup_at >= '${signup} 00:00:00'::timestamp without time zone) AND ((segment)::text = '${segment}'::text))`,
      }),
    ],
    plan: {
      joins: [{ kind: 'nested-loop', condition: 'Join Filter: ("outer".started_at > "inner".signup_at)', distribution: 'DS_BCAST_INNER' }],
      aggregate: '',
      sortKey: "date_trunc('week'::text, c.signup_at), datediff('week'::text, c.signup_at, s.started_at)",
    },
    abortRate: 0.25,
    session: `ana-${Math.floor(context.minuteStartMs / 3_600_000)}`,
  };
}

/** Page paths without their query string; the regular expression holds real backslashes. */
function pathAnalysis(context: MinuteContext, user: SimUser): StatementSpec {
  const rng = context.rng;
  const day = dayLiteral(context.minuteStartMs, rng.int(1, 20));
  const type = rng.pick(['page_view', 'checkout', 'search', 'add_to_cart']);
  const limit = rng.pick([50, 100, 200]);
  return {
    kind: 'query',
    user,
    text: `SELECT regexp_replace(page_path, '\\\\?.*$', '') AS path,
       COUNT(*) AS hits
FROM public.web_events
WHERE event_date = '${day}'
  AND event_type = '${type}'
  AND page_path ~ '^/[a-z]+\\\\.html'
GROUP BY 1
ORDER BY 2 DESC
LIMIT ${limit}`,
    medianMs: 18_000,
    sigma: 0.7,
    queue: ADHOC,
    scans: [
      scan(WEB_EVENTS, 'web_events', {
        fraction: 0.02,
        selectivity: 0.2,
        filter: `Filter: ((event_date = '${day}'::date) AND ((event_type)::text = '${type}'::text))`,
      }),
    ],
    plan: { aggregate: '', sortKey: 'count(*)', limit },
    abortRate: 0.05,
    session: `${user.name}-${Math.floor(context.minuteStartMs / 3_600_000)}`,
  };
}

/** A look-up by e-mail domain: a very selective filter over a table full of deleted rows. */
function customerLookup(context: MinuteContext, user: SimUser): StatementSpec {
  const rng = context.rng;
  const domain = rng.pick(['example.com', 'example.org', 'acme.test', 'mail.test', 'corp.example']);
  const limit = rng.pick([100, 500, 1000]);
  return {
    kind: 'query',
    user,
    text: `SELECT customer_id, email, segment, signup_at FROM public.customers WHERE email LIKE '%@${domain}' LIMIT ${limit}`,
    medianMs: 2_500,
    sigma: 0.5,
    queue: ADHOC,
    scans: [scan(CUSTOMERS, 'customers', { selectivity: 0.0004, filter: `Filter: ((email)::text ~~ '%@${domain}'::text)` })],
    plan: { limit },
    abortRate: 0.02,
    session: `${user.name}-${Math.floor(context.minuteStartMs / 3_600_000)}`,
  };
}

function checkoutCount(context: MinuteContext, user: SimUser): StatementSpec {
  const rng = context.rng;
  const day = dayLiteral(context.minuteStartMs, rng.int(0, 6));
  return {
    kind: 'query',
    user,
    text: `select count(*) from public.web_events where event_date = '${day}' and event_type = 'checkout'`,
    medianMs: 6_000,
    sigma: 0.5,
    queue: ADHOC,
    scans: [
      scan(WEB_EVENTS, 'web_events', {
        fraction: 0.01,
        selectivity: 0.03,
        filter: `Filter: ((event_date = '${day}'::date) AND ((event_type)::text = 'checkout'::text))`,
      }),
    ],
    plan: { aggregate: '' },
    abortRate: 0.02,
    session: `${user.name}-${Math.floor(context.minuteStartMs / 3_600_000)}`,
  };
}

function featureUnload(context: MinuteContext): StatementSpec {
  const rng = context.rng;
  const day = dayLiteral(context.minuteStartMs, 0);
  const run = hex(rng, 8);
  return {
    kind: 'query',
    user: DANA,
    text: `UNLOAD ('SELECT customer_id, segment, datediff(day, signup_at, getdate()) AS tenure_days FROM public.customers WHERE segment <> \\'partner\\'')
TO 's3://acme-ml-features/churn/${day}/${run}/'
IAM_ROLE 'arn:aws:iam::123456789012:role/redshift-unload'
FORMAT AS PARQUET
MAXFILESIZE 256 MB`,
    medianMs: 35_000,
    sigma: 0.4,
    queue: DEFAULT_QUEUE,
    scans: [scan(CUSTOMERS, 'customers', { selectivity: 0.8 })],
    session: `dana-${Math.floor(context.minuteStartMs / 3_600_000)}`,
  };
}

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
      text: `CREATE TABLE ${name} (\n  customer_id bigint NOT NULL,\n  cohort date,\n  week_number integer,\n  revenue numeric(18,2)\n)\nDISTKEY (customer_id)\nSORTKEY (cohort)`,
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
