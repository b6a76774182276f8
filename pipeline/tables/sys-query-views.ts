import { column as c, type SourceView, type TerminalFilter } from './source-view.js';

/**
 * The SYS views about statements (`reference/redshift-sys-and-more-views.md` §1.1-1.4), with
 * every documented column. One row per user statement in `sys_query_history`; its text, plan and
 * step metrics hang off `query_id`. Not the STL numbering: a SYS `query_id` counts a statement once.
 */

/** A statement is over once its status is one of these; planning, queued, running and returning rows still change. */
export const SYS_QUERY_TERMINAL: TerminalFilter = { column: 'status', values: ['success', 'failed', 'canceled'] };

/** The statement rows every other statement view borrows its completion time from. */
const borrowFromHistory = (joinOn: readonly string[]) => ({ kind: 'borrowed', from: 'sys_query_history', joinOn }) as const;

export const SYS_QUERY_HISTORY: SourceView<'sys_query_history'> = {
  name: 'sys_query_history',
  description: 'One row per user statement (all kinds), exported once the statement is over.',
  cursor: { kind: 'own', column: 'end_time' },
  key: ['query_id', 'transaction_id'],
  terminal: SYS_QUERY_TERMINAL,
  holdBack: 'finished-statements',
  columns: [
    c('user_id', 'integer', 'User that submitted the statement.'),
    c('query_id', 'bigint', 'Statement id (not the STL query id); the join key of the other SYS statement views.'),
    c('query_label', 'char(320)', 'Query-group label.'),
    c('transaction_id', 'bigint', 'Transaction (unique over time).'),
    c('session_id', 'integer', 'Backend process of the session.'),
    c('database_name', 'char(128)', 'Database the session was connected to.'),
    c('query_type', 'char(32)', 'SELECT, INSERT, UPDATE, UNLOAD, COPY, COMMAND, DDL, UTILITY, CTAS or OTHER.'),
    c('status', 'char(10)', 'success, failed or canceled (rows of running statements are not exported).'),
    c('result_cache_hit', 'boolean', 'True when the result came from the result cache.'),
    c('start_time', 'timestamp', 'When the statement began (UTC).'),
    c('end_time', 'timestamp', 'When the statement completed (UTC); decides the slot and day.'),
    c('elapsed_time', 'bigint', 'Total time, microseconds.'),
    c('queue_time', 'bigint', 'Time in the WLM queue, microseconds.'),
    c('execution_time', 'bigint', 'Time running (on Serverless compile time included), microseconds.'),
    c('error_message', 'char(512)', 'Why the statement failed.'),
    c('returned_rows', 'bigint', 'Rows sent to the client.'),
    c('returned_bytes', 'bigint', 'Bytes sent to the client.'),
    c('query_text', 'char(4000)', 'SQL text, cut after 4000 characters (the whole text is in sys_query_text and query_text).'),
    c('redshift_version', 'char(256)', 'Engine version that ran the statement.'),
    c('usage_limit', 'char(150)', 'Usage-limit ids the statement hit.'),
    c('compute_type', 'varchar(32)', 'primary, secondary (Multi-AZ second zone) or primary-scale (concurrency scaling); provisioned only.'),
    c('compile_time', 'bigint', 'Compiling, microseconds.'),
    c('planning_time', 'bigint', 'Planning, microseconds.'),
    c('lock_wait_time', 'bigint', 'Waiting for locks, microseconds.'),
    c('service_class_id', 'integer', 'WLM service class; -1 on Serverless.'),
    c('service_class_name', 'char(64)', 'WLM queue name; empty on Serverless.'),
    c('query_priority', 'char(20)', 'lowest to highest; empty on Serverless.'),
    c('short_query_accelerated', 'char(10)', 'true or false (short query acceleration); empty on Serverless.'),
    c('user_query_hash', 'char(40)', 'Hash of the statement with its literals.'),
    c('generic_query_hash', 'char(40)', 'Hash of the statement without its literals.'),
    c('query_hash_version', 'integer', 'Version of the hash scheme.'),
    c('result_cache_query_id', 'integer', 'Statement whose cached result was reused; 0 if none.'),
    c('username', 'char(128)', 'Name of the submitting user.'),
  ],
};

export const SYS_QUERY_TEXT: SourceView<'sys_query_text'> = {
  name: 'sys_query_text',
  description: 'Full SQL text of every statement (DDL and utility included) in 4000-character pieces.',
  cursor: borrowFromHistory(['query_id', 'transaction_id']),
  key: ['query_id', 'transaction_id', 'sequence'],
  columns: [
    c('user_id', 'integer', 'User that submitted the statement.'),
    c('query_id', 'bigint', 'Statement id; joins to sys_query_history.query_id.'),
    c('transaction_id', 'bigint', 'Transaction of the statement.'),
    c('session_id', 'integer', 'Session process.'),
    c('start_time', 'timestamp', 'When the statement began (UTC).'),
    c('sequence', 'integer', 'Piece number within one statement, from 0.'),
    c('text', 'char(4000)', 'One 4000-character piece of the SQL text, padding kept (see query_text).', true),
  ],
};

export const SYS_QUERY_DETAIL: SourceView<'sys_query_detail'> = {
  name: 'sys_query_detail',
  description: 'Metrics of a statement per child query, stream, segment and step (levels above a row are -1).',
  cursor: borrowFromHistory(['query_id']),
  key: ['query_id', 'child_query_sequence', 'stream_id', 'segment_id', 'step_id'],
  columns: [
    c('user_id', 'integer', 'User that submitted the statement.'),
    c('query_id', 'bigint', 'Statement id.'),
    c('child_query_sequence', 'integer', 'Rewritten child query, from 1.'),
    c('stream_id', 'integer', 'Stream; -1 on child-query rows.'),
    c('segment_id', 'integer', 'Segment; -1 on child-query and stream rows.'),
    c('step_id', 'integer', 'Step; -1 above step level.'),
    c('step_name', 'text', 'aggregate, hash, hashjoin, scan, sort, return, ... (step rows).'),
    c('table_id', 'integer', 'Permanent table the step read or wrote.'),
    c('table_name', 'char(136)', 'Name of that table.'),
    c('is_rrscan', 'char(1)', '`t` when a range-restricted scan was used.'),
    c('start_time', 'timestamp', 'Start (UTC), recorded at segment level.'),
    c('end_time', 'timestamp', 'End (UTC), recorded at segment level.'),
    c('duration', 'bigint', 'Time taken, microseconds, segment level.'),
    c('alert', 'text', 'Alert text (what stl_alert_event_log says on provisioned clusters).'),
    c('input_bytes', 'bigint', 'Bytes the step read.'),
    c('input_rows', 'bigint', 'Rows the step read.'),
    c('output_bytes', 'bigint', 'Bytes the step produced.'),
    c('output_rows', 'bigint', 'Rows the step produced.'),
    c('blocks_read', 'bigint', '1 MB blocks read.'),
    c('blocks_write', 'bigint', '1 MB blocks written.'),
    c('local_read_io', 'bigint', 'Blocks read from the local cache.'),
    c('remote_read_io', 'bigint', 'Blocks read from remote storage.'),
    c('source', 'text', 'Kind of object scanned (scan rows only).'),
    c('data_skewness', 'integer', 'Imbalance of data over slices, 0-100.'),
    c('time_skewness', 'integer', 'Imbalance of time over slices, 0-100.'),
    c('is_active', 'char(1)', '`t` while running, `f` when done.'),
    c('spilled_block_local_disk', 'bigint', '1 MB blocks spilled to local disk.'),
    c('spilled_block_remote_disk', 'bigint', '1 MB blocks spilled to remote storage.'),
    c('step_attribute', 'char(64)', 'Step attribute, e.g. multi-dimensional.'),
    c('metrics_level', 'char(64)', 'Child query, Stream, Segment or Step.'),
    c('plan_parent_id', 'integer', 'Parent plan node (sys_query_explain.plan_node_id).'),
    c('plan_node_id', 'integer', 'Plan node of the row (sys_query_explain.plan_node_id).'),
  ],
};

export const SYS_QUERY_EXPLAIN: SourceView<'sys_query_explain'> = {
  name: 'sys_query_explain',
  description: 'The EXPLAIN plan of statements, one row per plan node and child query.',
  cursor: borrowFromHistory(['query_id']),
  key: ['query_id', 'child_query_sequence', 'plan_node_id'],
  columns: [
    c('user_id', 'integer', 'User that submitted the statement.'),
    c('query_id', 'bigint', 'Statement id.'),
    c('child_query_sequence', 'integer', 'Child query, from 1.'),
    c('plan_node_id', 'integer', 'Plan node id.'),
    c('plan_parent_id', 'integer', 'Plan node id of the parent.'),
    c('plan_node', 'char(400)', 'Node text as EXPLAIN prints it.'),
    c('node_info', 'char(400)', 'Filter or join-condition detail for the node.'),
  ],
};
