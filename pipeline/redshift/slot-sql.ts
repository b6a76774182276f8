import type { SqlStatement } from '../ports/sql-runner.js';
import { isPaddedChar } from '../tables/column-types.js';
import { DIALECTS, type DialectName, SOURCE_VIEWS, type SourceViewName } from '../tables/dialects.js';
import { QUERY_TEXT_SOURCES, type StatementKind } from '../tables/query-text-table.js';
import type { SourceColumn, SourceView, TerminalFilter } from '../tables/source-view.js';

/**
 * SQL rendered from the registry. Pure: the same view gives the same text. Identifiers and the
 * status words of terminal filters come only from the registry (never from config or input) and
 * are checked as they are written in; slot bounds are parameters.
 */

/** Parameter values are `'YYYY-MM-DD HH:MM:SS'` UTC strings, cast in the text. */
export const SLOT_START = 'slot_start';
export const SLOT_END = 'slot_end';
/** Open statements that began before this hold nothing back (see renderHoldBack). */
export const STALE_BEFORE = 'stale_before';

const START = `CAST(:${SLOT_START} AS timestamp)`;
const END = `CAST(:${SLOT_END} AS timestamp)`;

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new RangeError(`not a registry identifier: ${name}`);
  return `"${name}"`;
}

function statusList(filter: TerminalFilter): string {
  return filter.values
    .map((value) => {
      if (!/^[a-z][a-z-]*$/.test(value)) throw new RangeError(`not a registry status word: ${value}`);
      return `'${value}'`;
    })
    .join(', ');
}

/** `alias."status" IN ('success', ...)`: the rows of `filter` that are final. */
export function terminalCondition(filter: TerminalFilter, alias: string): string {
  return `${alias}.${quoteIdent(filter.column)} IN (${statusList(filter)})`;
}

/** The view a borrowed cursor comes from: it must keep its own completion time. */
function cursorSource(view: SourceView): { view: SourceView; column: string } {
  if (view.cursor.kind === 'own') return { view, column: view.cursor.column };
  const from = SOURCE_VIEWS[view.cursor.from as SourceViewName];
  if (from?.cursor.kind !== 'own') throw new RangeError(`${view.name} borrows its cursor from ${view.cursor.from}, which has none`);
  return { view: from, column: from.cursor.column };
}

/** A column as selected: CHAR padding trimmed (except text chunks), under its own name. */
function selectColumn(column: SourceColumn, alias: string): string {
  const ref = `${alias}.${quoteIdent(column.name)}`;
  return isPaddedChar(column.type) && !column.keepPadding ? `rtrim(${ref}) AS ${quoteIdent(column.name)}` : ref;
}

function orderBy(view: SourceView, alias: string): string {
  return view.key.map((name) => `${alias}.${quoteIdent(name)}`).join(', ');
}

/**
 * Rows of one slot of a view: those whose cursor lies in [slot_start, slot_end), and, where rows
 * still change while their statement runs, only final ones (a row is exported once, when it can
 * no longer change).
 */
export function renderSlotSelect(name: SourceViewName): string {
  const view = SOURCE_VIEWS[name];
  const columns = view.columns.map((column) => selectColumn(column, 'v')).join(',\n  ');
  let where: string;
  if (view.cursor.kind === 'own') {
    const cursor = `v.${quoteIdent(view.cursor.column)}`;
    where = `${cursor} >= ${START} AND ${cursor} < ${END}`;
    if (view.terminal) where += ` AND ${terminalCondition(view.terminal, 'v')}`;
  } else {
    const source = cursorSource(view);
    // A semi-join, not a join: rows are never multiplied, whatever the statement view holds.
    const conditions = view.cursor.joinOn.map((column) => `q.${quoteIdent(column)} = v.${quoteIdent(column)}`);
    if (source.view.terminal) conditions.push(terminalCondition(source.view.terminal, 'q'));
    const cursor = `q.${quoteIdent(source.column)}`;
    conditions.push(`${cursor} >= ${START}`, `${cursor} < ${END}`);
    where = `EXISTS (SELECT 1 FROM ${source.view.name} q WHERE ${conditions.join(' AND ')})`;
  }
  return `SELECT\n  ${columns}\nFROM ${name} v\nWHERE ${where}\nORDER BY ${orderBy(view, 'v')}`;
}

/** The oldest cursor value still retained by the view, among rows that are final (NULL when there is none). */
export function renderOldestCursor(name: SourceViewName): string {
  const { view, column } = cursorSource(SOURCE_VIEWS[name]);
  const where = view.terminal ? ` WHERE ${terminalCondition(view.terminal, view.name)}` : '';
  return `SELECT min(${quoteIdent(column)}) AS oldest FROM ${view.name}${where}`;
}

/**
 * What holds slots back in a dialect whose statement rows change while they run (DESIGN.md §3):
 * `finished_end`, the oldest end time of statements that have finished running but are not final
 * yet, and `open_start`, the oldest start of statements not final yet. Placeholder end times of
 * running statements (before their start) are not end times. Statements that began before
 * `:stale_before` are left out: a row stuck open would otherwise hold every slot back for good.
 * Null for a dialect whose statement rows never change (STL rows are written when they are final).
 */
export function renderHoldBack(dialect: DialectName): string | null {
  const { statements } = DIALECTS[dialect];
  const view = SOURCE_VIEWS[statements.view];
  if (!view.terminal) return null;
  const start = `q.${quoteIdent(statements.start)}`;
  const end = `q.${quoteIdent(statements.end)}`;
  return [
    `SELECT min(CASE WHEN ${end} >= ${start} THEN ${end} END) AS "finished_end", min(${start}) AS "open_start"`,
    `FROM ${view.name} q`,
    `WHERE NOT (${terminalCondition(view.terminal, 'q')}) AND ${start} >= CAST(:${STALE_BEFORE} AS timestamp)`,
  ].join('\n');
}

/** The cluster clock: Redshift's getdate() is UTC without a zone. */
export const CLUSTER_NOW_SQL = 'SELECT getdate() AS now';

/**
 * Chunks of one slot for the derived `query_text` table, ordered by statement then sequence so
 * that stitching can stream. Every statement yields the same columns.
 */
export function renderQueryTextChunks(kind: StatementKind): string {
  if (kind === 'query') {
    return [
      'SELECT t."query", t."xid", t."pid", t."userid", q."starttime", q."endtime", t."sequence", t."text"',
      'FROM stl_querytext t',
      'JOIN stl_query q ON q."query" = t."query" AND q."xid" = t."xid"',
      `WHERE q."endtime" >= ${START} AND q."endtime" < ${END}`,
      'ORDER BY t."query", t."xid", t."sequence"',
    ].join('\n');
  }
  const view = QUERY_TEXT_SOURCES[kind];
  return [
    'SELECT CAST(NULL AS integer) AS "query", v."xid", v."pid", v."userid", v."starttime", v."endtime", v."sequence", v."text"',
    `FROM ${view} v`,
    `WHERE v."endtime" >= ${START} AND v."endtime" < ${END}`,
    'ORDER BY v."xid", v."pid", v."starttime", v."sequence"',
  ].join('\n');
}

/**
 * The 4000-character chunks of `sys_query_text` of the statements that completed in one slot,
 * under the names the STL chunks use (`xid`, `pid`, `userid`, `starttime`, `endtime`), with the
 * statement's `query_type` to tell DDL and utility statements apart.
 */
export function renderSysQueryTextChunks(): string {
  const history = SOURCE_VIEWS.sys_query_history;
  if (!history.terminal) throw new RangeError('sys_query_history must have a terminal filter');
  return [
    'SELECT t."query_id", t."transaction_id" AS "xid", t."session_id" AS "pid", t."user_id" AS "userid",',
    '  q."start_time" AS "starttime", q."end_time" AS "endtime", rtrim(q."query_type") AS "query_type", t."sequence", t."text"',
    'FROM sys_query_text t',
    'JOIN sys_query_history q ON q."query_id" = t."query_id" AND q."transaction_id" = t."transaction_id"',
    `WHERE ${terminalCondition(history.terminal, 'q')} AND q."end_time" >= ${START} AND q."end_time" < ${END}`,
    'ORDER BY t."query_id", t."transaction_id", t."sequence"',
  ].join('\n');
}

/** A cheap read of a dialect's statement view: it fails where the source cannot read that family of views. */
export function renderDialectProbe(dialect: DialectName): string {
  return `SELECT 1 AS "readable" FROM ${DIALECTS[dialect].statements.view} LIMIT 1`;
}

export function slotStatement(text: string, start: string, end: string): SqlStatement {
  return { text, parameters: { [SLOT_START]: start, [SLOT_END]: end } };
}
