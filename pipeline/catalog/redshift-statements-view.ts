import type { HiveScalar, HiveType } from '../tables/hive-type.js';
import type { LakeView, LakeViewColumn } from '../tables/lake-view.js';
import { DUCKDB_VIEW_SQL, TRINO_VIEW_SQL, type ViewSqlDialect } from './view-sql-dialects.js';

/**
 * `redshift_statements`: one row per statement of every source, whichever system views it was
 * read through, so that a question about statements answers for the whole fleet.
 *
 * - STL sources: a row per `stl_query` row (the queries; DDL and utility statements have no
 *   timings there and are in `query_text` only), with the WLM queue and its queue and execution
 *   times from `stl_wlm_query` and the disk spill from the query-level row of `stl_query_metrics`
 *   (queries in user-defined queues only: NULL elsewhere). STL does not count returned rows.
 * - SYS sources (Serverless workgroups, Multi-AZ clusters): a row per `sys_query_history` row
 *   (every kind of statement), the spill summed over the child-query rows of `sys_query_detail`
 *   (NULL for a statement without detail rows). On Serverless `service_class_id` is -1: that is
 *   how its rows are told from those of a Multi-AZ cluster.
 *
 * The text and fingerprint come from `query_text`. Every join also matches the `day` partition:
 * the rows borrowed from a statement (query_text, metrics, detail) are filed under its day, so the
 * join is exact and a filter on `day` prunes every table read. A WLM row lands on the day its
 * service class ended, which is the statement's own but for one that ends a moment after
 * midnight, whose queue then reads NULL.
 */

export const REDSHIFT_STATEMENTS_VIEW = 'redshift_statements';

const MEGABYTE = 1_048_576;

const scalar = (name: HiveScalar): HiveType => ({ kind: 'scalar', name });
const STRING: HiveType = { kind: 'string' };

export const REDSHIFT_STATEMENTS_COLUMNS: readonly LakeViewColumn[] = [
  { name: 'cluster', type: STRING },
  { name: 'kind', type: STRING },
  { name: 'dialect', type: STRING },
  { name: 'query_id', type: scalar('bigint') },
  { name: 'transaction_id', type: scalar('bigint') },
  { name: 'session_id', type: scalar('int') },
  { name: 'user_id', type: scalar('int') },
  { name: 'user_name', type: STRING },
  { name: 'database_name', type: STRING },
  { name: 'service_class', type: scalar('int') },
  { name: 'queue', type: STRING },
  { name: 'query_type', type: STRING },
  { name: 'start_time', type: scalar('timestamp') },
  { name: 'end_time', type: scalar('timestamp') },
  { name: 'queue_time', type: scalar('bigint') },
  { name: 'execution_time', type: scalar('bigint') },
  { name: 'elapsed_time', type: scalar('bigint') },
  { name: 'status', type: STRING },
  { name: 'returned_rows', type: scalar('bigint') },
  { name: 'spilled_bytes', type: scalar('bigint') },
  { name: 'fingerprint', type: STRING },
  { name: 'text', type: STRING },
  { name: 'day', type: STRING },
];

export function redshiftStatementsView(): LakeView {
  return {
    name: REDSHIFT_STATEMENTS_VIEW,
    description:
      'One row per statement of every Redshift source, read through STL (stl_query) or SYS (sys_query_history): ' +
      'times in microseconds, queue, status, spill, fingerprint and text.',
    reads: ['stl_query', 'stl_wlm_query', 'stl_query_metrics', 'sys_query_history', 'sys_query_detail', 'query_text'],
    columns: REDSHIFT_STATEMENTS_COLUMNS,
    athenaSql: viewSql(TRINO_VIEW_SQL),
    duckDbSql: viewSql(DUCKDB_VIEW_SQL),
  };
}

function viewSql(dialect: ViewSqlDialect): string {
  const elapsed = dialect.microsBetween('q."starttime"', 'q."endtime"');
  const stl = `SELECT
  q."cluster",
  'provisioned' AS "kind",
  'stl' AS "dialect",
  CAST(q."query" AS bigint) AS "query_id",
  q."xid" AS "transaction_id",
  q."pid" AS "session_id",
  q."userid" AS "user_id",
  CAST(NULL AS varchar) AS "user_name",
  q."database" AS "database_name",
  w."service_class",
  w."service_class_name" AS "queue",
  CAST(NULL AS varchar) AS "query_type",
  q."starttime" AS "start_time",
  q."endtime" AS "end_time",
  w."queue_time",
  coalesce(w."execution_time", ${elapsed}) AS "execution_time",
  ${elapsed} AS "elapsed_time",
  CASE WHEN q."aborted" = 1 THEN 'aborted' ELSE 'success' END AS "status",
  CAST(NULL AS bigint) AS "returned_rows",
  m."blocks_to_disk" * ${MEGABYTE} AS "spilled_bytes",
  t."fingerprint",
  coalesce(t."text", q."querytxt") AS "text",
  q."day"
FROM "stl_query" q
LEFT JOIN (
  SELECT "cluster", "day", "query", "xid", CAST(sum("total_queue_time") AS bigint) AS "queue_time",
    CAST(sum("total_exec_time") AS bigint) AS "execution_time",
    max_by("service_class", "service_class_end_time") AS "service_class",
    max_by("service_class_name", "service_class_end_time") AS "service_class_name"
  FROM "stl_wlm_query"
  GROUP BY "cluster", "day", "query", "xid"
) w ON w."cluster" = q."cluster" AND w."day" = q."day" AND w."query" = q."query" AND w."xid" = q."xid"
LEFT JOIN (
  SELECT "cluster", "day", "query", max("blocks_to_disk") AS "blocks_to_disk"
  FROM "stl_query_metrics"
  WHERE "segment" = -1 AND "step_type" = -1
  GROUP BY "cluster", "day", "query"
) m ON m."cluster" = q."cluster" AND m."day" = q."day" AND m."query" = q."query"
LEFT JOIN "query_text" t
  ON t."cluster" = q."cluster" AND t."day" = q."day" AND t."statement_kind" = 'query' AND t."query" = q."query" AND t."xid" = q."xid"`;
  const sys = `SELECT
  h."cluster",
  CASE WHEN h."service_class_id" = -1 THEN 'serverless' ELSE 'provisioned' END AS "kind",
  'sys' AS "dialect",
  h."query_id",
  h."transaction_id",
  h."session_id",
  h."user_id",
  h."username" AS "user_name",
  h."database_name",
  h."service_class_id" AS "service_class",
  nullif(h."service_class_name", '') AS "queue",
  h."query_type",
  h."start_time",
  h."end_time",
  h."queue_time",
  h."execution_time",
  h."elapsed_time",
  h."status",
  h."returned_rows",
  d."spilled_blocks" * ${MEGABYTE} AS "spilled_bytes",
  t."fingerprint",
  coalesce(t."text", h."query_text") AS "text",
  h."day"
FROM "sys_query_history" h
LEFT JOIN (
  SELECT "cluster", "day", "query_id",
    CAST(sum(coalesce("spilled_block_local_disk", 0) + coalesce("spilled_block_remote_disk", 0)) AS bigint) AS "spilled_blocks"
  FROM "sys_query_detail"
  WHERE "stream_id" = -1 AND "segment_id" = -1 AND "step_id" = -1
  GROUP BY "cluster", "day", "query_id"
) d ON d."cluster" = h."cluster" AND d."day" = h."day" AND d."query_id" = h."query_id"
LEFT JOIN "query_text" t
  ON t."cluster" = h."cluster" AND t."day" = h."day" AND t."query_id" = h."query_id" AND t."xid" = h."transaction_id"`;
  // Each side in parentheses: the same in both engines, and the form SQL parsers take without doubt.
  return `(${stl})\nUNION ALL\n(${sys})`;
}
