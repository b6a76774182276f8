import { hourPath, officeLoad, scan, timestampLiteral } from './profile-helpers.js';
import { CLICKSTREAM_RAW, IAM_ROLE, LOADER, LOADS, ORDERS, ORDERS_RAW } from './etl-vocabulary.js';
import type { Arrival, MinuteContext, StatementSpec } from './workload-profile.js';

/** The hourly orders load, in one transaction with a temp table, upserting core.orders. */
export function hourlyOrdersLoad(context: MinuteContext): Arrival {
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
        text: `COPY staging.orders_raw
FROM 's3://acme-landing/orders/${hourPath(context.minuteStartMs - 3_600_000)}/'
IAM_ROLE '${IAM_ROLE}'
FORMAT AS JSON 'auto'
GZIP
TIMEFORMAT 'auto'
REGION 'eu-west-1'`,
        medianMs: 40_000 * volume,
        sigma: 0.3,
        queue: LOADS,
        scans: [scan(ORDERS_RAW, 'orders_raw', { type: 21, fraction: volume })],
        abortRate: 0.01,
      }),
      statement({ kind: 'ddl', text: 'CREATE TEMP TABLE orders_batch (LIKE core.orders)', medianMs: 40 }),
      statement({
        kind: 'query',
        text: `INSERT INTO orders_batch
SELECT DISTINCT order_id, customer_id, status, currency, total_amount, ordered_at, updated_at
FROM staging.orders_raw
WHERE updated_at >= '${batchStart}'`,
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
export function clickstreamBatch(context: MinuteContext): Arrival {
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
        text: `COPY staging.clickstream_raw
FROM 's3://acme-landing/clickstream/${hourPath(context.minuteStartMs)}/${minute}/'
IAM_ROLE '${IAM_ROLE}'
DELIMITER '\\t'
IGNOREHEADER 1
GZIP
MAXERROR 10`,
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
