import { queryTextRow } from '../../../pipeline/redshift/query-text-rows.js';
import { type Row, plusSeconds, SMALL_LAKE, ts } from './small-lake-facts.js';

/**
 * The rows of the SYS tables in the small lake: a Serverless workgroup with a few statements on
 * each day (one failed), their text, plan and step metrics, a load with a bad record, an unload,
 * a connection, a user change and the usage of the minutes they ran in. Columns left out are NULL,
 * as the writer writes them.
 */
export function sysRows(): Map<string, Row[]> {
  const rows = new Map<string, Row[]>();
  const add = (table: string, row: Row) => rows.set(table, [...(rows.get(table) ?? []), row]);
  const cluster = SMALL_LAKE.workgroup;
  const exportedAt = '2024-03-06 00:05:00';
  let transaction = 70_000;
  const statement = (day: string, queryId: number, start: string, seconds: number, text: string, status: string, type: string) => {
    transaction += 1;
    const end = plusSeconds(start, seconds);
    const base = { cluster, day, exported_at: exportedAt };
    const ids = { user_id: 120, query_id: queryId, transaction_id: transaction, session_id: 5000 + (queryId % 100) };
    add('sys_query_history', {
      ...base,
      ...ids,
      query_label: 'default',
      database_name: 'dev',
      query_type: type,
      status,
      result_cache_hit: false,
      start_time: start,
      end_time: end,
      elapsed_time: seconds * 1_000_000,
      queue_time: 0,
      execution_time: seconds * 1_000_000,
      error_message: status === 'success' ? '' : 'Query cancelled on user request',
      returned_rows: 10,
      query_text: text,
      service_class_id: -1,
      username: 'analyst',
    });
    add('sys_query_text', { ...base, ...ids, start_time: start, sequence: 0, text: text.padEnd(4000, ' ') });
    const first = { query_id: queryId, xid: transaction, pid: ids.session_id, userid: 120, starttime: start, endtime: end };
    add('query_text', { ...base, ...queryTextRow(type === 'DDL' ? 'ddl' : 'query', { first, chunks: [text] }, 'sys') });
    return { base, ids, start, end };
  };

  const [day1, day2] = SMALL_LAKE.days;
  statement(day1, 9_001, ts(day1, 9, 5), 4, 'SELECT count(*) FROM sales', 'success', 'SELECT');
  statement(day1, 9_002, ts(day1, 9, 20), 2, 'SELECT count(*) FROM sales', 'success', 'SELECT');
  statement(day1, 9_003, ts(day1, 9, 40), 30, 'SELECT * FROM event e, venue v', 'canceled', 'SELECT');
  const load = statement(day2, 9_101, ts(day2, 10, 0), 20, "COPY staging.sales FROM 's3://landing/sales/'", 'success', 'COPY');
  const unload = statement(day2, 9_102, ts(day2, 10, 30), 12, "UNLOAD ('SELECT 1') TO 's3://exports/x/'", 'success', 'UNLOAD');

  const scanned = statement(day2, 9_103, ts(day2, 11, 0), 8, 'SELECT venuename FROM venue', 'success', 'SELECT');
  // The count of sales got slower on the second day (the regression), and one run spilled to disk.
  statement(day2, 9_104, ts(day2, 12, 0), 12, 'SELECT count(*) FROM sales', 'success', 'SELECT');
  // It overlaps the run before: two statements at once on the workgroup (peak concurrency).
  const spilled = statement(day2, 9_105, ts(day2, 12, 0, 5), 10, 'SELECT count(*) FROM sales', 'success', 'SELECT');
  add('sys_query_detail', {
    ...spilled.base,
    user_id: 120,
    query_id: 9_105,
    child_query_sequence: 1,
    stream_id: -1,
    segment_id: -1,
    step_id: -1,
    start_time: spilled.start,
    end_time: spilled.end,
    duration: 10_000_000,
    alert: '',
    spilled_block_local_disk: SMALL_LAKE.spill.sysBlocks - 20,
    spilled_block_remote_disk: 20,
    metrics_level: 'Child query',
  });
  add('sys_query_explain', {
    ...scanned.base,
    user_id: 120,
    query_id: 9_103,
    child_query_sequence: 1,
    plan_node_id: 1,
    plan_parent_id: 0,
    plan_node: 'XN Seq Scan on venue',
    node_info: '',
  });
  add('sys_query_detail', {
    ...scanned.base,
    user_id: 120,
    query_id: 9_103,
    child_query_sequence: 1,
    stream_id: 0,
    segment_id: 0,
    step_id: 0,
    step_name: 'scan',
    table_id: 100_005,
    table_name: 'venue',
    start_time: scanned.start,
    end_time: scanned.end,
    duration: 8_000_000,
    alert: 'Missing query planner statistics',
    output_rows: 1000,
    spilled_block_local_disk: 0,
    metrics_level: 'Step',
  });
  add('sys_load_history', {
    ...load.base,
    ...load.ids,
    database_name: 'dev',
    status: 'completed',
    table_name: 'staging.sales',
    start_time: load.start,
    end_time: load.end,
    loaded_rows: 999,
    error_count: 1,
  });
  add('sys_load_error_detail', {
    ...load.base,
    ...load.ids,
    table_id: 100_001,
    start_time: load.start,
    file_name: 's3://landing/sales/part-0000.gz',
    line_number: 42,
    column_name: 'pricepaid',
    error_code: 1207,
    error_message: "Invalid digit, Value 'x', Pos 0, Type: Decimal",
  });
  add('sys_unload_history', {
    ...unload.base,
    ...unload.ids,
    status: 'completed',
    start_time: unload.start,
    end_time: unload.end,
    unloaded_location: 's3://exports/x/',
    unloaded_rows: 1,
  });
  const base2 = { cluster, day: day2, exported_at: exportedAt };
  add('sys_connection_log', { ...base2, event: 'authentication failure', record_time: ts(day2, 10, 1), remote_host: '198.51.100.23' });
  add('sys_userlog', { ...base2, user_id: 130, user_name: 'etl_svc', action: 'alter', record_time: ts(day2, 10, 2), transaction_id: 1 });
  // Minutes billed: the COPY's, the two counts', and one with no statement (a minimum charge).
  for (const [hour, charged] of [
    [10, 160],
    [12, 120],
    [13, 60],
  ] as const) {
    add('sys_serverless_usage', {
      ...base2,
      start_time: ts(day2, hour, 0),
      end_time: ts(day2, hour, 1),
      compute_seconds: charged,
      compute_capacity: 8,
      charged_seconds: charged,
    });
  }
  return rows;
}
