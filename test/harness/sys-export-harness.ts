import type { PGlite } from '@electric-sql/pglite';
import type { ClusterConfig } from '../../pipeline/config/opslake-config.js';
import { SOURCE_VIEWS, type SourceViewName } from '../../pipeline/tables/dialects.js';
import { EXPORT_TABLE_NAMES } from '../../pipeline/tables/registry.js';
import { type ComparableRow, readSourceView } from './export-harness.js';

/** What the SYS export tests share: a workgroup's configuration and the simulator's ground truth. */

/** A Serverless workgroup reached with the caller's IAM identity (or a secret). */
export function workgroupConfig(name: string, auth: ClusterConfig['auth'] = { type: 'iam' }): ClusterConfig {
  return {
    name,
    kind: 'serverless',
    workgroupName: name,
    database: 'dev',
    auth,
    views: 'auto',
    tables: EXPORT_TABLE_NAMES,
    enabled: true,
    connection: { type: 'pglite', dataDir: '(in memory)' },
  };
}

/**
 * The statuses that end a row, written here rather than taken from the registry: the test says
 * independently which rows are final (the docs' list of terminal statuses).
 */
const FINAL = {
  sys_query_history: "('success', 'failed', 'canceled')",
  sys_load_history: "('completed', 'aborted')",
  sys_unload_history: "('completed', 'aborted', 'unknown')",
} as const;

/** Views whose rows belong to a statement, and the columns that tie them to its history row. */
const OF_STATEMENT: Partial<Record<SourceViewName, string>> = {
  sys_query_text: 'q.query_id = v.query_id AND q.transaction_id = v.transaction_id',
  sys_query_detail: 'q.query_id = v.query_id',
  sys_query_explain: 'q.query_id = v.query_id',
  sys_load_error_detail: 'q.query_id = v.query_id AND q.transaction_id = v.transaction_id',
};

/**
 * The rows of a SYS view that an export must hold exactly once: final rows of history views, the
 * rows of statements that are over for the views that hang off a statement, every row of the
 * others (connections, users, usage).
 */
export async function readFinalRows(db: PGlite, view: SourceViewName): Promise<ComparableRow[]> {
  if (view in FINAL) return readSourceView(db, view, `WHERE v.status IN ${FINAL[view as keyof typeof FINAL]}`);
  const link = OF_STATEMENT[view];
  if (link) {
    return readSourceView(
      db,
      view,
      `WHERE EXISTS (SELECT 1 FROM sys_query_history q WHERE ${link} AND q.status IN ${FINAL.sys_query_history})`,
    );
  }
  return readSourceView(db, view);
}

/** The query ids of statements that are not over yet, in the source. */
export async function openStatementIds(db: PGlite): Promise<Set<string>> {
  const result = await db.query<{ query_id: string }>(
    `SELECT query_id::text AS query_id FROM sys_query_history WHERE status NOT IN ${FINAL.sys_query_history}`,
  );
  return new Set(result.rows.map((row) => row.query_id));
}

/** The position of a column in a lake table's comparable rows (the registry's order, without exported_at). */
export function columnIndex(view: SourceViewName, column: string): number {
  const index = SOURCE_VIEWS[view].columns.findIndex((candidate) => candidate.name === column);
  if (index < 0) throw new RangeError(`${view} has no column ${column}`);
  return index;
}
