import { OpslakeError } from '../errors.js';
import type { SqlRow, SqlRunner, SqlStatement } from '../ports/sql-runner.js';
import type { DialectName } from '../tables/dialects.js';
import { type ExportTableName, isSourceViewName } from '../tables/registry.js';
import { CLUSTER_NOW_SQL, renderHoldBack, renderOldestCursor, STALE_BEFORE } from './slot-sql.js';
import { formatSqlTimestamp, parseUtc } from './slot-time.js';

/** What an export reads from a cluster before it plans: its clock, the oldest row a view still holds, what holds slots back. */

/** The cluster clock (`SELECT getdate()`), in the database's own timestamp form. */
export async function readClusterNow(runner: SqlRunner): Promise<string> {
  const row = await first(runner, { text: CLUSTER_NOW_SQL, parameters: {} });
  const now = row?.now;
  if (typeof now !== 'string') throw new OpslakeError('the cluster did not return its clock (SELECT getdate())');
  return now;
}

/** The cursor of the oldest final row the view still holds; null for an empty view or a derived table. */
export async function readOldestCursor(runner: SqlRunner, table: ExportTableName): Promise<Date | null> {
  if (!isSourceViewName(table)) return null;
  const row = await first(runner, { text: renderOldestCursor(table), parameters: {} });
  return timestampOf(row?.oldest);
}

/** The times that hold slots back (see `renderHoldBack`); both null where statement rows never change. */
export interface HoldBackTimes {
  readonly finishedEnd: Date | null;
  readonly openStart: Date | null;
}

export async function readHoldBack(runner: SqlRunner, dialect: DialectName, staleBefore: Date): Promise<HoldBackTimes> {
  const text = renderHoldBack(dialect);
  if (text === null) return { finishedEnd: null, openStart: null };
  const row = await first(runner, { text, parameters: { [STALE_BEFORE]: formatSqlTimestamp(staleBefore) } });
  return { finishedEnd: timestampOf(row?.finished_end), openStart: timestampOf(row?.open_start) };
}

function timestampOf(value: unknown): Date | null {
  return typeof value === 'string' ? parseUtc(value) : null;
}

async function first(runner: SqlRunner, statement: SqlStatement): Promise<SqlRow | undefined> {
  for await (const page of runner.pages(statement)) {
    if (page.length > 0) return page[0];
  }
  return undefined;
}
