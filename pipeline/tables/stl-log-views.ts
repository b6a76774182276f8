import { column as c, type SourceView } from './source-view.js';

/**
 * The provisioned-only views about spill and sizing, connections, users, load errors and query
 * monitoring rules (`reference/redshift-sys-and-more-views.md` §2), with every documented column.
 *
 * Spill comes from `stl_query_metrics`, not `svl_query_metrics_summary` (DESIGN.md §3): every
 * column of `stl_query_metrics` is documented with a type the lake keeps exactly, while the
 * summary's CPU and skew columns are `numeric(38,2)` and the types of its last seven columns are
 * not documented; its query-level row (segment and step_type -1) holds the same spill,
 * `blocks_to_disk`, and the segment and step rows say where it happened.
 */

export const STL_QUERY_METRICS: SourceView<'stl_query_metrics'> = {
  name: 'stl_query_metrics',
  description: 'CPU, I/O, rows and disk spill of queries in user-defined WLM queues, per query, segment and step.',
  cursor: { kind: 'borrowed', from: 'stl_query', joinOn: ['query'] },
  key: ['query', 'service_class', 'segment', 'step_type', 'step'],
  columns: [
    c('userid', 'integer', 'User that ran the query.'),
    c('service_class', 'integer', 'WLM queue (user-defined queues only).'),
    c('query', 'integer', 'Query id.'),
    c('segment', 'integer', 'Segment; -1 on the row rolled up to the query.'),
    c('step_type', 'integer', 'Step type; -1 on rows that are not step rows.'),
    c('starttime', 'timestamp', 'When the query started (UTC).'),
    c('slices', 'integer', 'Slices of the cluster.'),
    c('max_rows', 'bigint', 'Most rows a step emitted.'),
    c('rows', 'bigint', 'Rows processed.'),
    c('max_cpu_time', 'bigint', 'Most CPU time of a slice, microseconds.'),
    c('cpu_time', 'bigint', 'CPU time, microseconds.'),
    c('max_blocks_read', 'integer', 'Most 1 MB blocks a slice read.'),
    c('blocks_read', 'bigint', '1 MB blocks read.'),
    c('max_run_time', 'bigint', 'Longest run time of a slice, microseconds.'),
    c('run_time', 'bigint', 'Run time summed over slices, microseconds.'),
    c('max_blocks_to_disk', 'bigint', 'Most 1 MB blocks a slice spilled to disk.'),
    c('blocks_to_disk', 'bigint', '1 MB blocks spilled to disk (intermediate results that did not fit in memory).'),
    c('step', 'integer', 'Step; -1 on rows that are not step rows.'),
    c('max_query_scan_size', 'bigint', 'Most MB a slice scanned.'),
    c('query_scan_size', 'bigint', 'MB scanned.'),
    c('query_priority', 'integer', 'Priority: -1 unsupported, 0 lowest to 4 highest.'),
    c('query_queue_time', 'bigint', 'Time queued, microseconds.'),
    c('service_class_name', 'char(64)', 'Name of the WLM queue.'),
  ],
};

export const STL_CONNECTION_LOG: SourceView<'stl_connection_log'> = {
  name: 'stl_connection_log',
  description: 'Authentication attempts, connections and disconnections (superuser-only view).',
  cursor: { kind: 'own', column: 'recordtime' },
  key: ['recordtime', 'pid', 'event', 'remotehost', 'remoteport'],
  columns: [
    c('event', 'char(50)', 'authenticated, authentication failure, initiating session, disconnecting session, ...'),
    c('recordtime', 'timestamp', 'When the event happened (UTC); decides the slot and day.'),
    c('remotehost', 'char(45)', 'Client host or address (`[local]` for internal connections).'),
    c('remoteport', 'char(32)', 'Client port.'),
    c('pid', 'integer', 'Session process (reused over time).'),
    c('dbname', 'char(50)', 'Database.'),
    c('username', 'char(50)', 'User.'),
    c('authmethod', 'char(32)', 'Authentication method.'),
    c('duration', 'integer', 'Length of the connection, microseconds (disconnections).'),
    c('sslversion', 'char(50)', 'SSL version; empty without SSL.'),
    c('sslcipher', 'char(128)', 'SSL cipher.'),
    c('mtu', 'integer', 'Maximum transmission unit.'),
    c('sslcompression', 'char(64)', 'SSL compression.'),
    c('sslexpansion', 'char(64)', 'SSL expansion.'),
    c('iamauthguid', 'char(36)', 'IAM authentication id (also in CloudTrail).'),
    c('application_name', 'char(250)', 'Application name of the session.'),
    c('os_version', 'char(64)', 'Client operating system.'),
    c('driver_version', 'char(64)', 'Client driver version.'),
    c('plugin_name', 'char(32)', 'Authentication plugin.'),
    c('protocol_version', 'integer', '0 base, 1 extended metadata, 2 binary, 3 collation metadata.'),
  ],
};

export const STL_USERLOG: SourceView<'stl_userlog'> = {
  name: 'stl_userlog',
  description: 'Database users created, altered, renamed or dropped (superuser-only view).',
  cursor: { kind: 'own', column: 'recordtime' },
  key: ['xid', 'userid', 'action', 'recordtime'],
  columns: [
    c('userid', 'integer', 'User affected.'),
    c('username', 'char(50)', 'Name of the user affected.'),
    c('oldusername', 'char(50)', 'Previous name on a rename; else empty.'),
    c('action', 'char(10)', 'Alter, Create, Drop or Rename.'),
    c('usecreatedb', 'integer', '1 = may create databases.'),
    c('usesuper', 'integer', '1 = superuser.'),
    c('usecatupd', 'integer', '1 = may update system catalogs.'),
    c('valuntil', 'timestamp', 'VALID UNTIL of the password.'),
    c('pid', 'integer', 'Session process.'),
    c('xid', 'bigint', 'Transaction.'),
    c('recordtime', 'timestamp', 'When the statement began (UTC); decides the slot and day.'),
  ],
};

export const STL_LOAD_ERRORS: SourceView<'stl_load_errors'> = {
  name: 'stl_load_errors',
  description: 'Records a COPY could not load, one row per record in error, exported with their COPY.',
  // The rows are written while the COPY runs and carry its start only: they take the COPY's completion time.
  cursor: { kind: 'borrowed', from: 'stl_query', joinOn: ['query'] },
  key: ['query', 'slice', 'filename', 'line_number', 'colname', 'position'],
  columns: [
    c('userid', 'integer', 'User that ran the COPY.'),
    c('slice', 'integer', 'Slice where the error happened.'),
    c('tbl', 'integer', 'Target table id.'),
    c('starttime', 'timestamp', 'When the COPY began (UTC).'),
    c('session', 'integer', 'Session process of the COPY.'),
    c('query', 'integer', 'Query id of the COPY (STL numbering).'),
    c('filename', 'char(256)', 'Input file of the record.'),
    c('line_number', 'bigint', 'Line of the record; -1 when unknown in a split file.'),
    c('colname', 'char(127)', 'Field in error.'),
    c('type', 'char(10)', 'Type of the field.'),
    c('col_length', 'char(10)', 'Declared length of the field, if any.'),
    c('position', 'integer', 'Offset of the error in the field.'),
    c('raw_line', 'char(1024)', 'The record as read; characters that are not single-byte become `.`.'),
    c('raw_field_value', 'char(1024)', 'The value of the field before parsing.'),
    c('err_code', 'integer', 'Error code.'),
    c('err_reason', 'char(100)', 'What was wrong.'),
    c('is_partial', 'integer', '1 = the input file was split into ranges.'),
    c('start_offset', 'bigint', 'Offset of the range in a split file, bytes; 0 if not split.'),
    c('copy_job_id', 'bigint', 'COPY JOB id; 0 when none.'),
  ],
};

export const STL_WLM_RULE_ACTION: SourceView<'stl_wlm_rule_action'> = {
  name: 'stl_wlm_rule_action',
  description: 'Actions taken by query monitoring rules (log, hop, abort, change priority), one row per query and rule.',
  cursor: { kind: 'own', column: 'recordtime' },
  key: ['query', 'service_class', 'rule', 'recordtime'],
  columns: [
    c('userid', 'integer', 'User that ran the query.'),
    c('query', 'integer', 'Query id.'),
    c('service_class', 'integer', 'WLM queue; above 5 for user-defined queues.'),
    c('rule', 'char(256)', 'Name of the rule.'),
    c('action', 'char(256)', 'log, hop(reassign), hop(restart), abort, change_query_priority or none.'),
    c('recordtime', 'timestamp', 'When the action was logged (UTC); decides the slot and day.'),
    c('action_value', 'char(256)', 'New priority for change_query_priority; else empty.'),
    c('service_class_name', 'char(64)', 'Name of the WLM queue.'),
  ],
};
