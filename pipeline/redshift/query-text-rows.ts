import type { LakeRow, LakeValue } from '../lake/parquet-writer.js';
import type { SqlRow } from '../ports/sql-runner.js';
import type { QueryTextColumnName, StatementKind } from '../tables/query-text-table.js';
import { fingerprint, normalizeStatement, sha256Hex } from './fingerprint.js';
import { stitchChunks } from './stitch.js';

/** The text chunks of one statement, in sequence order, and the row of its first chunk (ids and times). */
export interface StatementChunks {
  readonly first: SqlRow;
  readonly chunks: readonly string[];
}

/**
 * The `query_text` row of one statement. It holds exactly the registry's query_text columns
 * (QUERY_TEXT_COLUMNS): the Parquet writer takes values by column name and writes NULL for a
 * missing one, so a column added to the registry and not produced here would silently stay
 * empty. `satisfies` makes that, or a value for a column the registry does not have, a type
 * error.
 */
export function queryTextRow(kind: StatementKind, statement: StatementChunks): LakeRow {
  const text = stitchChunks(statement.chunks);
  const { first } = statement;
  return {
    statement_kind: kind,
    query: first.query ?? null,
    xid: first.xid ?? null,
    pid: first.pid ?? null,
    userid: first.userid ?? null,
    starttime: first.starttime ?? null,
    endtime: first.endtime ?? null,
    chunks: statement.chunks.length,
    text,
    text_length: [...text].length,
    sha256: sha256Hex(text),
    fingerprint: fingerprint(text),
    normalized_text: normalizeStatement(text),
  } satisfies Record<QueryTextColumnName, LakeValue>;
}

/**
 * Turns pages of text chunks (ordered by statement, then sequence) into one `query_text` row per
 * statement, streaming: only the chunks of the current statement are held.
 */
export async function* queryTextRows(kind: StatementKind, pages: AsyncIterable<readonly SqlRow[]>): AsyncGenerator<LakeRow[]> {
  let current: { key: string; first: SqlRow; chunks: string[] } | null = null;
  for await (const page of pages) {
    const out: LakeRow[] = [];
    for (const row of page) {
      // A statement is (query, xid) for queries, (xid, pid, starttime) for DDL and utility text.
      const key = kind === 'query' ? `${row.query}|${row.xid}` : `${row.xid}|${row.pid}|${row.starttime}`;
      if (current && current.key !== key) {
        out.push(queryTextRow(kind, current));
        current = null;
      }
      current ??= { key, first: row, chunks: [] };
      current.chunks.push(String(row.text ?? ''));
    }
    if (out.length > 0) yield out;
  }
  if (current) yield [queryTextRow(kind, current)];
}
