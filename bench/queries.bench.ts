/**
 * What the lake layout saves a query: for three typical questions, the bytes the query must read
 * from the lake (the column chunks of the columns it touches, in the partitions it touches) against
 * the bytes of the same data as raw gzip JSON (CloudTrail) or as a full-table read (Redshift), and
 * the DuckDB query times on the demo lake.
 *
 *   npm run bench -- queries                       # builds a week-long demo in a temp folder
 *   npm run bench -- queries --dir <demo folder>   # reuses a demo folder (opslake demo --dir)
 *   npm run bench -- queries --trail-dir <folder>  # reuses the realistic trail of an earlier run
 *
 * The CloudTrail question is measured twice: on the demo's own trail, whose files are kept small
 * (a file every 30 minutes, tens of events) so the demo stays quick, and on a day of trail shaped
 * like a busy organization's (a file every 5 minutes per account and region, hundreds of events
 * each), ingested by the same ingester. The target is held against the second: how many bytes a
 * query reads is a property of the layout at real file sizes, while on tiny files every format
 * pays mostly for per-file and per-chunk overhead (shown in the footer column).
 *
 * Which columns and partitions a query touches is read from DuckDB's own profile of the run (the
 * projections and filters of each Parquet scan, and the partition filter it pruned files with), so
 * the figure follows the SQL of queries/ as it is, not a hand-kept list.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runDemo } from '../jobs/cli/demo/run-demo.js';
import { generateDemoTrail } from '../pipeline/simulators/cloudtrail/demo-trail.js';
import { ingestCloudTrail } from '../pipeline/cloudtrail/ingest-cloudtrail.js';
import { FileStateStore } from '../pipeline/state/file-state-store.js';
import { LocalObjectStore } from '../pipeline/store/local-object-store.js';
import { tableGlob } from '../pipeline/catalog/duckdb-catalog.js';
import { sqlLiteral } from '../pipeline/duckdb/duckdb-engine.js';
import { toDuckDbSql } from '../pipeline/query/duckdb-dialect.js';
import { openLocalQueries, type LocalQueries } from '../pipeline/query/local-queries.js';
import { collectRows, type PreparedQuery } from '../pipeline/ports/query-engine.js';
import { QueryLibrary } from '../pipeline/query/query-library.js';
import { toPositional } from '../pipeline/query/sql-tokens.js';
import { newestDay } from '../pipeline/report/write-report.js';
import type { LakeTable } from '../pipeline/tables/lake-table.js';
import { lakeTables } from '../pipeline/tables/registry.js';

const TARGET = 0.1;
const TIMED_RUNS = 5;
/** A Wednesday: the simulated analysts run their weekday queries (nested loops among them) in the week before. */
const DEMO_NOW = new Date('2024-03-06T18:00:00Z');

interface Question {
  readonly label: string;
  /** The lake the question is asked of, and the folder of raw CloudTrail files beside it. */
  readonly lakeDir: string;
  readonly trailDir: string;
  readonly query: string;
  readonly parameters: Record<string, string>;
  readonly baseline: 'full-table' | 'raw-gzip';
  /** The day whose raw CloudTrail files are the baseline. */
  readonly day?: string;
  /** Informational rows are printed but not held to the target. */
  readonly informational?: boolean;
}

interface ScanTouch {
  readonly table: LakeTable;
  readonly columns: readonly string[];
  readonly fileFilter: string | undefined;
}

interface Measured {
  readonly question: Question;
  readonly rows: number;
  readonly scans: readonly ScanTouch[];
  readonly files: number;
  readonly columnBytes: number;
  readonly footerBytes: number;
  readonly baselineBytes: number;
  readonly duckdbBytesRead: number;
  readonly medianMs: number;
}

const { values: flags } = parseArgs({
  options: { dir: { type: 'string' }, 'trail-dir': { type: 'string' }, hours: { type: 'string', default: '168' } },
});

async function main(): Promise<void> {
  const started = Date.now();
  const scratch = await mkdtemp(join(tmpdir(), 'opslake-bench-queries-'));
  try {
    const dir = flags.dir ? resolve(flags.dir) : join(scratch, 'demo');
    if (!existsSync(join(dir, 'lake'))) {
      process.stderr.write(`Building a ${flags.hours}-hour demo in ${dir} ...\n`);
      await runDemo({ dir, now: DEMO_NOW, historyHours: Number(flags.hours), progress: process.stderr, out: process.stderr });
    }
    const buildSeconds = (Date.now() - started) / 1000;
    const lakeDir = join(dir, 'lake');
    const trailDir = join(dir, 'trail');
    const library = await QueryLibrary.load();
    const redshiftTables = lakeTables().filter((table) => table.path.startsWith('redshift/'));
    const last = (await newestDay(lakeDir, redshiftTables)) ?? DEMO_NOW.toISOString().slice(0, 10);
    // The last complete day, when the lake has one.
    const fullDay = (await hasDay(lakeDir, addDays(last, -1))) ? addDays(last, -1) : last;

    const busy = resolve(flags['trail-dir'] ?? join(scratch, 'busy-trail'));
    const busyStarted = Date.now();
    if (!existsSync(join(busy, 'lake'))) await buildBusyTrail(busy, fullDay);
    const busySeconds = (Date.now() - busyStarted) / 1000;
    const busyDay = await busiestTrailDay(join(busy, 'trail'));
    const demoTrailDay = await busiestTrailDay(trailDir);

    const questions: Question[] = [
      {
        label: 'Hourly statements per cluster, one week',
        lakeDir,
        trailDir,
        query: 'redshift_hourly_statements',
        parameters: { from_day: addDays(last, -6), to_day: last },
        baseline: 'full-table',
      },
      ...(busyDay
        ? [
            {
              label: 'Access-denied errors by principal, one day (busy trail)',
              lakeDir: join(busy, 'lake'),
              trailDir: join(busy, 'trail'),
              query: 'cloudtrail_access_denied',
              parameters: { from_day: busyDay, to_day: busyDay },
              baseline: 'raw-gzip' as const,
              day: busyDay,
            },
          ]
        : []),
      ...(demoTrailDay
        ? [
            {
              label: "Access-denied errors by principal, one day (the demo's small trail files)",
              lakeDir,
              trailDir,
              query: 'cloudtrail_access_denied',
              parameters: { from_day: demoTrailDay, to_day: demoTrailDay },
              baseline: 'raw-gzip' as const,
              day: demoTrailDay,
              informational: true,
            },
          ]
        : []),
      {
        label: 'Slowest fingerprints with text and alerts, one day',
        lakeDir,
        trailDir,
        query: 'redshift_slowest_fingerprints',
        parameters: { from_day: fullDay, to_day: fullDay },
        baseline: 'full-table',
      },
      {
        label: 'Slowest fingerprints with text and alerts, one week',
        lakeDir,
        trailDir,
        query: 'redshift_slowest_fingerprints',
        parameters: { from_day: addDays(last, -6), to_day: last },
        baseline: 'full-table',
        informational: true,
      },
    ];

    const measured: Measured[] = [];
    for (const question of questions) measured.push(await measure(library, question));
    const timings = await timeEveryQuery(lakeDir, library, addDays(last, -6), last);

    printReport({ dir, buildSeconds, busySeconds, busy, measured, timings, lakeBytes: await folderBytes(lakeDir) });
    const missed = measured.filter((entry) => !entry.question.informational && !(entry.columnBytes / entry.baselineBytes <= TARGET));
    if (missed.length > 0) {
      process.stdout.write(`\nTarget missed: ${missed.map((entry) => entry.question.label).join('; ')}.\n`);
      process.exitCode = 1;
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A day of trail shaped like a busy organization's, ingested into its own lake by the ingester. */
async function buildBusyTrail(folder: string, day: string): Promise<void> {
  process.stderr.write(`Generating and ingesting a busy day of CloudTrail (${day}) in ${folder} ...\n`);
  const trail = await generateDemoTrail({
    dir: join(folder, 'trail'),
    clusterNames: ['analytics', 'etl'],
    start: new Date(`${day}T00:00:00Z`),
    hours: 24,
    seed: 2024,
    fileIntervalMinutes: 5,
    eventsPerFile: [100, 400],
  });
  const ingested = await ingestCloudTrail({
    source: new LocalObjectStore(join(folder, 'trail')),
    lake: new LocalObjectStore(join(folder, 'lake')),
    state: new FileStateStore(join(folder, 'state')),
    cloudtrailLatenessMinutes: 120,
  });
  process.stderr.write(
    `  ${trail.logFiles} files, ${trail.events} events, ${formatBytes(trail.compressedBytes)} gzip -> ` +
      `${ingested.objectsWritten} Parquet objects\n`,
  );
}

/** Runs one question under DuckDB's profiler and works out what it touched. */
async function measure(library: QueryLibrary, question: Question): Promise<Measured> {
  const { lakeDir, trailDir } = question;
  const local = await openLocalQueries({ lakeDir, library });
  try {
    // The file cache would answer later reads from memory; the point here is what comes off disk.
    await local.connection.run('SET enable_external_file_cache = false');
    const prepared = library.prepare(question.query, question.parameters);
    const profile = await profiled(local, prepared);
    const scans = scansOf(profile.tree, lakeDir);
    let files = 0;
    let columnBytes = 0;
    let footerBytes = 0;
    for (const scan of scans) {
      const touched = await touchedFiles(local, lakeDir, scan);
      if (touched.length === 0) continue;
      files += touched.length;
      const list = `[${touched.map(sqlLiteral).join(', ')}]`;
      const columns = `[${scan.columns.map(sqlLiteral).join(', ')}]`;
      const [chunks] = await rows(
        local,
        `SELECT coalesce(sum(total_compressed_size), 0)::BIGINT AS bytes FROM parquet_metadata(${list}) ` +
          `WHERE list_contains(${columns}, path_in_schema)`,
      );
      const [footers] = await rows(local, `SELECT coalesce(sum(footer_size), 0)::BIGINT AS bytes FROM parquet_file_metadata(${list})`);
      columnBytes += Number(chunks?.bytes ?? 0);
      footerBytes += Number(footers?.bytes ?? 0);
    }
    const baselineBytes =
      question.baseline === 'raw-gzip'
        ? await trailBytes(trailDir, question.day ?? '')
        : await sumAsync([...new Set(scans.map((scan) => scan.table))].map((table) => tableBytes(local, lakeDir, table)));
    const times: number[] = [];
    await local.connection.run('RESET enable_external_file_cache');
    for (let run = 0; run < TIMED_RUNS; run += 1) {
      const start = performance.now();
      await collectRows(local.engine.pages(prepared));
      times.push(performance.now() - start);
    }
    return {
      question,
      rows: profile.rows,
      scans,
      files,
      columnBytes,
      footerBytes,
      baselineBytes,
      duckdbBytesRead: profile.bytesRead,
      medianMs: median(times),
    };
  } finally {
    await local.close();
  }
}

async function profiled(local: LocalQueries, prepared: PreparedQuery): Promise<{ tree: ProfileNode; bytesRead: number; rows: number }> {
  const output = join(await mkdtemp(join(tmpdir(), 'opslake-profile-')), 'profile.json');
  const { sql, order } = toPositional(toDuckDbSql(prepared.sql));
  const values = order.map((name) => {
    const parameter = prepared.parameters.find((candidate) => candidate.name === name);
    return parameter?.type === 'integer' ? BigInt(parameter.value) : (parameter?.value ?? '');
  });
  await local.connection.run(`SET enable_profiling = 'json'`);
  await local.connection.run(`SET profiling_output = ${sqlLiteral(output)}`);
  const result = await local.connection.runAndReadAll(sql, values);
  await local.connection.run("SET enable_profiling = 'no_output'");
  const tree = JSON.parse(readFileSync(output, 'utf8')) as ProfileNode;
  await rm(join(output, '..'), { recursive: true, force: true });
  return { tree, bytesRead: Number(tree.total_bytes_read ?? 0), rows: result.currentRowCount };
}

interface ProfileNode {
  readonly operator_name?: string;
  readonly extra_info?: Record<string, unknown>;
  readonly children?: readonly ProfileNode[];
  readonly total_bytes_read?: number;
}

/** Every Parquet scan of the plan: its table (from the files it read), the columns it read or filtered on, its partition filter. */
function scansOf(node: ProfileNode, lakeDir: string): ScanTouch[] {
  const found: ScanTouch[] = [];
  const info = node.extra_info ?? {};
  if (info.Function === 'READ_PARQUET') {
    const file =
      String(info['Filename(s)'] ?? '')
        .split(',')[0]
        ?.trim() ?? '';
    const path = relative(lakeDir, file).split('/');
    const table = lakeTables().find((candidate) => path.join('/').startsWith(`${candidate.path}/`));
    if (table) {
      const dataColumns = new Set(table.columns.map((column) => column.name));
      const projected = (info.Projections as string[] | string | undefined) ?? [];
      const filterText = [info.Filters].flat().filter(Boolean).join(' ');
      const filtered = [...dataColumns].filter((column) => new RegExp(`\\b${column}\\b`).test(filterText));
      const columns = [...new Set([...[projected].flat(), ...filtered])].filter((column) => dataColumns.has(column));
      const fileFilter = typeof info['File Filters'] === 'string' ? info['File Filters'] : undefined;
      found.push({ table, columns, fileFilter });
    }
  }
  for (const child of node.children ?? []) found.push(...scansOf(child, lakeDir));
  return found;
}

/** The files of a table that the scan's partition filter keeps, found by evaluating that filter over the folder names. */
async function touchedFiles(local: LocalQueries, lakeDir: string, scan: ScanTouch): Promise<string[]> {
  const keys = scan.table.partitionKeys.map((key) => `regexp_extract(file, '/${key.name}=([^/]*)/', 1) AS "${key.name}"`).join(', ');
  const found = await rows(
    local,
    `SELECT file FROM (SELECT file, ${keys} FROM glob(${sqlLiteral(tableGlob(scan.table, lakeDir))})) ` +
      `WHERE ${scan.fileFilter ?? 'true'} ORDER BY file`,
  );
  return found.map((row) => String(row.file));
}

async function tableBytes(local: LocalQueries, lakeDir: string, table: LakeTable): Promise<number> {
  const [row] = await rows(
    local,
    `SELECT coalesce(sum(file_size_bytes), 0)::BIGINT AS bytes FROM parquet_file_metadata(${sqlLiteral(tableGlob(table, lakeDir))})`,
  );
  return Number(row?.bytes ?? 0);
}

/** Raw CloudTrail files delivered on `day` (all accounts and regions): what reading that day as JSON means. */
async function trailBytes(trailDir: string, day: string): Promise<number> {
  const datePath = `/${day.replaceAll('-', '/')}/`;
  let total = 0;
  for (const file of await walk(trailDir)) {
    if (file.endsWith('.json.gz') && /\/CloudTrail\//.test(file) && file.includes(datePath)) total += (await stat(file)).size;
  }
  return total;
}

/** The delivery day with the most raw CloudTrail bytes: a full day of the trail. */
async function busiestTrailDay(trailDir: string): Promise<string | undefined> {
  if (!existsSync(trailDir)) return undefined;
  const byDay = new Map<string, number>();
  for (const file of await walk(trailDir)) {
    const match = /\/CloudTrail\/[^/]+\/(\d{4})\/(\d{2})\/(\d{2})\//.exec(file);
    if (!match || !file.endsWith('.json.gz')) continue;
    const day = `${match[1]}-${match[2]}-${match[3]}`;
    byDay.set(day, (byDay.get(day) ?? 0) + (await stat(file)).size);
  }
  return [...byDay].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** Median time of every query of queries/ over the week, on one warm connection. */
async function timeEveryQuery(
  lakeDir: string,
  library: QueryLibrary,
  fromDay: string,
  toDay: string,
): Promise<Array<{ query: string; rows: number; medianMs: number }>> {
  const local = await openLocalQueries({ lakeDir, library });
  try {
    const results = [];
    for (const query of library.queries) {
      const given: Record<string, string> = {};
      for (const parameter of query.parameters) {
        if (parameter.name === 'from_day') given[parameter.name] = fromDay;
        if (parameter.name === 'to_day') given[parameter.name] = toDay;
        if (parameter.name === 'from_time') given[parameter.name] = `${fromDay} 00:00:00`;
        if (parameter.name === 'to_time') given[parameter.name] = `${addDays(toDay, 1)} 00:00:00`;
      }
      const prepared = library.prepare(query.name, given);
      const times: number[] = [];
      let count = 0;
      for (let run = 0; run < TIMED_RUNS; run += 1) {
        const start = performance.now();
        count = (await collectRows(local.engine.pages(prepared))).rows.length;
        times.push(performance.now() - start);
      }
      results.push({ query: query.name, rows: count, medianMs: median(times) });
    }
    return results;
  } finally {
    await local.close();
  }
}

function printReport(report: {
  dir: string;
  buildSeconds: number;
  busySeconds: number;
  busy: string;
  measured: readonly Measured[];
  timings: ReadonlyArray<{ query: string; rows: number; medianMs: number }>;
  lakeBytes: number;
}): void {
  const out: string[] = [];
  out.push(`Demo: ${report.dir} (${formatBytes(report.lakeBytes)} of Parquet; built or found in ${report.buildSeconds.toFixed(0)} s)`);
  out.push(`Busy trail: ${report.busy} (generated and ingested, or found, in ${report.busySeconds.toFixed(0)} s)`);
  out.push('');
  out.push(
    '| question | query | partitions x columns touched | lake bytes read (column chunks) | baseline | baseline bytes | ratio | ' +
      'target <= 0.1 | + footers of touched files | DuckDB bytes read (measured) | DuckDB median |',
  );
  out.push('|---|---|---|---:|---|---:|---:|---|---:|---:|---:|');
  for (const entry of report.measured) {
    if (entry.files === 0) {
      out.push(`| ${entry.question.label} | ${entry.question.query} | no data in these days | | | | | n/a | | | |`);
      continue;
    }
    const ratio = entry.columnBytes / entry.baselineBytes;
    const withFooters = (entry.columnBytes + entry.footerBytes) / entry.baselineBytes;
    const touched = entry.scans.map((scan) => `${scan.table.name}(${scan.columns.join(', ')})`).join('; ');
    out.push(
      `| ${entry.question.label} | ${entry.question.query} | ${entry.files} files; ${touched} | ${formatBytes(entry.columnBytes)} | ` +
        `${entry.question.baseline === 'raw-gzip' ? `raw gzip JSON delivered ${entry.question.day}` : 'full read of the tables'} | ` +
        `${formatBytes(entry.baselineBytes)} | ` +
        `${ratio.toFixed(3)} | ${entry.question.informational ? 'n/a (for comparison)' : ratio <= TARGET ? 'met' : 'MISSED'} | ` +
        `${formatBytes(entry.columnBytes + entry.footerBytes)} (${withFooters.toFixed(3)}) | ${formatBytes(entry.duckdbBytesRead)} | ` +
        `${entry.medianMs.toFixed(1)} ms |`,
    );
  }
  out.push('');
  out.push(`DuckDB median of ${TIMED_RUNS} runs of every query of queries/ over the demo week (one thread, warm):`);
  out.push('');
  out.push('| query | rows | median |');
  out.push('|---|---:|---:|');
  for (const timing of report.timings) out.push(`| ${timing.query} | ${timing.rows} | ${timing.medianMs.toFixed(1)} ms |`);
  out.push('');
  out.push(`Peak RSS: ${formatBytes(process.resourceUsage().maxRSS * 1024)}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

async function hasDay(lakeDir: string, day: string): Promise<boolean> {
  const clusters = await readdir(join(lakeDir, 'redshift', 'stl_query')).catch(() => []);
  return clusters.some((cluster) => existsSync(join(lakeDir, 'redshift', 'stl_query', cluster, `day=${day}`)));
}

async function rows(local: LocalQueries, sql: string): Promise<Record<string, unknown>[]> {
  return (await local.connection.runAndReadAll(sql)).getRowObjectsJson();
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else files.push(path);
  }
  return files;
}

async function folderBytes(dir: string): Promise<number> {
  return sumAsync((await walk(dir)).filter((file) => file.endsWith('.parquet')).map(async (file) => (await stat(file)).size));
}

async function sumAsync(values: ReadonlyArray<Promise<number>>): Promise<number> {
  return (await Promise.all(values)).reduce((total, value) => total + value, 0);
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

await main();
