import type { LakeColumn } from './lake-table.js';

/**
 * The derived `query_text` table: one row per statement, its text stitched from the 200-character
 * chunks of `stl_querytext` (kind `query`), `stl_ddltext` (`ddl`) or `stl_utilitytext` (`utility`).
 */
export const QUERY_TEXT_TABLE = 'query_text' as const;

export const QUERY_TEXT_SOURCES = {
  query: 'stl_querytext',
  ddl: 'stl_ddltext',
  utility: 'stl_utilitytext',
} as const;

export type StatementKind = keyof typeof QUERY_TEXT_SOURCES;

export const QUERY_TEXT_COLUMNS = [
  { name: 'statement_kind', type: 'VARCHAR', description: 'query (stl_querytext), ddl (stl_ddltext) or utility (stl_utilitytext).' },
  { name: 'query', type: 'INTEGER', description: 'Query id (kind query only).' },
  { name: 'xid', type: 'BIGINT', description: 'Transaction of the statement.' },
  { name: 'pid', type: 'INTEGER', description: 'Session process id.' },
  { name: 'userid', type: 'INTEGER', description: 'User that ran the statement.' },
  { name: 'starttime', type: 'TIMESTAMP', description: 'Statement start (UTC).' },
  { name: 'endtime', type: 'TIMESTAMP', description: 'Statement end (UTC); decides the slot and day.' },
  { name: 'chunks', type: 'INTEGER', description: 'Number of 200-character pieces stitched.' },
  { name: 'text', type: 'VARCHAR', description: 'Full statement: pieces in sequence order, last piece right-trimmed, escapes restored.' },
  { name: 'text_length', type: 'INTEGER', description: 'Length of text in characters.' },
  { name: 'sha256', type: 'VARCHAR', description: 'sha256 of text, hex.' },
  {
    name: 'fingerprint',
    type: 'VARCHAR',
    description: 'sha256 (first 16 hex) of the normalised statement: literals and numbers replaced, whitespace collapsed, lower case.',
  },
  { name: 'normalized_text', type: 'VARCHAR', description: 'The normalised statement the fingerprint was taken of.' },
] as const satisfies readonly LakeColumn[];

/** The names of query_text's own columns: the query_text rows are checked against them. */
export type QueryTextColumnName = (typeof QUERY_TEXT_COLUMNS)[number]['name'];
