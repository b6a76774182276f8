import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import NodeSqlParser from 'node-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { athenaQueryString, athenaViewDdl } from '../../pipeline/query/athena-named-queries.js';
import { openLocalQueries, type LocalQueries } from '../../pipeline/query/local-queries.js';
import { collectRows, type QueryColumn, type QueryRow } from '../../pipeline/ports/query-engine.js';
import { QueryLibrary } from '../../pipeline/query/query-library.js';
import { buildSmallLake, SMALL_LAKE } from '../pipeline/catalog/small-lake.js';
import { fleetChecks } from './fleet-checks.js';

const { Parser } = NodeSqlParser;
const parser = new Parser();
const TRINO = { database: 'trino' };

let root: string;
let local: LocalQueries;
let library: QueryLibrary;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-queries-'));
  await buildSmallLake(join(root, 'lake'));
  library = await QueryLibrary.load();
  local = await openLocalQueries({ lakeDir: join(root, 'lake'), library });
});

afterAll(async () => {
  await local?.close();
  await rm(root, { recursive: true, force: true });
});

const [DAY1, DAY2] = SMALL_LAKE.days;
const PARAMETERS: Record<string, string> = {
  from_day: DAY1,
  to_day: DAY2,
  from_time: `${DAY1} 00:00:00`,
  to_time: `${DAY2} 23:59:59`,
  // The recent period of the regression question: the small lake's second day.
  since: `${DAY2} 00:00:00`,
  min_runs: '2',
  min_increase_percent: '50',
  price_per_rpu_hour: '0.375',
};

async function run(name: string, given: Record<string, string> = {}): Promise<{ columns: readonly QueryColumn[]; rows: QueryRow[] }> {
  const declared = library.get(name).parameters.map((parameter) => parameter.name);
  const parameters = Object.fromEntries(declared.map((parameter) => [parameter, given[parameter] ?? PARAMETERS[parameter] ?? '']));
  return collectRows(local.engine.pages(library.prepare(name, parameters)));
}

const sum = (rows: readonly QueryRow[], column: string) => rows.reduce((total, row) => total + Number(row[column] ?? 0), 0);

async function count(sql: string): Promise<number> {
  const { rows } = await collectRows(local.engine.pages({ name: 'count', sql, parameters: [] }));
  return Number(Object.values(rows[0] ?? {})[0]);
}

const FLEET_CHECKS = fleetChecks({ run: (name, given) => run(name, given) });

/** What each question must find in the small lake. Every file of queries/ needs an entry. */
const CHECKS: Record<string, (rows: QueryRow[]) => void | Promise<void>> = {
  redshift_hourly_statements: async (rows) => {
    const stl = { kind: 'provisioned', dialect: 'stl' };
    expect(rows).toContainEqual({ cluster: 'alpha', ...stl, hour: `${DAY1} 08:00:00`, statements: 3, failed: 0 });
    expect(rows).toContainEqual({ cluster: 'beta', ...stl, hour: `${DAY2} 16:00:00`, statements: 1, failed: 1 });
    // The Serverless workgroup, read through SYS, beside the provisioned clusters.
    const gamma = { cluster: SMALL_LAKE.workgroup, kind: 'serverless', dialect: 'sys' };
    expect(rows).toContainEqual({ ...gamma, hour: `${DAY1} 09:00:00`, statements: 3, failed: 1 });
    expect(rows).toContainEqual({ ...gamma, hour: `${DAY2} 12:00:00`, statements: 2, failed: 0 });
    // One row per statement of each dialect: the queries of stl_query and the statements of sys_query_history.
    expect(sum(rows, 'statements')).toBe(62);
    expect(await count('SELECT (SELECT count(*) FROM stl_query) + (SELECT count(*) FROM sys_query_history)')).toBe(62);
  },
  redshift_slowest_fingerprints: (rows) => {
    expect(rows[0]).toMatchObject({ runs: 1, max_seconds: 600, total_seconds: 600, slowest_text: SMALL_LAKE.slowest.text });
    expect(rows.find((row) => row.runs === 48)).toMatchObject({ clusters: 2, alerts: 0, max_seconds: 4 });
    // The same statement ran on alpha (STL, 95 s, a nested-loop alert) and was canceled on the workgroup (SYS, 30 s).
    expect(rows.find((row) => String(row.slowest_text).includes('FROM event e, venue v'))).toMatchObject({
      runs: 2,
      clusters: 2,
      alerts: 1,
      max_seconds: 95,
      total_seconds: 125,
    });
    expect(rows.find((row) => row.slowest_text === 'SELECT count(*) FROM sales')).toMatchObject({ runs: 4, total_seconds: 28 });
  },
  redshift_missing_statistics: (rows) => {
    expect(rows.map((row) => [row.cluster, row.table_name, row.queries])).toEqual([
      ['alpha', 'event', 1],
      ['alpha', 'sales', 1],
      ['beta', 'venue', 1],
    ]);
    expect(rows[2]?.last_seen).toBe(`${DAY2} 14:30:08`);
  },
  redshift_queue_wait: (rows) => {
    expect(rows).toHaveLength(26);
    const [serverless, provisioned] = [
      rows.filter((row) => row.cluster === SMALL_LAKE.workgroup),
      rows.filter((row) => row.cluster !== 'gamma'),
    ];
    expect(provisioned.every((row) => row.queue === 'etl queue' && row.service_class === 6)).toBe(true);
    expect(serverless.map((row) => [row.hour, row.queue, row.queries])).toEqual([
      [`${DAY1} 09:00:00`, '(serverless)', 3],
      [`${DAY2} 10:00:00`, '(serverless)', 2],
      [`${DAY2} 11:00:00`, '(serverless)', 1],
      [`${DAY2} 12:00:00`, '(serverless)', 2],
    ]);
    expect(rows.find((row) => row.cluster === 'alpha' && row.hour === `${DAY1} 08:00:00`)).toMatchObject({
      cluster_queue: 'alpha / etl queue',
      queries: 3,
      queued: 3,
      max_queue_seconds: 2,
    });
  },
  redshift_alerts_by_table: (rows) => {
    expect(rows).toEqual([
      {
        table_name: '(no table)',
        alert: 'Nested Loop Join in the query plan',
        events: 1,
        queries: 1,
        clusters: 1,
        solution: 'Review the join predicates to avoid Cartesian products',
      },
      {
        table_name: 'venue',
        alert: 'Missing query planner statistics',
        events: 1,
        queries: 1,
        clusters: 1,
        solution: 'Run the ANALYZE command',
      },
    ]);
  },
  redshift_nested_loop_joins: (rows) => {
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      cluster: SMALL_LAKE.nestedLoop.cluster,
      dialect: 'stl',
      query_id: SMALL_LAKE.nestedLoop.query,
      seconds: 95,
      alerts: 1,
      text: 'SELECT * FROM event e, venue v',
    });
    expect(String(rows[0]?.plannode)).toContain('Nested Loop');
  },
  redshift_aborted_statements: (rows) => {
    expect(rows.map((row) => [row.cluster, row.query_id, row.status, row.seconds, row.text])).toEqual([
      ['beta', SMALL_LAKE.aborted.query, 'aborted', 30, 'DELETE FROM sales WHERE saletime < 2008'],
      [SMALL_LAKE.workgroup, 9_003, 'canceled', 30, 'SELECT * FROM event e, venue v'],
    ]);
  },
  redshift_ddl_history: (rows) => {
    expect(rows).toEqual([
      {
        cluster: 'alpha',
        starttime: `${DAY2} 17:00:00`,
        endtime: `${DAY2} 17:00:01`,
        userid: 100,
        xid: 90_001,
        pid: 4321,
        command: 'CREATE TABLE',
        text: SMALL_LAKE.ddl,
      },
    ]);
  },
  redshift_control_plane_vs_load: (rows) => {
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      cluster: SMALL_LAKE.redshiftChange.cluster,
      eventname: SMALL_LAKE.redshiftChange.eventName,
      principal: 'arn:aws:iam::012345678901:user/dba',
      statements_hour_before: 0,
      statements_hour_of: 0,
      statements_hour_after: 1,
    });
  },
  ...FLEET_CHECKS,
  cloudtrail_events_unique: async (rows) => {
    const raw = await collectRows(local.engine.pages({ name: 'raw', sql: 'SELECT count(*) AS n FROM cloudtrail_events', parameters: [] }));
    expect(rows).toHaveLength(Number(raw.rows[0]?.n) - 1);
    expect(rows.filter((row) => row.eventid === SMALL_LAKE.duplicateEventId)).toHaveLength(1);
    expect(rows.every((row) => row.delivery_rank === 1)).toBe(true);
  },
  cloudtrail_events_in_range: async (rows) => {
    expect(rows.filter((row) => row.eventid === SMALL_LAKE.duplicateEventId)).toHaveLength(1);
    const narrow = await run('cloudtrail_events_in_range', { from_time: `${DAY2} 02:00:00`, to_time: `${DAY2} 03:00:00` });
    expect(narrow.rows.map((row) => row.errorcode)).toEqual(['AccessDenied', 'AccessDenied', 'AccessDenied', 'AccessDenied']);
    expect(rows.map((row) => row.eventtime)).toEqual([...rows.map((row) => row.eventtime)].sort());
  },
  cloudtrail_top_source_ips: (rows) => {
    expect(rows[0]).toMatchObject({ sourceipaddress: '198.51.100.10', identity_type: 'AssumedRole', events: 20, errors: 0, principals: 1 });
    expect(rows).toContainEqual(
      expect.objectContaining({ sourceipaddress: '203.0.113.99', identity_type: 'IAMUser', events: 4, errors: 4 }),
    );
  },
  cloudtrail_access_denied: (rows) => {
    expect(rows.map((row) => [row.principal, row.eventsource, row.errors, row.last_action])).toEqual([
      [SMALL_LAKE.deniedPrincipal, 's3.amazonaws.com', 4, 'GetObject'],
      [SMALL_LAKE.deniedPrincipal, 'iam.amazonaws.com', 1, 'ListRoles'],
    ]);
  },
  cloudtrail_console_signin_without_mfa: (rows) => {
    expect(rows.map((row) => [row.principal, row.sourceipaddress, row.mfa_used])).toEqual([
      [SMALL_LAKE.consoleWithoutMfa.user, SMALL_LAKE.consoleWithoutMfa.ip, 'No'],
    ]);
  },
  cloudtrail_root_activity: (rows) => {
    expect(rows.map((row) => [row.eventname, row.sourceipaddress])).toEqual([[SMALL_LAKE.rootEventName, '192.0.2.44']]);
  },
  cloudtrail_redshift_api_calls: (rows) => {
    expect(rows.map((row) => [row.eventsource, row.eventname, row.calls]).sort()).toEqual([
      ['redshift-data.amazonaws.com', 'ExecuteStatement', 1],
      ['redshift.amazonaws.com', 'ModifyCluster', 1],
    ]);
  },
  cloudtrail_policy_changes: (rows) => {
    expect(rows.map((row) => [row.service, row.eventname, row.target])).toEqual([
      ['S3', 'PutBucketPolicy', 'lake-bucket'],
      ['IAM', 'PutRolePolicy', 'app'],
    ]);
  },
  cloudtrail_events_by_identity_type: async (rows) => {
    const raw = await collectRows(local.engine.pages({ name: 'raw', sql: 'SELECT count(*) AS n FROM cloudtrail_events', parameters: [] }));
    expect(sum(rows, 'events')).toBe(Number(raw.rows[0]?.n));
    expect(new Set(rows.map((row) => row.identity_type))).toEqual(new Set(['AssumedRole', 'AWSService', 'IAMUser', 'Root']));
  },
  cloudtrail_completeness: (rows) => {
    // Findings first: the missing and changed files and the forged digest of the second day.
    expect(rows.slice(0, 3).map((row) => [row.hour, row.status, row.files, row.example_key])).toEqual([
      [`${DAY2} 02:00:00`, 'signature-invalid', 1, expect.stringContaining('CloudTrail-Digest')],
      [`${DAY2} 02:00:00`, 'hash-mismatch', 1, SMALL_LAKE.completeness.changed],
      [`${DAY2} 02:00:00`, 'missing', 1, SMALL_LAKE.completeness.missing],
    ]);
    expect(rows.slice(3).every((row) => row.finding === false)).toBe(true);
    expect(rows.find((row) => row.status === 'verified' && row.hour === `${DAY1} 09:00:00`)).toMatchObject({ files: 2, kind: 'log' });
    expect(sum(rows, 'files')).toBe(7);
  },
  cloudtrail_errors_over_time: (rows) => {
    expect(rows).toEqual([
      { hour: `${DAY2} 02:00:00`, errorcode: 'AccessDenied', errors: 4 },
      { hour: `${DAY2} 03:00:00`, errorcode: 'AccessDeniedException', errors: 1 },
    ]);
  },
};

describe('queries/', () => {
  it('has a check below for every file', () => {
    expect(library.queries.map((query) => query.name).sort()).toEqual(Object.keys(CHECKS).sort());
  });

  it('is parsed as Trino SQL, in the form Athena receives it, by a real parser', () => {
    for (const query of library.queries) {
      const text = query.view ? athenaViewDdl(query) : athenaQueryString(query);
      expect(() => parser.astify(text, TRINO), query.name).not.toThrow();
    }
  });

  it('would be caught by the parser if a statement were malformed', () => {
    const good = athenaQueryString(library.get('redshift_hourly_statements'));
    expect(() => parser.astify(good.replace('GROUP BY', 'GROUP'), TRINO)).toThrow();
    expect(() => parser.astify(good.replace('FROM redshift_statements', 'FROM redshift_statements WHERE WHERE'), TRINO)).toThrow();
    expect(() => parser.astify(good.replace('count(*) AS statements', 'count(* AS statements'), TRINO)).toThrow();
  });

  it.each(Object.keys(CHECKS))('%s runs on DuckDB over the lake and finds what it should', async (name) => {
    const { columns, rows } = await run(name);
    expect(rows.length, name).toBeGreaterThan(0);
    const chart = library.get(name).chart;
    const names = columns.map((column) => column.name);
    for (const column of [chart.x, chart.y, chart.series]) if (column) expect(names, `${name} chart column ${column}`).toContain(column);
    await CHECKS[name]?.(rows);
  });

  it('prunes partitions: a day outside the lake finds nothing', async () => {
    const { rows } = await run('redshift_hourly_statements', { from_day: '2023-01-01', to_day: '2023-01-02' });
    expect(rows).toEqual([]);
  });
});
