import {
  RDSDB,
  adminMonitoring,
  autoAnalyze,
  dayLiteral,
  hex,
  hourPath,
  officeLoad,
  scan,
  spread,
  timestampLiteral,
} from './profile-helpers.js';
import type { Arrival, MinuteContext, SimTable, SimUser, StatementSpec, WlmQueue, WorkloadProfile } from './workload-profile.js';

/**
 * A warehouse fed by pipelines: an hourly orders load in one transaction, clickstream
 * micro-batches every five minutes, the nightly dbt rebuild of the marts (long statements, big
 * scans, much DDL), a nightly UNLOAD, and some reporting and Spectrum queries in the day. Its
 * trouble: `staging.clickstream_raw` has never been analyzed.
 */

const ADMIN: SimUser = { userid: 100, name: 'admin' };
const LOADER: SimUser = { userid: 110, name: 'etl_loader' };
const DBT: SimUser = { userid: 111, name: 'dbt_runner' };
const REPORTING: SimUser = { userid: 112, name: 'reporting_svc' };
const ONCALL: SimUser = { userid: 113, name: 'ops_oncall' };

const LOADS: WlmQueue = { serviceClass: 6, name: 'ETL loads' };
const TRANSFORMS: WlmQueue = { serviceClass: 7, name: 'Transformations' };
const REPORTS: WlmQueue = { serviceClass: 8, name: 'Reporting' };
const DEFAULT_QUEUE: WlmQueue = { serviceClass: 9, name: 'Default queue' };

const ORDERS_RAW: SimTable = { id: 204101, name: 'orders_raw', rowsPerSlice: 60_000, width: 400 };
const CLICKSTREAM_RAW: SimTable = { id: 204107, name: 'clickstream_raw', rowsPerSlice: 250_000, width: 600, missingStats: true };
const ORDERS: SimTable = { id: 204113, name: 'orders', rowsPerSlice: 25_000_000, width: 96, ghostFraction: 0.08 };
const ORDER_ITEMS: SimTable = { id: 204119, name: 'order_items', rowsPerSlice: 80_000_000, width: 64, ghostFraction: 0.03 };
const CUSTOMERS: SimTable = { id: 204125, name: 'customers', rowsPerSlice: 2_000_000, width: 160 };
const CLICKSTREAM: SimTable = { id: 204131, name: 'clickstream', rowsPerSlice: 400_000_000, width: 140 };
const DAILY_SALES: SimTable = { id: 204137, name: 'daily_sales', rowsPerSlice: 40_000, width: 56 };
const CUSTOMER_LTV: SimTable = { id: 204143, name: 'customer_ltv', rowsPerSlice: 2_000_000, width: 72 };
const CLICKSTREAM_ARCHIVE: SimTable = { id: 204149, name: 'clickstream_archive', rowsPerSlice: 2_000_000_000, width: 150, external: true };

const IAM_ROLE = 'arn:aws:iam::123456789012:role/redshift-etl';

const COUNTRIES = [
  'AD',
  'AE',
  'AR',
  'AT',
  'AU',
  'BE',
  'BG',
  'BR',
  'CA',
  'CH',
  'CL',
  'CN',
  'CO',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'EG',
  'ES',
  'FI',
  'FR',
  'GB',
  'GR',
  'HK',
  'HR',
  'HU',
  'ID',
  'IE',
  'IL',
  'IN',
  'IS',
  'IT',
  'JP',
  'KE',
  'KR',
  'LT',
  'LU',
  'LV',
  'MA',
  'MT',
  'MX',
  'MY',
  'NG',
  'NL',
  'NO',
  'NZ',
  'PE',
  'PH',
  'PL',
  'PT',
  'RO',
  'RS',
  'SA',
  'SE',
  'SG',
  'SI',
  'SK',
  'TH',
  'TR',
  'TW',
  'UA',
  'US',
  'UY',
  'VN',
  'ZA',
];
const REGION_OF: Record<string, string> = { A: 'APAC', B: 'EMEA', C: 'LATAM', D: 'EMEA', E: 'EMEA', F: 'EMEA', G: 'EMEA', H: 'EMEA' };

function hourlyOrdersLoad(context: MinuteContext): Arrival {
  const rng = context.rng;
  const session = `etl-orders-${context.minuteStartMs}`;
  const batchStart = timestampLiteral(context.minuteStartMs - 65 * 60_000);
  // Busy shop hours load more rows.
  const volume = 0.4 + (officeLoad(context) * rng.int(60, 140)) / 100;
  const statement = (spec: Omit<StatementSpec, 'user' | 'session' | 'label'>): StatementSpec => ({
    user: LOADER,
    session,
    label: 'etl_hourly',
    ...spec,
  });
  return {
    offsetMs: rng.int(0, 3_000),
    statements: [
      { kind: 'utility', user: LOADER, session, text: "SET query_group TO 'etl_hourly'", medianMs: 2 },
      statement({ kind: 'utility', text: 'BEGIN', medianMs: 1 }),
      statement({ kind: 'utility', text: 'TRUNCATE staging.orders_raw', medianMs: 300 }),
      statement({
        kind: 'query',
        text: `COPY staging.orders_raw\nFROM 's3://acme-landing/orders/${hourPath(context.minuteStartMs - 3_600_000)}/'\nIAM_ROLE '${IAM_ROLE}'\nFORMAT AS JSON 'auto'\nGZIP\nTIMEFORMAT 'auto'\nREGION 'eu-west-1'`,
        medianMs: 40_000 * volume,
        sigma: 0.3,
        queue: LOADS,
        scans: [scan(ORDERS_RAW, 'orders_raw', { type: 21, fraction: volume })],
        abortRate: 0.01,
      }),
      statement({ kind: 'ddl', text: 'CREATE TEMP TABLE orders_batch (LIKE core.orders)', medianMs: 40 }),
      statement({
        kind: 'query',
        text: `INSERT INTO orders_batch\nSELECT DISTINCT order_id, customer_id, status, currency, total_amount, ordered_at, updated_at\nFROM staging.orders_raw\nWHERE updated_at >= '${batchStart}'`,
        medianMs: 8_000 * volume,
        sigma: 0.4,
        queue: LOADS,
        scans: [
          scan(ORDERS_RAW, 'orders_raw', {
            fraction: volume,
            selectivity: 0.97,
            filter: `Filter: (updated_at >= '${batchStart}'::timestamp without time zone)`,
          }),
        ],
        plan: { aggregate: 'Unique' },
      }),
      statement({
        kind: 'query',
        text: 'DELETE FROM core.orders\nUSING orders_batch b\nWHERE core.orders.order_id = b.order_id',
        medianMs: 25_000,
        sigma: 0.4,
        queue: LOADS,
        scans: [scan(ORDERS, 'orders', { fraction: 0.04, selectivity: 0.01 }), scan(ORDERS_RAW, 'b', { fraction: volume })],
        plan: { joins: [{ kind: 'hash', condition: 'Hash Cond: ("outer".order_id = "inner".order_id)', distribution: 'DS_DIST_INNER' }] },
      }),
      statement({
        kind: 'query',
        text: 'INSERT INTO core.orders SELECT * FROM orders_batch',
        medianMs: 12_000 * volume,
        sigma: 0.3,
        queue: LOADS,
        scans: [scan(ORDERS_RAW, 'orders_batch', { fraction: volume })],
        plan: {},
      }),
      statement({ kind: 'ddl', text: 'DROP TABLE orders_batch', medianMs: 30 }),
      statement({ kind: 'utility', text: 'COMMIT', medianMs: 900 }),
      statement({ kind: 'utility', text: 'ANALYZE core.orders PREDICATE COLUMNS', medianMs: 4_000 }),
      statement({ kind: 'utility', text: 'RESET query_group', medianMs: 1 }),
    ],
  };
}

/** Tab-separated files: the DELIMITER holds a real backslash. */
function clickstreamBatch(context: MinuteContext): Arrival {
  const rng = context.rng;
  const session = `etl-clicks-${context.minuteStartMs}`;
  const minute = new Date(context.minuteStartMs - 5 * 60_000).toISOString().slice(14, 16);
  const volume = 0.3 + (officeLoad(context) * rng.int(50, 120)) / 100;
  return {
    offsetMs: rng.int(0, 5_000),
    statements: [
      {
        kind: 'query',
        user: LOADER,
        session,
        label: 'etl_clickstream',
        text: `COPY staging.clickstream_raw\nFROM 's3://acme-landing/clickstream/${hourPath(context.minuteStartMs)}/${minute}/'\nIAM_ROLE '${IAM_ROLE}'\nDELIMITER '\\t'\nIGNOREHEADER 1\nGZIP\nMAXERROR 10`,
        medianMs: 9_000 * volume,
        sigma: 0.3,
        queue: LOADS,
        scans: [scan(CLICKSTREAM_RAW, 'clickstream_raw', { type: 21, fraction: volume })],
        abortRate: 0.005,
      },
      {
        kind: 'query',
        user: LOADER,
        session,
        label: 'etl_clickstream',
        text: `INSERT INTO core.clickstream (event_id, session_id, customer_id, event_ts, url, utm_source, user_agent)
SELECT event_id,
       session_id,
       NULLIF(customer_id, '')::bigint,
       event_ts::timestamp,
       url,
       regexp_substr(url, '[?&]utm_source=([^&]+)', 1, 1, 'e'),
       left(user_agent, 512)
FROM staging.clickstream_raw
WHERE event_id IS NOT NULL`,
        medianMs: 14_000 * volume,
        sigma: 0.3,
        queue: LOADS,
        scans: [
          scan(CLICKSTREAM_RAW, 'clickstream_raw', { fraction: volume, selectivity: 0.999, filter: 'Filter: (event_id IS NOT NULL)' }),
        ],
        plan: {},
      },
      { kind: 'utility', user: LOADER, session, label: 'etl_clickstream', text: 'TRUNCATE staging.clickstream_raw', medianMs: 250 },
    ],
  };
}

/** dbt's query comment, appended (`query-comment: {append: true}`) so statements still open with their verb. */
function dbtComment(node: string): string {
  return `/* {"app": "dbt", "dbt_version": "1.8.7", "profile_name": "warehouse", "target_name": "prod", "node_id": "model.acme.${node}"} */`;
}

function dbtModel(
  context: MinuteContext,
  model: SimTable,
  select: string,
  scans: StatementSpec['scans'],
  plan: StatementSpec['plan'],
  medianMs: number,
): StatementSpec[] {
  const session = `dbt-${dayLiteral(context.minuteStartMs)}`;
  const name = `mart.${model.name}`;
  const base = { user: DBT, session, label: 'dbt' } as const;
  return [
    { ...base, kind: 'ddl', text: `DROP TABLE IF EXISTS ${name}__dbt_tmp CASCADE`, medianMs: 60 },
    {
      ...base,
      kind: 'query',
      text: `\n\n  create  table\n    ${name}__dbt_tmp\n    diststyle even\n    compound sortkey(1)\n  as (\n${select}\n  );\n${dbtComment(model.name)}`,
      medianMs,
      sigma: 0.25,
      queue: TRANSFORMS,
      slotCount: 3,
      scans: scans ?? [],
      ...(plan === undefined ? {} : { plan }),
      abortRate: 0.01,
    },
    { ...base, kind: 'ddl', text: `alter table ${name} rename to ${model.name}__dbt_backup`, medianMs: 80 },
    { ...base, kind: 'ddl', text: `alter table ${name}__dbt_tmp rename to ${model.name}`, medianMs: 80 },
    { ...base, kind: 'utility', text: `grant select on ${name} to group reporting`, medianMs: 20 },
    { ...base, kind: 'utility', text: 'COMMIT', medianMs: 700 },
    { ...base, kind: 'ddl', text: `drop table if exists ${name}__dbt_backup cascade`, medianMs: 200 },
  ];
}

/** The nightly rebuild: long CTAS statements, one of them longer than 4000 characters. */
function nightlyDbt(context: MinuteContext): Arrival {
  const rng = context.rng;
  const lookback = rng.pick([400, 730]);
  const countryCase = COUNTRIES.map((code) => `        when c.country_code = '${code}' then '${REGION_OF[code[0]!] ?? 'OTHER'}'`).join(
    '\n',
  );
  const tiers = [1000, 5000, 20000]
    .map((limit, index) => `        when coalesce(sum(o.total_amount), 0) < ${limit} then 'tier_${index + 1}'`)
    .join('\n');
  const customerLtv = `    select c.customer_id,
           c.country_code,
           case
${countryCase}
        else 'OTHER'
           end as sales_region,
           count(distinct o.order_id) as orders,
           coalesce(sum(o.total_amount), 0) as lifetime_value,
           min(o.ordered_at) as first_order_at,
           max(o.ordered_at) as last_order_at,
           case
${tiers}
        else 'tier_4'
           end as value_tier
    from core.customers c
    left join core.orders o on o.customer_id = c.customer_id and o.status <> 'cancelled'
    where c.created_at >= dateadd(day, -${lookback}, getdate())
    group by 1, 2, 3`;
  const dailySales = `    select date_trunc('day', o.ordered_at) as day,
           o.currency,
           count(distinct o.order_id) as orders,
           sum(i.quantity) as units,
           sum(i.quantity * i.unit_price) as revenue
    from core.orders o
    join core.order_items i on i.order_id = o.order_id
    where o.status in ('paid', 'shipped', 'delivered')
    group by 1, 2`;
  return {
    offsetMs: rng.int(0, 10_000),
    statements: [
      { kind: 'utility', user: DBT, session: `dbt-${dayLiteral(context.minuteStartMs)}`, text: "SET query_group TO 'dbt'", medianMs: 2 },
      ...dbtModel(
        context,
        DAILY_SALES,
        dailySales,
        [
          scan(ORDERS, 'o', { selectivity: 0.92, filter: "Filter: ((status)::text = ANY ('{paid,shipped,delivered}'::text[]))" }),
          scan(ORDER_ITEMS, 'i'),
        ],
        {
          joins: [{ kind: 'merge', condition: 'Merge Cond: ("outer".order_id = "inner".order_id)', distribution: 'DS_DIST_NONE' }],
          aggregate: '',
        },
        900_000,
      ),
      ...dbtModel(
        context,
        CUSTOMER_LTV,
        customerLtv,
        [
          scan(CUSTOMERS, 'c', { selectivity: 0.7 }),
          scan(ORDERS, 'o', { selectivity: 0.96, filter: "Filter: ((status)::text <> 'cancelled'::text)" }),
        ],
        {
          joins: [{ kind: 'hash', condition: 'Hash Cond: ("outer".customer_id = "inner".customer_id)', distribution: 'DS_DIST_OUTER' }],
          aggregate: '',
        },
        420_000,
      ),
      ...dbtView(context),
    ],
  };
}

/** dbt view models are DDL: a long definition in several stl_ddltext pieces. */
function dbtView(context: MinuteContext): StatementSpec[] {
  const session = `dbt-${dayLiteral(context.minuteStartMs)}`;
  const base = { user: DBT, session, label: 'dbt' } as const;
  const days = context.rng.pick([30, 60, 90]);
  return [
    {
      ...base,
      kind: 'ddl',
      text: `create or replace view mart.v_recent_orders as (
    select o.order_id,
           o.customer_id,
           c.country_code,
           o.status,
           o.currency,
           o.total_amount,
           o.ordered_at,
           datediff(hour, o.ordered_at, o.updated_at) as hours_to_last_update,
           count(i.order_item_id) as items
    from core.orders o
    join core.customers c on c.customer_id = o.customer_id
    left join core.order_items i on i.order_id = o.order_id
    where o.ordered_at >= dateadd(day, -${days}, getdate())
    group by 1, 2, 3, 4, 5, 6, 7, 8
  ) with no schema binding;
${dbtComment('v_recent_orders')}`,
      medianMs: 150,
    },
    { ...base, kind: 'utility', text: 'grant select on mart.v_recent_orders to group reporting', medianMs: 20 },
    { ...base, kind: 'utility', text: 'COMMIT', medianMs: 300 },
  ];
}

function nightlyUnload(context: MinuteContext): Arrival {
  const rng = context.rng;
  const day = dayLiteral(context.minuteStartMs, 1);
  return {
    offsetMs: rng.int(0, 30_000),
    statements: [
      {
        kind: 'query',
        user: REPORTING,
        label: 'exports',
        text: `UNLOAD ('select * from mart.daily_sales where day = \\'${day}\\'')\nTO 's3://acme-exports/daily_sales/day=${day}/'\nIAM_ROLE '${IAM_ROLE}'\nFORMAT AS PARQUET\nALLOWOVERWRITE\nPARALLEL OFF`,
        medianMs: 50_000,
        sigma: 0.3,
        queue: REPORTS,
        scans: [scan(DAILY_SALES, 'daily_sales', { fraction: 0.01, selectivity: 0.9 })],
      },
    ],
  };
}

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
        text: `SELECT value_tier, sales_region, COUNT(*) AS customers, AVG(lifetime_value) AS avg_ltv\nFROM mart.customer_ltv\nWHERE last_order_at >= '${from}'\nGROUP BY 1, 2`,
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
      text: `SELECT date_trunc('day', event_ts) AS day, COUNT(*) AS events\nFROM spectrum.clickstream_archive\nWHERE event_month = '${month}'\nGROUP BY 1\nORDER BY 1`,
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
    text: `SELECT date_trunc('hour', event_ts) AS hour, utm_source, COUNT(*) AS events\nFROM core.clickstream\nWHERE event_ts >= '${since}'\nGROUP BY 1, 2\nORDER BY 1, 3 DESC`,
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
