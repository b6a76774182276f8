import { quoteIdent, terminalCondition } from '../../redshift/slot-sql.js';
import { SOURCE_VIEWS, type SourceViewName } from '../../tables/dialects.js';
import { type ClusterState, type Queryable, STATE_TABLE } from './cluster-state.js';
import { isVersioned, simulatedViews } from './deployment.js';
import { formatMicros } from './format-micros.js';
import { RowWriter } from './row-writer.js';
import { PENDING_SCHEMA } from './stl-schema-sql.js';
import { emitStatementRows } from './stl-rows.js';
import { sysExtraStatements } from './sys-extra-statements.js';
import { emitSessionEvents } from './sys-session-rows.js';
import { emitSysStatementRows } from './sys-statement-rows.js';
import { UsageMeter } from './sys-usage-rows.js';
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
 * finished (or not started) yet wait in the pending schema like late rows do. STL clusters number
 * queries only; SYS deployments give every statement an id, add their own work (long statements,
 * slow clients) and, on Serverless, a usage row per minute. Both log sessions and user changes.
 */
export async function advanceTo(tx: Queryable, state: ClusterState, toUs: number): Promise<AdvanceResult> {
  const profile = WORKLOAD_PROFILES[state.profile];
  const views = simulatedViews(state.deployment);
  const sys = state.deployment !== 'provisioned';
  const cutoffUs = toUs - state.retentionDays * DAY_US;
  const writer = new RowWriter(toUs, cutoffUs, views);
  const settings = {
    seed: state.seed,
    maxVisibilityDelayMinutes: state.maxVisibilityDelayMinutes,
    regressionMinute: state.regressionMinute,
  };
  const usage = state.deployment === 'serverless' ? await UsageMeter.resume(tx, state.nextMinute) : undefined;
  const firstMinute = state.nextMinute;
  let { nextMinute, nextQuery, nextXid } = state;
  let statements = 0;
  let rowsVisible = 0;
  while (nextMinute * MINUTE_US < toUs) {
    const placedOfMinute = statementsOfMinute(profile, settings, nextMinute);
    if (sys) placedOfMinute.push(...sysExtraStatements(profile, settings, nextMinute));
    for (const placed of placedOfMinute) {
      nextXid += placed.xidStep;
      let query: number | undefined;
      if (sys || placed.spec.kind === 'query') {
        query = nextQuery + Math.max(1, placed.queryIdStep) - 1;
        nextQuery = query + 1;
      }
      const numbered = { placed, query, xid: nextXid };
      if (sys) emitSysStatementRows(profile, state.deployment, numbered, writer);
      else emitStatementRows(profile, numbered, writer);
      usage?.add(placed);
      statements++;
    }
    emitSessionEvents(profile, settings, nextMinute, writer, sys ? 'sys' : 'stl');
    nextMinute++;
    if (writer.buffered >= FLUSH_EVERY_ROWS) rowsVisible += (await writer.flush(tx)).visible;
  }
  usage?.emit(firstMinute, nextMinute, writer);
  rowsVisible += (await writer.flush(tx)).visible;

  const now = formatMicros(toUs);
  const cutoff = formatMicros(cutoffUs);
  for (const view of views) {
    const moved = await tx.query(moveSql(view), [now]);
    rowsVisible += moved.affectedRows ?? 0;
  }
  let rowsDeleted = 0;
  for (const schema of ['public', PENDING_SCHEMA]) {
    for (const statement of retentionSql(schema, views)) {
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
    views.map((view) => `SELECT count(*)::int AS n FROM ${quoteIdent(PENDING_SCHEMA)}.${quoteIdent(view)}`).join(' UNION ALL '),
  );
  const rowsPending = pending.rows.reduce((sum, row) => sum + row.n, 0);
  return { now: now.slice(0, 19), statements, rowsVisible, rowsPending, rowsDeleted };
}

/**
 * Moves the pending rows whose time has come into the view. A versioned row (a statement still
 * running, then over) replaces the visible row of the same key with its newest visible version.
 */
function moveSql(view: SourceViewName): string {
  const columns = SOURCE_VIEWS[view].columns.map((column) => quoteIdent(column.name)).join(', ');
  const pendingTable = `${quoteIdent(PENDING_SCHEMA)}.${quoteIdent(view)}`;
  const publicTable = `public.${quoteIdent(view)}`;
  if (!isVersioned(view)) {
    return `WITH moved AS (DELETE FROM ${pendingTable} WHERE "visible_at" <= $1::timestamp RETURNING ${columns})
       INSERT INTO ${publicTable} (${columns}) SELECT ${columns} FROM moved`;
  }
  const key = SOURCE_VIEWS[view].key.map(quoteIdent);
  const sameKey = key.map((column) => `p.${column} = l.${column}`).join(' AND ');
  return `WITH moved AS (DELETE FROM ${pendingTable} WHERE "visible_at" <= $1::timestamp RETURNING ${columns}, "visible_at"),
     latest AS (SELECT DISTINCT ON (${key.join(', ')}) ${columns} FROM moved ORDER BY ${key.join(', ')}, "visible_at" DESC),
     replaced AS (DELETE FROM ${publicTable} p USING latest l WHERE ${sameKey})
     INSERT INTO ${publicTable} (${columns}) SELECT ${columns} FROM latest`;
}

/**
 * Retention by completion time: a view's own cursor column, or for views without one the
 * completion time of their statement. Rows of statements still running are kept (their end time
 * is a placeholder). Borrowing views go first, while their statements are still there.
 */
function retentionSql(schema: string, views: readonly SourceViewName[]): string[] {
  const own: string[] = [];
  const borrowed: string[] = [];
  const table = (view: string): string => `${quoteIdent(schema)}.${quoteIdent(view)}`;
  for (const view of views) {
    const definition = SOURCE_VIEWS[view];
    const cursor = definition.cursor;
    if (cursor.kind === 'own') {
      const final = definition.terminal ? ` AND ${terminalCondition(definition.terminal, table(view))}` : '';
      own.push(`DELETE FROM ${table(view)} WHERE ${quoteIdent(cursor.column)} < $1::timestamp${final}`);
    } else {
      const from = SOURCE_VIEWS[cursor.from as SourceViewName];
      if (from.cursor.kind !== 'own') throw new RangeError(`${view} borrows from ${from.name}, which has no cursor of its own`);
      const conditions = cursor.joinOn.map((column) => `q.${quoteIdent(column)} = v.${quoteIdent(column)}`);
      if (from.terminal) conditions.push(terminalCondition(from.terminal, 'q'));
      conditions.push(`q.${quoteIdent(from.cursor.column)} < $1::timestamp`);
      borrowed.push(`DELETE FROM ${table(view)} v USING ${table(from.name)} q WHERE ${conditions.join(' AND ')}`);
    }
  }
  return [...borrowed, ...own];
}
