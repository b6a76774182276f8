import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import { fingerprint, normalizeStatement, sha256Hex } from '../../../pipeline/redshift/fingerprint.js';
import { ParquetWriter, type LakeRow, type LakeValue } from '../../../pipeline/lake/parquet-writer.js';
import type { LakeTable } from '../../../pipeline/tables/lake-table.js';
import { lakeTable } from '../../../pipeline/tables/registry.js';

/**
 * A small lake written the way the exporter and the CloudTrail ingester write theirs (the
 * registry's columns and types, zstd Parquet through the same writer, hive folders), with a few
 * rows chosen so that every question of `queries/` has an answer that a test can check.
 */
export const SMALL_LAKE = {
  clusters: ['alpha', 'beta'],
  days: ['2024-03-04', '2024-03-05'],
  account: '012345678901',
  region: 'eu-west-1',
  /** The query with a nested-loop join (plan node and alert). */
  nestedLoop: { cluster: 'alpha', query: 1_003 },
  /** The slowest statement: 600 s on beta. */
  slowest: { cluster: 'beta', query: 2_004, text: 'SELECT s.* FROM sales s JOIN listing l ON s.listid = l.listid WHERE s.qtysold > 4' },
  aborted: { cluster: 'beta', query: 2_005 },
  /** Named in "Tables missing statistics" of the plan, and by a missing-statistics alert on a scan of venue. */
  missingStatistics: ['event', 'sales', 'venue'],
  ddl: 'CREATE TABLE public.sales_copy (id integer, amount double precision)',
  consoleWithoutMfa: { user: 'arn:aws:iam::012345678901:user/mallory', ip: '203.0.113.7' },
  rootEventName: 'DeleteTrail',
  deniedPrincipal: 'arn:aws:iam::012345678901:user/probe',
  redshiftChange: { eventName: 'ModifyCluster', cluster: 'alpha' },
  duplicateEventId: 'dup-0000-0000-0000-000000000001',
} as const;

type Row = Record<string, LakeValue>;

function ts(day: string, hour: number, minute = 0, second = 0): string {
  return `${day} ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}`;
}

function plusSeconds(timestamp: string, seconds: number): string {
  return new Date(Date.parse(`${timestamp.replace(' ', 'T')}Z`) + seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** The rows of every Redshift table, by table name. Partition values are fields of each row. */
function redshiftRows(): Map<string, Row[]> {
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
    add('query_text', {
      ...base,
      statement_kind: 'query',
      query,
      xid,
      pid: 4000,
      userid: 100,
      starttime: start,
      endtime: end,
      chunks: 1,
      text,
      text_length: text.length,
      sha256: sha256Hex(text),
      fingerprint: fingerprint(text),
      normalized_text: normalizeStatement(text),
    });
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
  add('query_text', {
    cluster: 'alpha',
    day: day2,
    exported_at: exportedAt,
    statement_kind: 'ddl',
    query: null,
    xid: 90_001,
    pid: 4321,
    userid: 100,
    starttime: ddlStart,
    endtime: plusSeconds(ddlStart, 1),
    chunks: 1,
    text: SMALL_LAKE.ddl,
    text_length: SMALL_LAKE.ddl.length,
    sha256: sha256Hex(SMALL_LAKE.ddl),
    fingerprint: fingerprint(SMALL_LAKE.ddl),
    normalized_text: normalizeStatement(SMALL_LAKE.ddl),
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

function cloudTrailRows(): Map<string, Row[]> {
  const { account, region } = SMALL_LAKE;
  const events: Row[] = [];
  let n = 0;
  const event = (day: string, hour: number, fields: Row): void => {
    n += 1;
    events.push({
      account,
      region,
      day,
      eventversion: '1.08',
      eventtime: ts(day, hour, n % 60),
      eventsource: 'ec2.amazonaws.com',
      eventname: 'DescribeInstances',
      awsregion: region,
      sourceipaddress: '198.51.100.10',
      useragent: 'aws-cli/2.15.0',
      eventid: `evt-${String(n).padStart(6, '0')}`,
      eventtype: 'AwsApiCall',
      managementevent: true,
      readonly: true,
      recipientaccountid: account,
      eventcategory: 'Management',
      useridentity_type: 'AssumedRole',
      useridentity_arn: `arn:aws:sts::${account}:assumed-role/app/i-0abc`,
      useridentity_principalid: 'AROAEXAMPLE:i-0abc',
      useridentity_accountid: account,
      source_key: `AWSLogs/${account}/CloudTrail/${region}/${day.replaceAll('-', '/')}/${account}_CloudTrail_${region}_${day.replaceAll('-', '')}T${String(hour).padStart(2, '0')}00Z_a.json.gz`,
      ...fields,
    });
  };
  for (const day of SMALL_LAKE.days) {
    for (let hour = 0; hour < 24; hour += 3) {
      event(day, hour, {});
      event(day, hour, {
        useridentity_type: 'AWSService',
        useridentity_arn: null,
        useridentity_invokedby: 'ec2.amazonaws.com',
        sourceipaddress: 'ec2.amazonaws.com',
        eventtype: 'AwsServiceEvent',
      });
    }
  }
  const [day1, day2] = SMALL_LAKE.days;
  const mallory = SMALL_LAKE.consoleWithoutMfa;
  event(day1, 9, {
    eventsource: 'signin.amazonaws.com',
    eventname: 'ConsoleLogin',
    eventtype: 'AwsConsoleSignIn',
    readonly: false,
    useridentity_type: 'IAMUser',
    useridentity_arn: mallory.user,
    useridentity_username: 'mallory',
    sourceipaddress: mallory.ip,
    responseelements: '{"ConsoleLogin":"Success"}',
    additionaleventdata: '{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"No"}',
  });
  event(day1, 10, {
    eventsource: 'signin.amazonaws.com',
    eventname: 'ConsoleLogin',
    eventtype: 'AwsConsoleSignIn',
    readonly: false,
    useridentity_type: 'IAMUser',
    useridentity_arn: `arn:aws:iam::${account}:user/alice`,
    useridentity_username: 'alice',
    responseelements: '{"ConsoleLogin":"Success"}',
    additionaleventdata: '{"MFAUsed":"Yes"}',
  });
  event(day1, 11, {
    eventsource: 'cloudtrail.amazonaws.com',
    eventname: SMALL_LAKE.rootEventName,
    readonly: false,
    useridentity_type: 'Root',
    useridentity_arn: `arn:aws:iam::${account}:root`,
    sourceipaddress: '192.0.2.44',
  });
  for (let i = 0; i < 4; i += 1) {
    event(day2, 2, {
      eventsource: 's3.amazonaws.com',
      eventname: 'GetObject',
      useridentity_type: 'IAMUser',
      useridentity_arn: SMALL_LAKE.deniedPrincipal,
      sourceipaddress: '203.0.113.99',
      errorcode: 'AccessDenied',
      errormessage: 'Access Denied',
    });
  }
  event(day2, 3, {
    eventsource: 'iam.amazonaws.com',
    eventname: 'ListRoles',
    useridentity_type: 'IAMUser',
    useridentity_arn: SMALL_LAKE.deniedPrincipal,
    errorcode: 'AccessDeniedException',
  });
  event(day2, 13, {
    eventsource: 'redshift.amazonaws.com',
    eventname: SMALL_LAKE.redshiftChange.eventName,
    readonly: false,
    useridentity_arn: `arn:aws:iam::${account}:user/dba`,
    useridentity_type: 'IAMUser',
    requestparameters: '{"clusterIdentifier":"alpha","nodeType":"ra3.xlplus"}',
  });
  event(day2, 13, {
    eventsource: 'redshift-data.amazonaws.com',
    eventname: 'ExecuteStatement',
    readonly: false,
    requestparameters: '{"clusterIdentifier":"alpha","database":"dev","sql":"select 1"}',
  });
  event(day2, 14, {
    eventsource: 'iam.amazonaws.com',
    eventname: 'PutRolePolicy',
    readonly: false,
    useridentity_type: 'IAMUser',
    useridentity_arn: `arn:aws:iam::${account}:user/dba`,
    requestparameters: '{"roleName":"app","policyName":"inline","policyDocument":"{}"}',
  });
  event(day2, 14, {
    eventsource: 's3.amazonaws.com',
    eventname: 'PutBucketPolicy',
    readonly: false,
    requestparameters: '{"bucketName":"lake-bucket","policy":"{}"}',
  });
  // The same event delivered twice, in two files.
  event(day2, 20, { eventid: SMALL_LAKE.duplicateEventId, eventname: 'RunInstances', readonly: false });
  const copy = {
    ...events[events.length - 1]!,
    source_key: `AWSLogs/${account}/CloudTrail/${region}/2024/03/05/${account}_CloudTrail_${region}_20240305T2105Z_b.json.gz`,
  };
  events.push(copy);
  const insightBase = {
    account,
    region,
    day: day2,
    eventversion: '1.08',
    awsregion: region,
    eventtype: 'AwsCloudTrailInsight',
    recipientaccountid: account,
    sharedeventid: 'insight-0001',
    eventcategory: 'Insight',
    insightdetails_eventsource: 's3.amazonaws.com',
    insightdetails_eventname: 'GetObject',
    insightdetails_insighttype: 'ApiErrorRateInsight',
    insightdetails_errorcode: 'AccessDenied',
    insightdetails_insightcontext_statistics_baseline_average: 0.0001,
    insightdetails_insightcontext_statistics_insight_average: 2.5,
    insightdetails_insightcontext_statistics_insightduration: 1,
    insightdetails_insightcontext_statistics_baselineduration: 10_080,
    insightdetails_insightcontext_attributions:
      '[{"attribute":"errorCode","insight":[{"value":"AccessDenied","average":2.5}],"baseline":[]}]',
    source_key: `AWSLogs/${account}/CloudTrail-Insight/${region}/2024/03/05/${account}_CloudTrail-Insight_${region}_20240305T0310Z_c.json.gz`,
  };
  const insights: Row[] = [
    { ...insightBase, eventid: 'insight-start', eventtime: ts(day2, 2, 30), insightdetails_state: 'Start' },
    { ...insightBase, eventid: 'insight-end', eventtime: ts(day2, 2, 40), insightdetails_state: 'End' },
  ];
  return new Map([
    ['cloudtrail_events', events],
    ['cloudtrail_insights', insights],
  ]);
}

/** Writes the small lake under `lakeDir` (one file per table and partition). */
export async function buildSmallLake(lakeDir: string): Promise<void> {
  const { instance, connection } = await openDuckDb();
  try {
    const writer = new ParquetWriter(connection);
    const all = new Map([...redshiftRows(), ...cloudTrailRows()]);
    for (const [name, rows] of all) await writeTable(writer, lakeDir, lakeTable(name), rows);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Writes rows of one table, one file per partition, under `lakeDir` (rows name their partition values). */
export async function writeTable(
  writer: ParquetWriter,
  lakeDir: string,
  table: LakeTable,
  rows: readonly Row[],
  fileName = 'part-0.parquet',
): Promise<void> {
  const byPartition = new Map<string, Row[]>();
  for (const row of rows) {
    const folder = table.partitionKeys.map((key) => `${key.name}=${String(row[key.name])}`).join('/');
    byPartition.set(folder, [...(byPartition.get(folder) ?? []), row]);
  }
  for (const [folder, partitionRows] of byPartition) {
    const file = await writer.write(
      table.columns,
      (async function* () {
        yield partitionRows.map((row) => row as LakeRow);
      })(),
    );
    if (!file) continue;
    await mkdir(join(lakeDir, table.path, folder), { recursive: true });
    await copyFile(file.path, join(lakeDir, table.path, folder, fileName));
    await writer.discard(file);
  }
}
