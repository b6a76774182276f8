import type { RedshiftType } from './column-types.js';

/** A column of a Redshift system view, declared once; everything else derives from it. */
export interface SourceColumn {
  readonly name: string;
  readonly type: RedshiftType;
  readonly description: string;
  /**
   * Keep CHAR padding. Only the 200-character text chunks keep it: a chunk that is not the last
   * may really end in spaces, and stitching needs them.
   */
  readonly keepPadding?: boolean;
}

/**
 * Which time decides a row's slot and day. `own`: a column of the view. `borrowed`: the view
 * has no completion time of its own, so rows take `stl_query.endtime` of their query (a
 * semi-join, so a reused query id never multiplies rows).
 */
export type Cursor = { readonly kind: 'own'; readonly column: string } | { readonly kind: 'borrowed'; readonly joinOn: readonly string[] };

export interface SourceView {
  readonly name: StlViewName;
  readonly description: string;
  readonly columns: readonly SourceColumn[];
  readonly cursor: Cursor;
  /** Columns that identify a row (documented or, where the docs are silent, our best candidate). */
  readonly key: readonly string[];
}

export const STL_VIEW_NAMES = [
  'stl_query',
  'stl_querytext',
  'stl_wlm_query',
  'stl_scan',
  'stl_explain',
  'stl_ddltext',
  'stl_utilitytext',
  'stl_alert_event_log',
] as const;

export type StlViewName = (typeof STL_VIEW_NAMES)[number];

function c(name: string, type: RedshiftType, description: string, keepPadding = false): SourceColumn {
  return keepPadding ? { name, type, description, keepPadding } : { name, type, description };
}

const textChunkColumns: readonly SourceColumn[] = [
  c('userid', 'integer', 'User that ran the statement.'),
  c('xid', 'bigint', 'Transaction of the statement.'),
  c('pid', 'integer', 'Session process id.'),
  c('label', 'char(320)', 'Query-group label or file name; blank when unset.'),
  c('starttime', 'timestamp', 'Statement start (UTC).'),
  c('endtime', 'timestamp', 'Statement end (UTC).'),
  c('sequence', 'integer', 'Piece number, from 0, when the text exceeds 200 characters.'),
  c('text', 'char(200)', 'One 200-character piece of the SQL text, padding kept (see query_text).', true),
];

export const STL_VIEWS: Readonly<Record<StlViewName, SourceView>> = {
  stl_query: {
    name: 'stl_query',
    description: 'One row per executed query (child-query level).',
    cursor: { kind: 'own', column: 'endtime' },
    key: ['query', 'xid'],
    columns: [
      c('userid', 'integer', 'Database user that issued the query.'),
      c('query', 'integer', 'Query id; the join key into the other STL views.'),
      c('label', 'char(320)', 'Query-group label or script file name; `default` when unset.'),
      c('xid', 'bigint', 'Transaction the query belonged to.'),
      c('pid', 'integer', 'Backend process (session) id.'),
      c('database', 'char(32)', 'Database the session was connected to.'),
      c('querytxt', 'char(4000)', 'SQL text, cut off after 4000 characters.'),
      c('starttime', 'timestamp', 'When the query began (UTC), queue time included.'),
      c('endtime', 'timestamp', 'When the query finished (UTC).'),
      c('aborted', 'integer', '1 = stopped by the system or cancelled; 0 = completed.'),
      c('insert_pristine', 'integer', '1 = writes were blocked while this query ran.'),
      c('concurrency_scaling_status', 'integer', '0 = main cluster, 1 = a concurrency-scaling cluster.'),
    ],
  },
  stl_querytext: {
    name: 'stl_querytext',
    description: 'SQL text of queries in 200-character pieces.',
    cursor: { kind: 'borrowed', joinOn: ['query', 'xid'] },
    key: ['query', 'xid', 'sequence'],
    columns: [
      c('userid', 'integer', 'User that issued the query.'),
      c('xid', 'bigint', 'Transaction the row belongs to.'),
      c('pid', 'integer', 'Session process id.'),
      c('query', 'integer', 'Query id; joins to stl_query.query.'),
      c('sequence', 'integer', 'Piece number within one statement, from 0.'),
      c('text', 'char(200)', 'One 200-character piece of the SQL text, padding kept (see query_text).', true),
    ],
  },
  stl_wlm_query: {
    name: 'stl_wlm_query',
    description: 'One row per attempt to run a query in a WLM service class.',
    cursor: { kind: 'own', column: 'service_class_end_time' },
    key: ['query', 'service_class', 'service_class_start_time'],
    columns: [
      c('userid', 'integer', 'User that issued the query.'),
      c('xid', 'integer', 'Transaction of the query.'),
      c('task', 'integer', 'WLM tracking id; survives a restart.'),
      c('query', 'integer', 'Query id; a restart produces a new one.'),
      c('service_class', 'integer', 'WLM queue id; 5 = superuser, 6 and up = user queues.'),
      c('slot_count', 'integer', 'WLM slots the query held.'),
      c('service_class_start_time', 'timestamp', 'When the query was assigned to the service class (UTC).'),
      c('queue_start_time', 'timestamp', 'When it entered the queue (UTC).'),
      c('queue_end_time', 'timestamp', 'When it left the queue (UTC).'),
      c('total_queue_time', 'bigint', 'Time waiting in the queue, microseconds.'),
      c('exec_start_time', 'timestamp', 'When execution began (UTC).'),
      c('exec_end_time', 'timestamp', 'When execution finished (UTC).'),
      c('total_exec_time', 'bigint', 'Time executing, microseconds.'),
      c('service_class_end_time', 'timestamp', 'When the query left the service class (UTC).'),
      c('final_state', 'char(16)', 'Reserved.'),
      c('est_peak_mem', 'bigint', 'Reserved.'),
      c('query_priority', 'char(20)', 'Priority: n/a, lowest, low, normal, high, highest.'),
      c('service_class_name', 'char(64)', 'Name of the service class.'),
    ],
  },
  stl_scan: {
    name: 'stl_scan',
    description: 'Table-scan steps, one row per scan step per slice.',
    cursor: { kind: 'own', column: 'endtime' },
    key: ['query', 'slice', 'segment', 'step', 'tasknum', 'starttime'],
    columns: [
      c('userid', 'integer', 'User that issued the query.'),
      c('query', 'integer', 'Query id.'),
      c('slice', 'integer', 'Slice that ran the step.'),
      c('segment', 'integer', 'Segment number within the query.'),
      c('step', 'integer', 'Step number (0 for a scan).'),
      c('starttime', 'timestamp', 'Step start (UTC).'),
      c('endtime', 'timestamp', 'Step end (UTC).'),
      c('tasknum', 'integer', 'Query task process assigned to the step.'),
      c('rows', 'bigint', 'Rows the step processed, after filters.'),
      c('bytes', 'bigint', 'Bytes of all rows the step emitted.'),
      c('fetches', 'bigint', 'Internal use.'),
      c('type', 'integer', 'Scan-type code (2 = permanent user table, 29 = S3 external table, ...).'),
      c('tbl', 'integer', 'Id of the scanned table.'),
      c('is_rrscan', 'char(1)', '`t` when a range-restricted (zone-map) scan was used.'),
      c('is_delayed_scan', 'char(1)', 'Internal use.'),
      c('rows_pre_filter', 'bigint', 'Rows before ghost-row removal and user predicates.'),
      c('rows_pre_user_filter', 'bigint', 'Rows after ghost-row removal, before user predicates.'),
      c('perm_table_name', 'char(136)', 'Name of the scanned permanent table.'),
      c('is_rlf_scan', 'char(1)', '`t` when row-level filtering was applied.'),
      c('is_rlf_scan_reason', 'integer', 'Internal use.'),
      c('num_em_blocks', 'integer', 'Internal use.'),
      c('checksum', 'bigint', 'Internal use.'),
      c('runtime_filtering', 'char(1)', '`t` when runtime filters were applied.'),
      c('scan_region', 'integer', 'Internal use.'),
      c('num_sortkey_as_predicate', 'integer', 'Internal use.'),
      c('row_fetcher_state', 'integer', 'Internal use.'),
      c('consumed_scan_ranges', 'bigint', 'Internal use.'),
      c('work_stealing_reason', 'bigint', 'Internal use.'),
      c('is_vectorized_scan', 'char(1)', 'Internal use.'),
      c('is_vectorized_scan_reason', 'integer', 'Internal use.'),
      c('row_fetcher_reason', 'bigint', 'Internal use.'),
      c('topology_signature', 'bigint', 'Internal use.'),
      c('use_tpm_partition', 'char(1)', 'Internal use.'),
      c('is_rrscan_expr', 'char(1)', 'Internal use.'),
      c('scanned_mega_value', 'char(1)', 'Internal use; a scan that read a value larger than one block.'),
    ],
  },
  stl_explain: {
    name: 'stl_explain',
    description: 'The EXPLAIN plan of submitted queries, one row per plan node.',
    cursor: { kind: 'borrowed', joinOn: ['query'] },
    key: ['query', 'nodeid'],
    columns: [
      c('userid', 'integer', 'User that issued the query.'),
      c('query', 'integer', 'Query id.'),
      c('nodeid', 'integer', 'Plan node id.'),
      c('parentid', 'integer', 'Plan node id of the parent; 0 at the root.'),
      c('plannode', 'char(400)', 'Node text as EXPLAIN prints it.'),
      c('info', 'char(400)', 'Filter or join-condition detail for the node.'),
    ],
  },
  stl_ddltext: {
    name: 'stl_ddltext',
    description: 'DDL statements (CREATE/DROP/ALTER) in 200-character pieces.',
    cursor: { kind: 'own', column: 'endtime' },
    key: ['xid', 'pid', 'starttime', 'sequence'],
    columns: textChunkColumns,
  },
  stl_utilitytext: {
    name: 'stl_utilitytext',
    description: 'Utility commands (GRANT, SET, TRUNCATE, ...) in 200-character pieces.',
    cursor: { kind: 'own', column: 'endtime' },
    key: ['xid', 'pid', 'starttime', 'sequence'],
    columns: textChunkColumns,
  },
  stl_alert_event_log: {
    name: 'stl_alert_event_log',
    description: 'Optimizer alerts for possible performance problems.',
    cursor: { kind: 'borrowed', joinOn: ['query', 'xid'] },
    key: ['query', 'slice', 'segment', 'step', 'event'],
    columns: [
      c('userid', 'integer', 'User that issued the query.'),
      c('query', 'integer', 'Query id.'),
      c('slice', 'integer', 'Slice where the condition was seen.'),
      c('segment', 'integer', 'Segment number.'),
      c('step', 'integer', 'Step number.'),
      c('pid', 'integer', 'Process id for the statement and slice.'),
      c('xid', 'bigint', 'Transaction the row belongs to.'),
      c('event', 'char(1024)', 'What the alert is about.'),
      c('solution', 'char(1024)', 'Suggested fix.'),
      c('event_time', 'timestamp', "The query's start time (UTC), not the alert's."),
    ],
  },
};
