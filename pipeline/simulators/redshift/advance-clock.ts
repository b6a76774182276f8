import { quoteIdent } from '../../redshift/slot-sql.js';
import { STL_VIEWS, STL_VIEW_NAMES } from '../../tables/stl-views.js';
import { type ClusterState, type Queryable, STATE_TABLE } from './cluster-state.js';
import { formatMicros } from './format-micros.js';
import { RowWriter } from './row-writer.js';
import { PENDING_SCHEMA } from './stl-schema-sql.js';
import { emitStatementRows } from './stl-rows.js';
import { MINUTE_US, statementsOfMinute } from './workload-generator.js';
import { WORKLOAD_PROFILES } from './workload-profiles.js';

const DAY_US = 86_400_000_000;

/** Rows held in memory before they are written, during a long advance. */
const FLUSH_EVERY_ROWS = 200_000;

export interface AdvanceResult {
  /** The cluster clock after the move, as `getdate()` prints it. */
  readonly now: string;
  /** Statements (queries, DDL, utility) generated: those that start in the new interval. */
  readonly statements: number;
  /** Rows that became visible in the views. */
  readonly rowsVisible: number;
  /** Rows waiting to become visible after the move (late, or of work still running). */
  readonly rowsPending: number;
  /** Rows deleted because they passed the retention. */
  readonly rowsDeleted: number;
}

/**
 * The one way the clock moves. Minutes are generated whole, in order, up to the new clock, so
 * the ids and rows of a minute are the same whatever steps led there; rows of work that has not
 * finished (or not started) yet wait in the pending schema like late rows do.
 */
export async function advanceTo(tx: Queryable, state: ClusterState, toUs: number): Promise<AdvanceResult> {
  const profile = WORKLOAD_PROFILES[state.profile];
  const cutoffUs = toUs - state.retentionDays * DAY_US;
  const writer = new RowWriter(toUs, cutoffUs);
  const settings = { seed: state.seed, maxVisibilityDelayMinutes: state.maxVisibilityDelayMinutes };
  let { nextMinute, nextQuery, nextXid } = state;
  let statements = 0;
  let rowsVisible = 0;
  while (nextMinute * MINUTE_US < toUs) {
    for (const placed of statementsOfMinute(profile, settings, nextMinute)) {
      nextXid += placed.xidStep;
      let query: number | undefined;
      if (placed.spec.kind === 'query') {
        query = nextQuery + placed.queryIdStep - 1;
        nextQuery = query + 1;
      }
      emitStatementRows(profile, { placed, query, xid: nextXid }, writer);
      statements++;
    }
    nextMinute++;
    if (writer.buffered >= FLUSH_EVERY_ROWS) rowsVisible += (await writer.flush(tx)).visible;
  }
  rowsVisible += (await writer.flush(tx)).visible;

  const now = formatMicros(toUs);
  const cutoff = formatMicros(cutoffUs);
  for (const view of STL_VIEW_NAMES) {
    const columns = STL_VIEWS[view].columns.map((column) => quoteIdent(column.name)).join(', ');
    const pendingTable = `${quoteIdent(PENDING_SCHEMA)}.${quoteIdent(view)}`;
    const moved = await tx.query(
      `WITH moved AS (DELETE FROM ${pendingTable} WHERE "visible_at" <= $1::timestamp RETURNING ${columns})
       INSERT INTO public.${quoteIdent(view)} (${columns}) SELECT ${columns} FROM moved`,
      [now],
    );
    rowsVisible += moved.affectedRows ?? 0;
  }
  let rowsDeleted = 0;
  for (const schema of ['public', PENDING_SCHEMA]) {
    for (const statement of retentionSql(schema)) {
      const deleted = await tx.query(statement, [cutoff]);
      if (schema === 'public') rowsDeleted += deleted.affectedRows ?? 0;
    }
  }
  await tx.query(`UPDATE ${STATE_TABLE} SET "clock" = $1::timestamp, "next_minute" = $2, "next_query" = $3, "next_xid" = $4`, [
    now,
    nextMinute,
    nextQuery,
    nextXid,
  ]);
  const pending = await tx.query<{ n: number }>(
    STL_VIEW_NAMES.map((view) => `SELECT count(*)::int AS n FROM ${quoteIdent(PENDING_SCHEMA)}.${quoteIdent(view)}`).join(' UNION ALL '),
  );
  const rowsPending = pending.rows.reduce((sum, row) => sum + row.n, 0);
  return { now: now.slice(0, 19), statements, rowsVisible, rowsPending, rowsDeleted };
}

/**
 * Retention by completion time: a view's own cursor column, or for views without one the
 * `endtime` of their query. Borrowing views go first, while their queries are still there.
 */
function retentionSql(schema: string): string[] {
  const own: string[] = [];
  const borrowed: string[] = [];
  const table = (view: string): string => `${quoteIdent(schema)}.${quoteIdent(view)}`;
  for (const view of STL_VIEW_NAMES) {
    const cursor = STL_VIEWS[view].cursor;
    if (cursor.kind === 'own') {
      own.push(`DELETE FROM ${table(view)} WHERE ${quoteIdent(cursor.column)} < $1::timestamp`);
    } else {
      const on = cursor.joinOn.map((column) => `q.${quoteIdent(column)} = v.${quoteIdent(column)}`).join(' AND ');
      borrowed.push(`DELETE FROM ${table(view)} v USING ${table('stl_query')} q WHERE ${on} AND q."endtime" < $1::timestamp`);
    }
  }
  return [...borrowed, ...own];
}
