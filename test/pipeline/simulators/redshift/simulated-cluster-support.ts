import { createSimulatedCluster, type SimulatedCluster } from '../../../../pipeline/simulators/redshift/index.js';
import { PENDING_SCHEMA } from '../../../../pipeline/simulators/redshift/stl-schema-sql.js';
import { STL_VIEW_NAMES } from '../../../../pipeline/tables/stl-views.js';

/** What the simulated-cluster tests share: their clocks, clusters, queries of the views, digests. */

/** Wednesday evening: the history covers a working day. */
export const EVENING = new Date('2026-11-18T18:00:00Z');
/** Early morning: the history covers the nightly jobs. */
export const MORNING = new Date('2026-11-18T06:00:00Z');

/** Clusters made by `cluster`, for the test file's afterAll to close. */
export const opened: SimulatedCluster[] = [];

export async function cluster(options: Parameters<typeof createSimulatedCluster>[0]): Promise<SimulatedCluster> {
  const created = await createSimulatedCluster(options);
  opened.push(created);
  return created;
}

export async function rows<T>(db: SimulatedCluster, sql: string, parameters: unknown[] = []): Promise<T[]> {
  return (await db.db.query<T>(sql, parameters)).rows;
}

/** The one row of a query that always returns one (counts, aggregates). */
export async function firstRow<T>(db: SimulatedCluster, sql: string, parameters: unknown[] = []): Promise<T> {
  const [row] = await rows<T>(db, sql, parameters);
  if (row === undefined) throw new Error(`no row from ${sql}`);
  return row;
}

/** One digest per view (visible and pending): equal digests, equal content. */
export async function digest(db: SimulatedCluster): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const view of STL_VIEW_NAMES) {
    for (const schema of ['public', PENDING_SCHEMA]) {
      const row = await firstRow<{ d: string }>(
        db,
        `SELECT md5(coalesce(string_agg(v::text, E'\\n' ORDER BY v::text), '')) AS d FROM "${schema}"."${view}" v`,
      );
      result[`${schema}.${view}`] = row.d;
    }
  }
  return result;
}

/** Statements reassembled from their pieces, still escaped. */
export async function escapedStatements(
  db: SimulatedCluster,
  view: 'stl_querytext' | 'stl_ddltext' | 'stl_utilitytext',
): Promise<Map<string, { pieces: string[]; sequences: number[] }>> {
  const key = view === 'stl_querytext' ? 'query::text' : "xid::text || '/' || pid::text || '/' || starttime::text";
  const found = await rows<{ k: string; sequence: number; text: string }>(
    db,
    `SELECT ${key} AS k, sequence, text FROM ${view} ORDER BY 1, sequence`,
  );
  const statements = new Map<string, { pieces: string[]; sequences: number[] }>();
  for (const row of found) {
    const statement = statements.get(row.k) ?? { pieces: [], sequences: [] };
    statement.pieces.push(row.text);
    statement.sequences.push(row.sequence);
    statements.set(row.k, statement);
  }
  return statements;
}

/** md5 of the empty string: a view with no rows. */
export const EMPTY_DIGEST = 'd41d8cd98f00b204e9800998ecf8427e';

export function stitchEscaped(pieces: readonly string[]): string {
  return pieces.slice(0, -1).join('') + (pieces.at(-1) ?? '').replace(/ +$/, '');
}

export function decode(escaped: string): string {
  return escaped.replace(/\\(\\|n)/g, (_match, character: string) => (character === 'n' ? '\n' : '\\'));
}

/** The first word of a statement (empty when it starts with a space). */
export function firstWord(text: string): string {
  return text.split(/\s+/)[0] ?? '';
}
