import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerQueryCommand } from '../../jobs/cli/commands/query-command.js';
import { DEMO_CLUSTERS, DEMO_SYS_SOURCES, runDemo } from '../../jobs/cli/demo/run-demo.js';
import { openLocalQueries, type LocalQueries } from '../../pipeline/query/local-queries.js';
import { collectRows, type QueryRow } from '../../pipeline/ports/query-engine.js';
import { QueryLibrary } from '../../pipeline/query/query-library.js';
import { REPORT_SECTIONS, writeReport } from '../../pipeline/report/write-report.js';
import { lakeTables } from '../../pipeline/tables/registry.js';
import { compareGlueTypesWithFiles } from '../pipeline/catalog/lake-file-types.js';
import { inspectReport, launchChromium, SCREENSHOTS } from '../pipeline/report/chromium.js';
import { demoFleetChecks } from './demo-fleet-checks.js';

/** The demo simulates and exports four sources and a trail: minutes on a shared machine, not the default two. */
const DEMO_TIMEOUT_MS = 600_000;

/**
 * Every question of queries/ on the lake the demo builds (simulated clusters exported by the
 * exporter, a generated trail ingested by the CloudTrail ingester): the files are the real
 * writers' files, not ones written for the test. Six hours of a weekday morning keep it short
 * while covering the analysts' late-morning queries, the nested loop among them.
 */
const NOW = new Date('2024-03-06T13:00:00Z');
const DAY = '2024-03-06';
const CLUSTERS: readonly string[] = DEMO_CLUSTERS.map((cluster) => cluster.name);
const SOURCES: readonly string[] = [...CLUSTERS, ...DEMO_SYS_SOURCES.map((source) => source.name)];
/** The sources of the analytics workload: the provisioned cluster and the Serverless workgroup. */
const ANALYTICS: readonly string[] = ['analytics', 'bi'];
/** The planted regression starts in the last third of the six hours simulated (regressionMinute). */
const REGRESSION_SINCE = '2024-03-06 11:00:00';

let root: string;
let lakeDir: string;
let configPath: string;
let library: QueryLibrary;
let local: LocalQueries;
let planted: { readonly missing: string; readonly changed: string } | undefined;
let compaction: Record<string, unknown>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-demo-lake-'));
  const demo = await runDemo({ dir: join(root, 'demo'), now: NOW, historyHours: 6, progress: devNull(), out: devNull() });
  lakeDir = demo.lakeDir;
  configPath = demo.configPath;
  planted = demo.trail.planted;
  compaction = demo.compaction.toJSON();
  library = await QueryLibrary.load();
  local = await openLocalQueries({ lakeDir, library });
}, DEMO_TIMEOUT_MS);

afterAll(async () => {
  await local?.close();
  await rm(root, { recursive: true, force: true });
});

function devNull(): NodeJS.WritableStream {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

async function run(name: string, overrides: Record<string, string> = {}): Promise<QueryRow[]> {
  const given: Record<string, string> = { ...overrides };
  for (const parameter of library.get(name).parameters) {
    if (parameter.name in overrides) continue;
    if (parameter.type === 'day') given[parameter.name] = parameter.name.startsWith('from') ? '2024-03-05' : '2024-03-07';
    // The recent period of the regression question starts where the simulators planted the regression.
    if (parameter.name === 'since') given[parameter.name] = REGRESSION_SINCE;
    else if (parameter.type === 'timestamp')
      given[parameter.name] = parameter.name.startsWith('from') ? '2024-03-05 00:00:00' : '2024-03-07 00:00:00';
  }
  return (await collectRows(local.engine.pages(library.prepare(name, given)))).rows;
}

async function scalar(sql: string): Promise<number> {
  const { rows } = await collectRows(local.engine.pages({ name: 'probe', sql, parameters: [] }));
  return Number(Object.values(rows[0] ?? {})[0] ?? 0);
}

const texts = (rows: readonly QueryRow[], column: string) => rows.map((row) => String(row[column] ?? ''));

/** What each question must find in the demo lake, beyond a non-empty result. */
const CHECKS: Record<string, (rows: QueryRow[]) => void | Promise<void>> = {
  redshift_hourly_statements: async (rows) => {
    // Every source of the fleet: the provisioned clusters through STL, the Serverless workgroup and the Multi-AZ cluster through SYS.
    expect(new Set(rows.map((row) => `${row.cluster} ${row.kind} ${row.dialect}`))).toEqual(
      new Set(['analytics provisioned stl', 'etl provisioned stl', 'bi serverless sys', 'warehouse provisioned sys']),
    );
    // One row per statement of each dialect.
    expect(rows.reduce((sum, row) => sum + Number(row.statements), 0)).toBe(
      (await scalar("SELECT count(*) FROM stl_query WHERE day BETWEEN '2024-03-05' AND '2024-03-07'")) +
        (await scalar("SELECT count(*) FROM sys_query_history WHERE day BETWEEN '2024-03-05' AND '2024-03-07'")),
    );
    expect(rows.some((row) => row.dialect === 'sys' && Number(row.failed) > 0)).toBe(true);
  },
  redshift_slowest_fingerprints: (rows) => {
    expect(rows).toHaveLength(25);
    const totals = rows.map((row) => Number(row.total_seconds));
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    expect(rows.every((row) => String(row.slowest_text).length > 10 && /^[0-9a-f]{16}$/.test(String(row.fingerprint)))).toBe(true);
  },
  redshift_nested_loop_joins: (rows) => {
    // The analysts' cohort query joins on an inequality only: the simulator's nested loop.
    expect(rows.length).toBeGreaterThan(0);
    // Both sources of the analytics workload run it: the provisioned cluster (STL) and the workgroup (SYS).
    expect(
      rows.every(
        (row) => ANALYTICS.includes(String(row.cluster)) && String(row.plannode).includes('Nested Loop') && Number(row.alerts) > 0,
      ),
    ).toBe(true);
    expect(texts(rows, 'text').some((text) => text.includes('signup_at'))).toBe(true);
  },
  redshift_missing_statistics: (rows) => {
    expect(rows.every((row) => String(row.table_name).length > 0 && Number(row.queries) > 0)).toBe(true);
  },
  redshift_queue_wait: (rows) => {
    expect(new Set(texts(rows, 'cluster'))).toEqual(new Set(SOURCES));
    expect(rows.filter((row) => row.queue === '(serverless)').every((row) => row.cluster === 'bi')).toBe(true);
  },
  redshift_alerts_by_table: (rows) => {
    expect(texts(rows, 'alert')).toContain('Missing query planner statistics');
  },
  redshift_aborted_statements: (rows) => {
    expect(rows.every((row) => String(row.text).length > 0)).toBe(true);
  },
  redshift_ddl_history: (rows) => {
    expect(texts(rows, 'command').every((command) => /^(CREATE|ALTER|DROP|TRUNCATE)\b/.test(command))).toBe(true);
  },
  redshift_control_plane_vs_load: (rows) => {
    expect(texts(rows, 'cluster').every((cluster) => SOURCES.includes(cluster))).toBe(true);
  },
  ...demoFleetChecks({ run, scalar, since: REGRESSION_SINCE }),
  cloudtrail_events_unique: async (rows) => {
    expect(rows.length).toBe(await scalar('SELECT count(DISTINCT eventid) FROM cloudtrail_events'));
  },
  cloudtrail_events_in_range: (rows) => {
    expect(new Set(texts(rows, 'eventid')).size).toBe(rows.length);
  },
  cloudtrail_top_source_ips: (rows) => {
    expect(rows.every((row) => Number(row.events) >= Number(row.errors))).toBe(true);
  },
  cloudtrail_access_denied: (rows) => {
    expect(rows.every((row) => Number(row.errors) > 0)).toBe(true);
  },
  cloudtrail_console_signin_without_mfa: (rows) => {
    // The trail's console sign-in without MFA.
    expect(rows.every((row) => row.mfa_used === 'No' && ['IAMUser', 'Root'].includes(String(row.identity_type)))).toBe(true);
  },
  cloudtrail_root_activity: (rows) => {
    expect(texts(rows, 'eventname').length).toBeGreaterThan(0);
  },
  cloudtrail_redshift_api_calls: (rows) => {
    expect(new Set(texts(rows, 'eventsource'))).toEqual(new Set(['redshift.amazonaws.com', 'redshift-data.amazonaws.com']));
  },
  cloudtrail_policy_changes: (rows) => {
    expect(new Set(texts(rows, 'service')).size).toBeGreaterThan(0);
  },
  cloudtrail_events_by_identity_type: async (rows) => {
    expect(rows.reduce((sum, row) => sum + Number(row.events), 0)).toBe(
      await scalar("SELECT count(*) FROM cloudtrail_events WHERE day BETWEEN '2024-03-05' AND '2024-03-07'"),
    );
  },
  cloudtrail_errors_over_time: (rows) => {
    expect(texts(rows, 'errorcode')).toContain('AccessDenied');
  },
  cloudtrail_completeness: (rows) => {
    // What the demo trail plants for its digests to show, and nothing else: every digest is signed and chained.
    const findings = rows.filter((row) => row.finding === true);
    expect(findings.map((row) => [row.status, row.example_key])).toEqual([
      ['hash-mismatch', planted?.changed],
      ['missing', planted?.missing],
    ]);
    expect(new Set(texts(rows, 'status'))).toEqual(new Set(['hash-mismatch', 'missing', 'verified', 'digest-verified', 'awaiting-digest']));
  },
};

describe('queries/ on the demo lake', () => {
  it('has a check for every file', () => {
    expect(library.queries.map((query) => query.name).sort()).toEqual(Object.keys(CHECKS).sort());
  });

  it.each(Object.keys(CHECKS))('%s runs on DuckDB and finds what it should', async (name) => {
    const rows = await run(name);
    expect(rows.length, `${name} found nothing in the demo lake`).toBeGreaterThan(0);
    await CHECKS[name]?.(rows);
  });

  it('is what `opslake query` runs with the config file the demo leaves', async () => {
    const printed: string[] = [];
    const program = new Command('opslake').exitOverride();
    registerQueryCommand(program, {
      stdout: new Writable({ write: (chunk, _encoding, done) => done(void printed.push(String(chunk))) }),
      stderr: devNull(),
    });
    await program.parseAsync(
      ['query', 'redshift_nested_loop_joins', '--config', configPath, '--param', 'from_day=2024-03-05', '--format', 'json'],
      { from: 'user' },
    );
    const rows = JSON.parse(printed.join('')) as QueryRow[];
    expect(rows).toEqual(await run('redshift_nested_loop_joins'));
  });

  it('compacts what is closed, and the catalog then reads the compacted partitions', async () => {
    // The trail's first day and the Redshift days sealed by the exports are closed at the demo's time.
    expect(compaction).toMatchObject({ failed: 0 });
    expect(Number(compaction.compacted)).toBeGreaterThan(0);
    expect(Number(compaction.objectsAfter)).toBeLessThan(Number(compaction.objectsBefore));
    const catalog = await openLocalQueries({ lakeDir, library, catalogPath: join(root, 'demo', 'catalog.duckdb') });
    try {
      const located = await catalog.connection.runAndReadAll(
        "SELECT count(*)::INTEGER AS n FROM opslake_partitions WHERE location LIKE '%/_compacted/%'",
      );
      expect(Number(located.getRowObjectsJson()[0]?.n)).toBe(Number(compaction.compacted));
      // Through the catalog (compacted partitions) and over the live folders alone (compaction's
      // inputs, kept for the grace period): the same events, the duplicates once.
      const sql = 'SELECT count(DISTINCT eventid)::INTEGER AS n FROM cloudtrail_events';
      const viaCatalog = (await catalog.connection.runAndReadAll(sql)).getRowObjectsJson();
      expect(viaCatalog).toEqual((await local.connection.runAndReadAll(sql)).getRowObjectsJson());
    } finally {
      await catalog.close();
    }
  });

  it('agrees with Glue on the type of every column of every file the writers wrote', async () => {
    const { mismatches, files } = await compareGlueTypesWithFiles(lakeDir, lakeTables());
    expect(mismatches).toEqual([]);
    for (const table of lakeTables()) expect(files[table.name], `${table.name} has files in the demo lake`).toBeGreaterThan(0);
  });

  it('reports on it in Chromium with every chart drawn and no console error', async () => {
    let browser: BrowserContext | undefined;
    try {
      const out = join(root, 'report.html');
      const summary = await writeReport({ lakeDir, out, toDay: DAY, days: 2 });
      expect(summary.panels.every((panel) => panel.rows > 0)).toBe(true);
      browser = await launchChromium(root);
      const seen = await inspectReport(browser, out, join(SCREENSHOTS, 'report-demo-lake.png'));
      expect(seen.errors).toEqual([]);
      expect(seen.requests).toEqual([]);
      expect(seen.panels.map((panel) => panel.query)).toEqual(
        REPORT_SECTIONS.flatMap((section) => section.panels.map((panel) => panel.query)),
      );
      for (const panel of seen.panels) expect(panel.marks, `${panel.query} drew nothing`).toBeGreaterThan(0);
    } finally {
      await browser?.close();
    }
  });
});
