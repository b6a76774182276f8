import type { LakeRow, LakeValue } from '../lake/parquet-writer.js';
import type { SqlRow } from '../ports/sql-runner.js';
import type { DialectName } from '../tables/dialects.js';
import type { QueryTextColumnName, StatementKind } from '../tables/query-text-table.js';
import { fingerprint, normalizeStatement, sha256Hex } from './fingerprint.js';
import { stitchChunks } from './stitch.js';

/** The text chunks of one statement, in sequence order, and the row of its first chunk (ids and times). */
export interface StatementChunks {
  readonly first: SqlRow;
  readonly chunks: readonly string[];
}

/**
 * How chunk rows of one dialect are read: which statement a chunk belongs to, and its kind.
 * The chunks arrive ordered by statement, then sequence.
 */
export interface ChunkSource {
  readonly dialect: DialectName;
  statementKey(row: SqlRow): string;
  kindOf(row: SqlRow): StatementKind;
}

/** STL chunks of one kind: a statement is (query, xid) for queries, (xid, pid, starttime) for DDL and utility text. */
export function stlChunkSource(kind: StatementKind): ChunkSource {
  return {
    dialect: 'stl',
    statementKey: kind === 'query' ? (row) => `${row.query}|${row.xid}` : (row) => `${row.xid}|${row.pid}|${row.starttime}`,
    kindOf: () => kind,
  };
}

/**
 * SYS chunks (`renderSysQueryTextChunks`): a statement is (query_id, transaction_id), its kind
 * from its query_type, so that DDL and utility statements are told apart as STL tells them.
 */
export const SYS_CHUNK_SOURCE: ChunkSource = {
  dialect: 'sys',
  statementKey: (row) => `${row.query_id}|${row.xid}`,
  kindOf: (row) => {
    const type = String(row.query_type ?? '')
      .trim()
      .toUpperCase();
    return type === 'DDL' ? 'ddl' : type === 'UTILITY' ? 'utility' : 'query';
  },
};

/**
 * The `query_text` row of one statement. It holds exactly the registry's query_text columns
 * (QUERY_TEXT_COLUMNS): the Parquet writer takes values by column name and writes NULL for a
 * missing one, so a column added to the registry and not produced here would silently stay
 * empty. `satisfies` makes that, or a value for a column the registry does not have, a type
 * error. Stitching and the fingerprint are the same for both dialects, so one statement has one
 * fingerprint whichever views it was read from.
 */
export function queryTextRow(kind: StatementKind, statement: StatementChunks, dialect: DialectName = 'stl'): LakeRow {
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
    dialect,
    query_id: first.query_id ?? null,
  } satisfies Record<QueryTextColumnName, LakeValue>;
}

/**
 * Turns pages of text chunks (ordered by statement, then sequence) into one `query_text` row per
 * statement, streaming: only the chunks of the current statement are held. `source` is an STL
 * kind (the chunks of one STL view) or a ChunkSource.
 */
export async function* queryTextRows(
  source: StatementKind | ChunkSource,
  pages: AsyncIterable<readonly SqlRow[]>,
): AsyncGenerator<LakeRow[]> {
  const chunks = typeof source === 'string' ? stlChunkSource(source) : source;
  const rowOf = (statement: StatementChunks) => queryTextRow(chunks.kindOf(statement.first), statement, chunks.dialect);
  let current: { key: string; first: SqlRow; chunks: string[] } | null = null;
  for await (const page of pages) {
    const out: LakeRow[] = [];
    for (const row of page) {
      const key = chunks.statementKey(row);
      if (current && current.key !== key) {
        out.push(rowOf(current));
        current = null;
      }
      current ??= { key, first: row, chunks: [] };
      current.chunks.push(String(row.text ?? ''));
    }
    if (out.length > 0) yield out;
  }
  if (current) yield [rowOf(current)];
}
