import { dayLiteral, scan } from './profile-helpers.js';
import {
  CUSTOMER_LTV,
  CUSTOMERS,
  DAILY_SALES,
  DBT,
  IAM_ROLE,
  ORDER_ITEMS,
  ORDERS,
  REPORTING,
  REPORTS,
  TRANSFORMS,
} from './etl-vocabulary.js';
import type { Arrival, MinuteContext, SimTable, StatementSpec } from './workload-profile.js';

/** The etl cluster's night: dbt rebuilds the marts at 02:00 UTC, the daily sales are unloaded at 03:30. */

/** Countries of the customers; REGION_OF names a sales region by a code's first letter (the rest are OTHER). */
const COUNTRIES = (
  'AD AE AR AT AU BE BG BR CA CH CL CN CO CY CZ DE DK EE EG ES FI FR GB GR HK HR HU ID IE IL IN IS IT JP KE KR LT LU LV ' +
  'MA MT MX MY NG NL NO NZ PE PH PL PT RO RS SA SE SG SI SK TH TR TW UA US UY VN ZA'
).split(' ');
const REGION_OF: Record<string, string> = { A: 'APAC', B: 'EMEA', C: 'LATAM', D: 'EMEA', E: 'EMEA', F: 'EMEA', G: 'EMEA', H: 'EMEA' };

/** dbt's query comment, appended (`query-comment: {append: true}`) so statements still open with their verb. */
function dbtComment(node: string): string {
  const app = '"app": "dbt", "dbt_version": "1.8.7", "profile_name": "warehouse", "target_name": "prod"';
  return `/* {${app}, "node_id": "model.acme.${node}"} */`;
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
      text: `

  create  table
    ${name}__dbt_tmp
    diststyle even
    compound sortkey(1)
  as (
${select}
  );
${dbtComment(model.name)}`,
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
export function nightlyDbt(context: MinuteContext): Arrival {
  const rng = context.rng;
  const lookback = rng.pick([400, 730]);
  const countryCase = COUNTRIES.map(
    (code) => `        when c.country_code = '${code}' then '${REGION_OF[code.charAt(0)] ?? 'OTHER'}'`,
  ).join('\n');
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

export function nightlyUnload(context: MinuteContext): Arrival {
  const rng = context.rng;
  const day = dayLiteral(context.minuteStartMs, 1);
  return {
    offsetMs: rng.int(0, 30_000),
    statements: [
      {
        kind: 'query',
        user: REPORTING,
        label: 'exports',
        text: `UNLOAD ('select * from mart.daily_sales where day = \\'${day}\\'')
TO 's3://acme-exports/daily_sales/day=${day}/'
IAM_ROLE '${IAM_ROLE}'
FORMAT AS PARQUET
ALLOWOVERWRITE
PARALLEL OFF`,
        medianMs: 50_000,
        sigma: 0.3,
        queue: REPORTS,
        scans: [scan(DAILY_SALES, 'daily_sales', { fraction: 0.01, selectivity: 0.9 })],
      },
    ],
  };
}
