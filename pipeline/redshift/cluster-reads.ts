import { OpslakeError } from '../errors.js';
import type { SqlRow, SqlRunner, SqlStatement } from '../ports/sql-runner.js';
import { isStlViewName, type ExportTableName } from '../tables/registry.js';
import { CLUSTER_NOW_SQL, renderOldestCursor } from './slot-sql.js';
import { parseUtc } from './slot-time.js';

/** What an export reads from a cluster before it plans: its clock, and the oldest row a view still holds. */

/** The cluster clock (`SELECT getdate()`), in the database's own timestamp form. */
export async function readClusterNow(runner: SqlRunner): Promise<string> {
  const row = await first(runner, { text: CLUSTER_NOW_SQL, parameters: {} });
  const now = row?.now;
  if (typeof now !== 'string') throw new OpslakeError('the cluster did not return its clock (SELECT getdate())');
  return now;
}

/** The cursor of the oldest row the view still holds; null for an empty view or a derived table. */
export async function readOldestCursor(runner: SqlRunner, table: ExportTableName): Promise<Date | null> {
  if (!isStlViewName(table)) return null;
  const row = await first(runner, { text: renderOldestCursor(table), parameters: {} });
  const oldest = row?.oldest;
  return typeof oldest === 'string' ? parseUtc(oldest) : null;
}

async function first(runner: SqlRunner, statement: SqlStatement): Promise<SqlRow | undefined> {
  for await (const page of runner.pages(statement)) {
    if (page.length > 0) return page[0];
  }
  return undefined;
}
