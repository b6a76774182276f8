import type { Transaction } from '@electric-sql/pglite';
import { STL_VIEWS, type StlViewName } from '../../tables/stl-views.js';
import { quoteIdent } from '../../redshift/slot-sql.js';
import type { WorkloadProfile } from './workload-profile.js';

/**
 * Loads many stl_scan rows (with their stl_query and stl_querytext rows) for benchmarks. The rows
 * are computed by the database from `generate_series`, so a million of them never cross the JS
 * boundary. Every query of the batch starts and ends inside the slot; its scan steps lie inside
 * the query. Values are spread by integer hashing, so the batch is the same for the same input.
 */

/** Scan segments per bulk query: rows per query = slices x segments. */
export const BULK_SEGMENTS = 4;

/** The longest bulk query, microseconds; starts are spread so that every end stays in the slot. */
const MAX_DURATION_US = 4_200_000;

export interface BulkScanPlan {
  /** stl_scan rows to write. */
  readonly count: number;
  /** `YYYY-MM-DD HH:MM:SS` (UTC). */
  readonly slotStart: string;
  readonly slotMinutes: number;
  readonly firstQuery: number;
  readonly firstXid: number;
  readonly slices: number;
}

export interface BulkScanStatements {
  readonly queries: number;
  readonly statements: ReadonlyArray<{ readonly view: StlViewName; readonly text: string; readonly parameters: readonly unknown[] }>;
}

function columnList(view: StlViewName): string {
  return STL_VIEWS[view].columns.map((column) => quoteIdent(column.name)).join(', ');
}

type Bound = { readonly text: string; readonly parameters: unknown[] };

/** Replaces `{name}` by `$n::type`, numbering parameters in order of first use (unused ones are not sent). */
function bind(sql: string, values: Readonly<Record<string, readonly [value: unknown, type: string]>>): Bound {
  const order: string[] = [];
  const text = sql.replace(/\{([a-z_]+)\}/g, (_match, name: string) => {
    const value = values[name];
    if (!value) throw new RangeError(`no value for {${name}}`);
    if (!order.includes(name)) order.push(name);
    return `$${order.indexOf(name) + 1}::${value[1]}`;
  });
  return { text, parameters: order.map((name) => values[name]?.[0]) };
}

/** Shared by the three statements so that a scan's times always fall within its query's. */
const QUERY_START_US = '((qi * {spread_us}) / {queries})';
const QUERY_DURATION_US = `(200000 + (qi * 7919) % ${MAX_DURATION_US - 200_000})`;
const AT = (micros: string): string => `({slot_start} + (${micros}) * interval '1 microsecond')`;
const USERID = '({users})[1 + qi % cardinality({users})]';
const PID = '1073751824 + (qi % 97)::int * 7919';
const TEXT = `('SELECT count(*), sum(amount) FROM public.' || ({names})[1 + qi % cardinality({names})] || ' WHERE id > ' || ((qi * 7919) % 100000)::text)`;

/** The statements and their parameters; pure. */
export function renderBulkScanLoad(profile: WorkloadProfile, plan: BulkScanPlan): BulkScanStatements {
  const tables = profile.tables.filter((table) => !table.external);
  const rowsPerQuery = plan.slices * BULK_SEGMENTS;
  const queries = Math.ceil(plan.count / rowsPerQuery);
  const slotUs = plan.slotMinutes * 60_000_000;
  const values = {
    slot_start: [plan.slotStart, 'timestamp'],
    spread_us: [Math.max(1, slotUs - MAX_DURATION_US - 1), 'bigint'],
    queries: [queries, 'bigint'],
    count: [plan.count, 'bigint'],
    first_query: [plan.firstQuery, 'integer'],
    first_xid: [plan.firstXid, 'bigint'],
    names: [tables.map((table) => table.name), 'text[]'],
    ids: [tables.map((table) => table.id), 'integer[]'],
    widths: [tables.map((table) => table.width), 'bigint[]'],
    per_slice: [tables.map((table) => Math.min(table.rowsPerSlice, 5_000_000)), 'bigint[]'],
    users: [profile.users.filter((user) => user.userid > 1).map((user) => user.userid), 'integer[]'],
  } as const;

  const queryInsert = bind(
    `INSERT INTO public.stl_query (${columnList('stl_query')})
SELECT ${USERID}, {first_query} + qi::int, 'default', {first_xid} + qi, ${PID}, 'dev', ${TEXT},
       ${AT(QUERY_START_US)}, ${AT(`${QUERY_START_US} + ${QUERY_DURATION_US}`)}, CASE WHEN qi % 211 = 0 THEN 1 ELSE 0 END, 0, 0
FROM generate_series(0::bigint, {queries} - 1) qi`,
    values,
  );

  const textInsert = bind(
    `INSERT INTO public.stl_querytext (${columnList('stl_querytext')})
SELECT ${USERID}, {first_xid} + qi, ${PID}, {first_query} + qi::int, 0, ${TEXT}
FROM generate_series(0::bigint, {queries} - 1) qi`,
    values,
  );

  // Per slice and segment: live rows from the table's size, a hashed share kept by the filter,
  // a few ghost rows; so rows <= rows_pre_user_filter <= rows_pre_filter always.
  const scanInsert = bind(
    `INSERT INTO public.stl_scan (${columnList('stl_scan')})
SELECT ${USERID}, {first_query} + qi::int, slice, segment, 0,
       ${AT(`${QUERY_START_US} + 10000 + segment * 5000`)},
       ${AT(`${QUERY_START_US} + ${QUERY_DURATION_US} * 9 / 10`)},
       slice, live * (h % 1000) / 1000, (live * (h % 1000) / 1000) * width, 0, 2, tbl,
       CASE WHEN h % 3 = 0 THEN 't' ELSE 'f' END, 'f', live + h % 5000, live, name, 'f', 0, 0, 0,
       CASE WHEN segment = 0 THEN 't' ELSE 'f' END, 0, CASE WHEN h % 3 = 0 THEN 1 ELSE 0 END, 0, 0, 0, 't', 0, 0, 0, 'f', 'f', 'f'
FROM (
  SELECT qi, slice, segment, h, ({names})[t] AS name, ({ids})[t] AS tbl, ({widths})[t] AS width,
         ({per_slice})[t] * (900 + h % 200) / 1000 AS live
  FROM (
    SELECT r / ${rowsPerQuery} AS qi, (r % ${rowsPerQuery}) % ${plan.slices} AS slice, (r % ${rowsPerQuery}) / ${plan.slices} AS segment,
           (r * 2654435761) % 1000003 AS h, 1 + (r / ${rowsPerQuery} + (r % ${rowsPerQuery}) / ${plan.slices}) % ${tables.length} AS t
    FROM generate_series(0::bigint, {count} - 1) r
  ) a
) b`,
    values,
  );

  return {
    queries,
    statements: [
      { view: 'stl_query', ...queryInsert },
      { view: 'stl_querytext', ...textInsert },
      { view: 'stl_scan', ...scanInsert },
    ],
  };
}

export async function runBulkScanLoad(tx: Pick<Transaction, 'query'>, statements: BulkScanStatements): Promise<void> {
  for (const statement of statements.statements) await tx.query(statement.text, [...statement.parameters]);
}
