import type { LakeColumn } from './lake-table.js';

/**
 * The derived `query_text` table: one row per statement, its text stitched from the 200-character
 * chunks of `stl_querytext` (kind `query`), `stl_ddltext` (`ddl`) or `stl_utilitytext` (`utility`)
 * on sources read through STL, or from the 4000-character chunks of `sys_query_text` on sources
 * read through SYS (the kind from `sys_query_history.query_type`). One table for both, so a
 * fingerprint groups the same statement wherever it ran.
 */
export const QUERY_TEXT_TABLE = 'query_text' as const;

export const QUERY_TEXT_SOURCES = {
  query: 'stl_querytext',
  ddl: 'stl_ddltext',
  utility: 'stl_utilitytext',
} as const;

export type StatementKind = keyof typeof QUERY_TEXT_SOURCES;

export const QUERY_TEXT_COLUMNS = [
  {
    name: 'statement_kind',
    type: 'VARCHAR',
    description: 'query (stl_querytext), ddl (stl_ddltext) or utility (stl_utilitytext); in SYS from query_type DDL and UTILITY.',
  },
  { name: 'query', type: 'INTEGER', description: 'STL query id (kind query only); null for SYS statements.' },
  { name: 'xid', type: 'BIGINT', description: 'Transaction of the statement (SYS transaction_id).' },
  { name: 'pid', type: 'INTEGER', description: 'Session process id (SYS session_id).' },
  { name: 'userid', type: 'INTEGER', description: 'User that ran the statement (SYS user_id).' },
  { name: 'starttime', type: 'TIMESTAMP', description: 'Statement start (UTC).' },
  { name: 'endtime', type: 'TIMESTAMP', description: 'Statement end (UTC); decides the slot and day.' },
  { name: 'chunks', type: 'INTEGER', description: 'Number of pieces stitched (200 characters each in STL, 4000 in SYS).' },
  { name: 'text', type: 'VARCHAR', description: 'Full statement: pieces in sequence order, last piece right-trimmed, escapes restored.' },
  { name: 'text_length', type: 'INTEGER', description: 'Length of text in characters.' },
  { name: 'sha256', type: 'VARCHAR', description: 'sha256 of text, hex.' },
  {
    name: 'fingerprint',
    type: 'VARCHAR',
    description: 'sha256 (first 16 hex) of the normalised statement: literals and numbers replaced, whitespace collapsed, lower case.',
  },
  { name: 'normalized_text', type: 'VARCHAR', description: 'The normalised statement the fingerprint was taken of.' },
  { name: 'dialect', type: 'VARCHAR', description: 'stl or sys: the system views the statement was read from.' },
  { name: 'query_id', type: 'BIGINT', description: 'SYS statement id (sys_query_history.query_id); null for STL statements.' },
] as const satisfies readonly LakeColumn[];

/** The names of query_text's own columns: the query_text rows are checked against them. */
export type QueryTextColumnName = (typeof QUERY_TEXT_COLUMNS)[number]['name'];
