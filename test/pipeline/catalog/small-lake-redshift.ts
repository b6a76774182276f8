import { queryTextRow } from '../../../pipeline/redshift/query-text-rows.js';
import { type Row, plusSeconds, SMALL_LAKE, ts } from './small-lake-facts.js';

/**
 * The slowest statement spilled (stl_query_metrics) and tripped a monitoring rule; a COPY with bad
 * records; failed logins from one host, a login and a user change (the provisioned-only views).
 */
function addSpillAndLogs(rows: Map<string, Row[]>, add: (table: string, row: Row) => void, exportedAt: string): void {
  const day2 = SMALL_LAKE.days[1];
  const slowest = rows.get('stl_query')?.find((row) => row.query === SMALL_LAKE.slowest.query);
  const base = { cluster: SMALL_LAKE.slowest.cluster, day: day2, exported_at: exportedAt };
  const metrics = (segment: number, blocks: number): Row => ({
    ...base,
    userid: 100,
    service_class: 6,
    query: SMALL_LAKE.slowest.query,
    segment,
    step_type: -1,
    starttime: slowest?.starttime ?? null,
    slices: 2,
    rows: 1_000_000,
    blocks_to_disk: blocks,
    step: -1,
    query_queue_time: 1_000_000,
    service_class_name: 'etl queue',
  });
  // The query-level row holds the query's spill; its segment row repeats it where it happened.
  add('stl_query_metrics', metrics(-1, SMALL_LAKE.spill.stlBlocks));
  add('stl_query_metrics', metrics(0, SMALL_LAKE.spill.stlBlocks));
  add('stl_wlm_rule_action', {
    ...base,
    userid: 100,
    query: SMALL_LAKE.slowest.query,
    service_class: 6,
    rule: 'spill_to_disk',
    action: 'log',
    recordtime: ts(day2, 15, 5),
    action_value: '',
    service_class_name: 'etl queue',
  });
  const copy = SMALL_LAKE.copy;
  const alpha = { cluster: copy.cluster, day: day2, exported_at: exportedAt };
  for (const line of [17, 230].slice(0, copy.errors)) {
    add('stl_load_errors', {
      ...alpha,
      userid: 100,
      slice: 1,
      tbl: 100_777,
      starttime: ts(day2, 18),
      session: 4600,
      query: copy.query,
      filename: 's3://landing/orders/part-0001.gz',
      line_number: line,
      colname: 'amount',
      type: 'numeric',
      position: 0,
      err_code: 1207,
      err_reason: "Invalid digit, Value 'x', Pos 0, Type: Decimal",
    });
  }
  const failed = SMALL_LAKE.failedLogins.stl;
  for (let n = 0; n < failed.failures; n += 1) {
    add('stl_connection_log', {
      ...alpha,
      event: 'authentication failure',
      recordtime: ts(day2, 3, n),
      remotehost: failed.host,
      username: failed.user,
    });
  }
  add('stl_connection_log', { ...alpha, event: 'authenticated', recordtime: ts(day2, 8), remotehost: '10.0.3.20', username: 'analyst' });
  add('stl_userlog', { ...alpha, userid: 150, username: 'tmp_audit', action: 'Create', xid: 90_100, recordtime: ts(day2, 9) });
}

/**
 * The rows of every Redshift table, by table name. Partition values are fields of each row.
 * query_text rows come from the exporter's own row builder, so they hold the registry's columns.
 */
export function redshiftRows(): Map<string, Row[]> {
  const rows = new Map<string, Row[]>();
  const add = (table: string, row: Row) => rows.set(table, [...(rows.get(table) ?? []), row]);
  const exportedAt = '2024-03-06 00:05:00';
  let xid = 50_000;
  for (const [clusterIndex, cluster] of SMALL_LAKE.clusters.entries()) {
    for (const day of SMALL_LAKE.days) {
      for (let hour = 8; hour < 12; hour += 1) {
        for (let n = 0; n < 3; n += 1) {
          const query = (clusterIndex + 1) * 1000 + (day === SMALL_LAKE.days[0] ? 0 : 100) + (hour - 8) * 3 + n + 10;
          addQuery(cluster, day, query, ts(day, hour, n * 10), 2 + n, `SELECT count(*) FROM sales WHERE saletime > '2024-0${n + 1}-01'`, 0);
        }
      }
    }
  }
  function addQuery(cluster: string, day: string, query: number, start: string, seconds: number, text: string, aborted: number): void {
    xid += 1;
    const end = plusSeconds(start, seconds);
    const base = { cluster, day, exported_at: exportedAt };
    add('stl_query', {
      ...base,
      userid: 100,
      query,
      label: 'default',
      xid,
      pid: 4000 + (query % 100),
      database: 'dev',
      querytxt: text.slice(0, 4000),
      starttime: start,
      endtime: end,
      aborted,
      insert_pristine: 0,
      concurrency_scaling_status: 0,
    });
    add('stl_querytext', { ...base, userid: 100, xid, pid: 4000, query, sequence: 0, text: text.padEnd(200, ' ').slice(0, 200) });
    const first = { query, xid, pid: 4000, userid: 100, starttime: start, endtime: end };
    add('query_text', { ...base, ...queryTextRow('query', { first, chunks: [text] }) });
    add('stl_wlm_query', {
      ...base,
      userid: 100,
      xid,
      task: query,
      query,
      service_class: 6,
      slot_count: 1,
      service_class_start_time: start,
      queue_start_time: start,
      queue_end_time: plusSeconds(start, 1),
      total_queue_time: 1_000_000 + (query % 7) * 250_000,
      exec_start_time: plusSeconds(start, 1),
      exec_end_time: end,
      total_exec_time: (seconds - 1) * 1_000_000,
      service_class_end_time: end,
      final_state: 'Completed',
      est_peak_mem: 1024,
      query_priority: 'normal',
      service_class_name: 'etl queue',
    });
    add('stl_scan', scanRow(base, query, 0, 'sales', start, end));
    add('stl_explain', {
      ...base,
      userid: 100,
      query,
      nodeid: 1,
      parentid: 0,
      plannode: 'XN Aggregate  (cost=10.00..10.01 rows=1 width=0)',
      info: '',
    });
  }
  function scanRow(base: Row, query: number, segment: number, table: string, start: string, end: string): Row {
    return {
      ...base,
      userid: 100,
      query,
      slice: 0,
      segment,
      step: 0,
      starttime: start,
      endtime: end,
      tasknum: 1,
      rows: 1000,
      bytes: 64_000,
      fetches: 0,
      type: 2,
      tbl: 100_000 + table.length,
      is_rrscan: 'f',
      is_delayed_scan: 'f',
      rows_pre_filter: 1000,
      rows_pre_user_filter: 1000,
      perm_table_name: table,
      is_rlf_scan: 'f',
      is_rlf_scan_reason: 0,
      num_em_blocks: 0,
      checksum: 0,
      runtime_filtering: 'f',
      scan_region: 0,
      num_sortkey_as_predicate: 0,
      row_fetcher_state: 0,
      consumed_scan_ranges: 0,
      work_stealing_reason: 0,
      is_vectorized_scan: 't',
      is_vectorized_scan_reason: 0,
      row_fetcher_reason: 0,
      topology_signature: 0,
      use_tpm_partition: 'f',
      is_rrscan_expr: 'f',
      scanned_mega_value: 'f',
    };
  }

  // A nested-loop join on alpha: plan node and alert.
  const day1 = SMALL_LAKE.days[0];
  const day2 = SMALL_LAKE.days[1];
  const nested = SMALL_LAKE.nestedLoop;
  addQuery(nested.cluster, day1, nested.query, ts(day1, 13), 95, 'SELECT * FROM event e, venue v', 0);
  const nestedBase = { cluster: nested.cluster, day: day1, exported_at: exportedAt };
  add('stl_explain', {
    ...nestedBase,
    userid: 100,
    query: nested.query,
    nodeid: 2,
    parentid: 1,
    plannode: 'XN Nested Loop DS_BCAST_INNER  (cost=0.00..1000.00 rows=100 width=200)',
    info: '',
  });
  add(
    'stl_alert_event_log',
    alert(nestedBase, nested.query, 1, 'Nested Loop Join in the query plan', 'Review the join predicates to avoid Cartesian products'),
  );

  // Missing statistics: named by the plan on alpha, and through an alert on a scan of venue on beta.
  addQuery('alpha', day2, 1_500, ts(day2, 14), 12, 'SELECT eventname, sum(pricepaid) FROM sales JOIN event USING (eventid) GROUP BY 1', 0);
  add('stl_explain', {
    cluster: 'alpha',
    day: day2,
    exported_at: exportedAt,
    userid: 100,
    query: 1_500,
    nodeid: 0,
    parentid: 0,
    plannode: '----- Tables missing statistics: event, sales -----',
    info: '',
  });
  addQuery('beta', day2, 2_500, ts(day2, 14, 30), 8, 'SELECT venuename FROM venue WHERE venueseats > 1000', 0);
  const betaBase = { cluster: 'beta', day: day2, exported_at: exportedAt };
  add('stl_scan', scanRow(betaBase, 2_500, 1, 'venue', ts(day2, 14, 30), ts(day2, 14, 30, 8)));
  add('stl_alert_event_log', { ...alert(betaBase, 2_500, 1, 'Missing query planner statistics', 'Run the ANALYZE command') });

  // The slowest statement, and an aborted one, on beta.
  addQuery(SMALL_LAKE.slowest.cluster, day2, SMALL_LAKE.slowest.query, ts(day2, 15), 600, SMALL_LAKE.slowest.text, 0);
  addQuery(SMALL_LAKE.aborted.cluster, day2, SMALL_LAKE.aborted.query, ts(day2, 16), 30, 'DELETE FROM sales WHERE saletime < 2008', 1);
  const copyText = "COPY staging.orders FROM 's3://landing/orders/' IAM_ROLE 'arn:aws:iam::012345678901:role/load' MAXERROR 10";
  addQuery(SMALL_LAKE.copy.cluster, day2, SMALL_LAKE.copy.query, ts(day2, 18), 20, copyText, 0);
  addSpillAndLogs(rows, add, exportedAt);

  // DDL, stitched in query_text and raw in stl_ddltext; a utility statement.
  const ddlStart = ts(day2, 17);
  const ddlRow = {
    cluster: 'alpha',
    day: day2,
    exported_at: exportedAt,
    userid: 100,
    xid: 90_001,
    pid: 4321,
    label: '',
    starttime: ddlStart,
    endtime: plusSeconds(ddlStart, 1),
    sequence: 0,
  };
  add('stl_ddltext', { ...ddlRow, text: SMALL_LAKE.ddl.padEnd(200, ' ') });
  add('stl_utilitytext', { ...ddlRow, xid: 90_002, text: 'ANALYZE sales'.padEnd(200, ' ') });
  const ddlFirst = { xid: 90_001, pid: 4321, userid: 100, starttime: ddlStart, endtime: plusSeconds(ddlStart, 1) };
  add('query_text', {
    cluster: 'alpha',
    day: day2,
    exported_at: exportedAt,
    ...queryTextRow('ddl', { first: ddlFirst, chunks: [SMALL_LAKE.ddl] }),
  });
  function alert(base: Row, query: number, segment: number, event: string, solution: string): Row {
    return {
      ...base,
      userid: 100,
      query,
      slice: 0,
      segment,
      step: 0,
      pid: 4000,
      xid: 1,
      event,
      solution,
      event_time: ts(String(base.day), 13),
    };
  }
  return rows;
}
