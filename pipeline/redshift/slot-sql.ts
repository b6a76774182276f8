import type { SqlStatement } from '../ports/sql-runner.js';
import { isPaddedChar } from '../tables/column-types.js';
import { QUERY_TEXT_SOURCES, type StatementKind } from '../tables/query-text-table.js';
import { STL_VIEWS, type SourceColumn, type SourceView, type StlViewName } from '../tables/stl-views.js';

/**
 * SQL rendered from the registry. Pure: the same view gives the same text. Identifiers come only
 * from the registry (never from config or input) and are quoted; slot bounds are parameters.
 */

/** Parameter values are `'YYYY-MM-DD HH:MM:SS'` UTC strings, cast in the text. */
export const SLOT_START = 'slot_start';
export const SLOT_END = 'slot_end';

const START = `CAST(:${SLOT_START} AS timestamp)`;
const END = `CAST(:${SLOT_END} AS timestamp)`;

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new RangeError(`not a registry identifier: ${name}`);
  return `"${name}"`;
}

/** A column as selected: CHAR padding trimmed (except text chunks), under its own name. */
function selectColumn(column: SourceColumn, alias: string): string {
  const ref = `${alias}.${quoteIdent(column.name)}`;
  return isPaddedChar(column.type) && !column.keepPadding ? `rtrim(${ref}) AS ${quoteIdent(column.name)}` : ref;
}

function orderBy(view: SourceView, alias: string): string {
  return view.key.map((name) => `${alias}.${quoteIdent(name)}`).join(', ');
}

/** Rows of one slot of a view: those whose cursor lies in [slot_start, slot_end). */
export function renderSlotSelect(name: StlViewName): string {
  const view = STL_VIEWS[name];
  const columns = view.columns.map((column) => selectColumn(column, 'v')).join(',\n  ');
  let where: string;
  if (view.cursor.kind === 'own') {
    const cursor = `v.${quoteIdent(view.cursor.column)}`;
    where = `${cursor} >= ${START} AND ${cursor} < ${END}`;
  } else {
    // A semi-join, not a join: rows are never multiplied, whatever stl_query holds.
    const on = view.cursor.joinOn.map((column) => `q.${quoteIdent(column)} = v.${quoteIdent(column)}`).join(' AND ');
    where = `EXISTS (SELECT 1 FROM stl_query q WHERE ${on} AND q."endtime" >= ${START} AND q."endtime" < ${END})`;
  }
  return `SELECT\n  ${columns}\nFROM ${name} v\nWHERE ${where}\nORDER BY ${orderBy(view, 'v')}`;
}

/** The oldest cursor value still retained by the view (NULL when it is empty). */
export function renderOldestCursor(name: StlViewName): string {
  const view = STL_VIEWS[name];
  if (view.cursor.kind === 'own') return `SELECT min(${quoteIdent(view.cursor.column)}) AS oldest FROM ${name}`;
  return 'SELECT min("endtime") AS oldest FROM stl_query';
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

export function slotStatement(text: string, start: string, end: string): SqlStatement {
  return { text, parameters: { [SLOT_START]: start, [SLOT_END]: end } };
}
