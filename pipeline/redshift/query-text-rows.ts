import type { SqlRow } from '../ports/sql-runner.js';
import type { StatementKind } from '../tables/query-text-table.js';
import type { LakeRow } from '../lake/parquet-writer.js';
import { fingerprint, normalizeStatement, sha256Hex } from './fingerprint.js';
import { stitchChunks } from './stitch.js';

/**
 * Turns pages of text chunks (ordered by statement, then sequence) into one `query_text` row per
 * statement, streaming: only the chunks of the current statement are held.
 */
export async function* queryTextRows(kind: StatementKind, pages: AsyncIterable<readonly SqlRow[]>): AsyncGenerator<LakeRow[]> {
  let current: { key: string; first: SqlRow; chunks: string[] } | null = null;
  const finish = (statement: { first: SqlRow; chunks: string[] }): LakeRow => {
    const text = stitchChunks(statement.chunks);
    const normalized = normalizeStatement(text);
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
      normalized_text: normalized,
    };
  };
  for await (const page of pages) {
    const out: LakeRow[] = [];
    for (const row of page) {
      // A statement is (query, xid) for queries, (xid, pid, starttime) for DDL and utility text.
      const key = kind === 'query' ? `${row.query}|${row.xid}` : `${row.xid}|${row.pid}|${row.starttime}`;
      if (current && current.key !== key) {
        out.push(finish(current));
        current = null;
      }
      current ??= { key, first: row, chunks: [] };
      current.chunks.push(String(row.text ?? ''));
    }
    if (out.length > 0) yield out;
  }
  if (current) yield [finish(current)];
}
