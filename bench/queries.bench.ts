/**
 * What the lake layout saves a query: for three typical questions, the bytes the query must read
 * from the lake (the column chunks of the columns it touches, in the partitions it touches) against
 * the bytes of the same data as raw gzip JSON (CloudTrail) or as a full-table read (Redshift), and
 * the DuckDB query times on the demo lake.
 *
 *   npm run bench -- queries                       # builds a week-long demo in a temp folder
 *   npm run bench -- queries --dir <demo folder>   # reuses a demo folder (opslake demo --dir)
 *   npm run bench -- queries --trail-dir <folder>  # reuses the realistic trail of an earlier run
 *   npm run bench -- queries --org-dir <folder>    # the organization day of `npm run bench -- organization-day`
 *
 * Every question is asked of the lake before compaction (its live folders, through an empty
 * catalog) and after (through the catalog compaction switched, which reads the compacted
 * generations): compaction keeps the objects it supersedes for its grace period, so both are
 * there to read. The target (a tenth of the baseline or less, footers included) is held after
 * compaction.
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
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runDemo } from '../jobs/cli/demo/run-demo.js';
import { sqlLiteral } from '../pipeline/duckdb/duckdb-engine.js';
import { collectRows } from '../pipeline/ports/query-engine.js';
import { openLocalQueries } from '../pipeline/query/local-queries.js';
import { QueryLibrary } from '../pipeline/query/query-library.js';
import { newestDay } from '../pipeline/report/write-report.js';
import { lakeTables } from '../pipeline/tables/registry.js';
import { busiestTrailDay, folderBytes, hasDay, sumAsync, trailBytes } from './support/bench-folders.js';
import { buildBusyTrail, compactTrailLake } from './support/busy-trail.js';
import { catalogTableBytes, touchedCatalogFiles } from './support/catalog-files.js';
import { profiled, rows, scansOf } from './support/query-profile.js';
import { type Measured, printReport, type Question, TARGET, TIMED_RUNS, withFooters } from './support/queries-report.js';

/** A Wednesday: the simulated analysts run their weekday queries (nested loops among them) in the week before. */
const DEMO_NOW = new Date('2024-03-06T18:00:00Z');
/** Where `npm run bench -- organization-day` leaves its default day. */
const DEFAULT_ORG_DIR = fileURLToPath(new URL('../.bench/organization-day/50000-files', import.meta.url));

const { values: flags } = parseArgs({
  options: {
    dir: { type: 'string' },
    'trail-dir': { type: 'string' },
    'org-dir': { type: 'string' },
    hours: { type: 'string', default: '168' },
  },
});

async function main(): Promise<void> {
  const started = Date.now();
  const scratch = await mkdtemp(join(tmpdir(), 'opslake-bench-queries-'));
  try {
    process.stdout.write(
      `Load average at the start: ${loadavg()
        .map((value) => value.toFixed(2))
        .join(', ')}\n`,
    );
    const dir = flags.dir ? resolve(flags.dir) : join(scratch, 'demo');
    if (!existsSync(join(dir, 'lake'))) {
      process.stderr.write(`Building a ${flags.hours}-hour demo in ${dir} ...\n`);
      await runDemo({ dir, now: DEMO_NOW, historyHours: Number(flags.hours), progress: process.stderr, out: process.stderr });
    }
    const buildSeconds = (Date.now() - started) / 1000;
    const lakeDir = join(dir, 'lake');
    const trailDir = join(dir, 'trail');
    const demoCatalog = join(dir, 'catalog.duckdb');
    const library = await QueryLibrary.load();
    const redshiftTables = lakeTables().filter((table) => table.path.startsWith('redshift/'));
    const last = (await newestDay(lakeDir, redshiftTables)) ?? DEMO_NOW.toISOString().slice(0, 10);
    // The last complete day, when the lake has one.
    const fullDay = (await hasDay(lakeDir, addDays(last, -1))) ? addDays(last, -1) : last;

    const busy = resolve(flags['trail-dir'] ?? join(scratch, 'busy-trail'));
    const busyStarted = Date.now();
    if (!existsSync(join(busy, 'lake'))) await buildBusyTrail(busy, fullDay);
    if (!existsSync(join(busy, 'catalog.duckdb'))) await compactTrailLake(busy);
    const busySeconds = (Date.now() - busyStarted) / 1000;
    const busyDay = await busiestTrailDay(join(busy, 'trail'));
    const demoTrailDay = await busiestTrailDay(trailDir);
    const org = flags['org-dir'] ? resolve(flags['org-dir']) : DEFAULT_ORG_DIR;
    const orgDay = existsSync(join(org, 'catalog.duckdb')) ? await busiestTrailDay(join(org, 'trail')) : undefined;
    if (flags['org-dir'] && orgDay === undefined)
      throw new Error(`${org} holds no compacted organization day (npm run bench -- organization-day)`);

    const demo = { lakeDir, trailDir, catalogPath: demoCatalog };
    const questions: Question[] = [
      {
        label: 'Hourly statements per cluster, one week',
        ...demo,
        query: 'redshift_hourly_statements',
        parameters: { from_day: addDays(last, -6), to_day: last },
        baseline: 'full-table',
      },
      ...(busyDay ? [accessDenied('busy trail', busy, busyDay)] : []),
      ...(orgDay ? [accessDenied('organization day', org, orgDay)] : []),
      ...(demoTrailDay ? [{ ...accessDenied("the demo's small trail files", dir, demoTrailDay), informational: true }] : []),
      {
        label: 'Slowest fingerprints with text and alerts, one day',
        ...demo,
        query: 'redshift_slowest_fingerprints',
        parameters: { from_day: fullDay, to_day: fullDay },
        baseline: 'full-table',
      },
      {
        label: 'Slowest fingerprints with text and alerts, one week',
        ...demo,
        query: 'redshift_slowest_fingerprints',
        parameters: { from_day: addDays(last, -6), to_day: last },
        baseline: 'full-table',
        informational: true,
      },
    ];

    const measured: Measured[] = [];
    for (const question of questions) {
      // Before compaction (the live folders, an empty catalog), then after (the catalog compaction switched).
      measured.push(await measure(library, { ...question, catalogPath: undefined, informational: true }));
      measured.push(await measure(library, question));
    }
    const timings = {
      before: await timeEveryQuery(lakeDir, undefined, library, addDays(last, -6), last),
      after: await timeEveryQuery(lakeDir, demoCatalog, library, addDays(last, -6), last),
    };

    printReport({ dir, buildSeconds, busySeconds, busy, measured, timings, lakeBytes: await folderBytes(lakeDir) });
    const missed = measured.filter((entry) => !entry.question.informational && !(withFooters(entry) <= TARGET));
    if (missed.length > 0) {
      process.stdout.write(`\nTarget missed: ${missed.map((entry) => entry.question.label).join('; ')}.\n`);
      process.exitCode = 1;
    }
    process.stdout.write(
      `Load average at the end: ${loadavg()
        .map((value) => value.toFixed(2))
        .join(', ')}\n`,
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The access-denied question over one day of the trail under `folder` (its lake, trail and catalog). */
function accessDenied(what: string, folder: string, day: string): Question {
  return {
    label: `Access-denied errors by principal, one day (${what})`,
    lakeDir: join(folder, 'lake'),
    trailDir: join(folder, 'trail'),
    catalogPath: join(folder, 'catalog.duckdb'),
    query: 'cloudtrail_access_denied',
    parameters: { from_day: day, to_day: day },
    baseline: 'raw-gzip',
    day,
  };
}

/** Runs one question under DuckDB's profiler and works out what it touched. */
async function measure(library: QueryLibrary, question: Question): Promise<Measured> {
  const { lakeDir, trailDir } = question;
  const local = await openLocalQueries({ lakeDir, library, ...(question.catalogPath ? { catalogPath: question.catalogPath } : {}) });
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
      const touched = await touchedCatalogFiles(local, lakeDir, scan);
      if (touched.length === 0) continue;
      files += touched.length;
      const list = `[${touched.map(sqlLiteral).join(', ')}]`;
      const columns = `[${scan.columns.map(sqlLiteral).join(', ')}]`;
      const [chunks] = await rows(
        local,
        `SELECT coalesce(sum(total_compressed_size), 0)::BIGINT AS bytes FROM parquet_metadata(${list})
         WHERE list_contains(${columns}, path_in_schema)`,
      );
      const [footers] = await rows(local, `SELECT coalesce(sum(footer_size), 0)::BIGINT AS bytes FROM parquet_file_metadata(${list})`);
      columnBytes += Number(chunks?.bytes ?? 0);
      footerBytes += Number(footers?.bytes ?? 0);
    }
    const tables = [...new Set(scans.map((scan) => scan.table))];
    const baselineBytes =
      question.baseline === 'raw-gzip'
        ? await trailBytes(trailDir, question.day ?? '')
        : await sumAsync(tables.map((table) => catalogTableBytes(local, lakeDir, table)));
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

/** Median time of every query of queries/ over the week, on one warm connection. */
async function timeEveryQuery(
  lakeDir: string,
  catalogPath: string | undefined,
  library: QueryLibrary,
  fromDay: string,
  toDay: string,
): Promise<Array<{ query: string; rows: number; medianMs: number }>> {
  const local = await openLocalQueries({ lakeDir, library, ...(catalogPath ? { catalogPath } : {}) });
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

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

await main();
