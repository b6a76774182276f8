import { ADHOC, ANA, CUSTOMERS, DANA, DEFAULT_QUEUE, SALES, SEGMENTS, SESSIONS, WEB_EVENTS } from './analytics-vocabulary.js';
import { dayLiteral, hex, scan } from './profile-helpers.js';
import type { MinuteContext, SimUser, StatementSpec } from './workload-profile.js';

/** The churn features Dana unloads: quotes doubled by a backslash, as UNLOAD's quoted query needs them. */
const FEATURES =
  'SELECT customer_id, segment, datediff(day, signup_at, getdate()) AS tenure_days FROM public.customers ' +
  "WHERE segment <> \\'partner\\'";

/** The analysts' own queries on the analytics cluster: heavier, ad hoc, some of them badly written. */

/** Customers picked by hand in a spreadsheet: a list of 600 ids, longer than 4000 characters. */
export function customerList(context: MinuteContext, user: SimUser): StatementSpec {
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
export function cohortRetention(context: MinuteContext): StatementSpec {
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
export function pathAnalysis(context: MinuteContext, user: SimUser): StatementSpec {
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
export function customerLookup(context: MinuteContext, user: SimUser): StatementSpec {
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

export function checkoutCount(context: MinuteContext, user: SimUser): StatementSpec {
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

export function featureUnload(context: MinuteContext): StatementSpec {
  const rng = context.rng;
  const day = dayLiteral(context.minuteStartMs, 0);
  const run = hex(rng, 8);
  return {
    kind: 'query',
    user: DANA,
    text: `UNLOAD ('${FEATURES}')
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
