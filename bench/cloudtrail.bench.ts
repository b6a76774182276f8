/**
 * CloudTrail ingestion benchmark (`npm run bench -- cloudtrail [events] [--rounds N] [--skip-big]`).
 *
 * Generates (once, cached under .bench/cloudtrail/) a realistic trail of at least 1,000,000
 * events in gzip files of 1,000-5,000 events, and one file of 500 MB of uncompressed JSON.
 * Then measures, each run in its own process pinned to one core (so that CPU and peak RSS are
 * its own), the full ingestion path (read, flatten, write partitioned Parquet into a local
 * lake) against a baseline measured in the same run: DuckDB reading the same files with
 * `read_json` and writing them to one Parquet file, with no flattening or partitioning.
 * A reference is measured too: DuckDB alone flattening the same files through the same typed
 * columns into one object per (file, partition), with none of the ingest's checks; it tells what
 * any DuckDB-based flattening under the lake's layout can reach on this machine.
 * Runs alternate (baselines, reference, ingest, baselines, ...) and the best of each is kept,
 * because the machine may be shared. Prints a markdown table with rates, peak RSS and ratios.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDemoTrail, writeLargeTrailFile } from '../pipeline/simulators/cloudtrail/demo-trail.js';
import { ingestCloudTrail } from '../pipeline/cloudtrail/ingest-cloudtrail.js';
import { recordSelectList, recordStructType } from '../pipeline/cloudtrail/cloudtrail-sql.js';
import { openDuckDb, sqlLiteral } from '../pipeline/duckdb/duckdb-engine.js';
import { FileStateStore } from '../pipeline/state/file-state-store.js';
import { LocalObjectStore } from '../pipeline/store/local-object-store.js';

const SELF = fileURLToPath(import.meta.url);
const DATA_ROOT = join(fileURLToPath(new URL('..', import.meta.url)), '.bench', 'cloudtrail');
const BIG_FILE_BYTES = 500 * 1000 * 1000;
const START = new Date('2026-03-01T00:00:00Z');

interface Measurement {
  readonly case: string;
  readonly events: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly maxRssMb: number;
  readonly inputBytes: number;
  readonly outputBytes: number;
  readonly note?: string;
}

function filesUnder(dir: string, test: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path, test));
    else if (test(path)) out.push(path);
  }
  return out.sort();
}

function sizeOf(paths: readonly string[]): number {
  return paths.reduce((sum, path) => sum + statSync(path).size, 0);
}

// ---------------------------------------------------------------- one measurement (child process)

async function runCase(name: string, data: string): Promise<Measurement> {
  const work = await mkdtemp(join(tmpdir(), 'opslake-bench-cloudtrail-'));
  const started = performance.now();
  const cpu = process.cpuUsage();
  let events = 0;
  let inputBytes = 0;
  let outputBytes = 0;
  let note: string | undefined;
  try {
    const big = name.endsWith('-big');
    const trail = big ? join(data, 'big') : join(data, 'trail');
    const logs = filesUnder(trail, (path) => /[/]CloudTrail(-Insight)?[/]/.test(path) && path.endsWith('.json.gz'));
    inputBytes = sizeOf(logs);
    if (name.startsWith('duckdb-typed')) {
      // A reference, not a product path: DuckDB alone flattening the files through the same
      // typed STRUCT and writing one object per (file, partition), with none of the ingest's
      // checks (no unknown fields kept, a bad file fails the lot). Events files only.
      const eventLogs = logs.filter((path) => /[/]CloudTrail[/]/.test(path));
      inputBytes = sizeOf(eventLogs);
      const { instance, connection } = await openDuckDb({ threads: 1, tempDirectory: work });
      const out = join(work, 'typed');
      const structType = sqlLiteral(`${recordStructType('events')}[]`);
      const read = `read_json([${eventLogs.map(sqlLiteral).join(', ')}], columns = {Records: ${structType}}, filename = true)`;
      const records = `SELECT unnest(record), filename FROM (SELECT unnest(Records) AS record, filename FROM ${read})`;
      const select =
        `SELECT ${recordSelectList('events', 'filename')}, hash(filename) AS file_id, ` + `left("eventTime", 10) AS day FROM (${records})`;
      await connection.run('SET partitioned_write_flush_threshold = 16384');
      // `-one`: the same flattening into a single Parquet file, as the baselines write.
      const single = name.endsWith('-one');
      if (single) await mkdir(out);
      await connection.run(
        `COPY (${select}) TO ${sqlLiteral(single ? join(out, 'all.parquet') : out)} ` +
          '(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE 16384' +
          `${single ? '' : ', PARTITION_BY (file_id, recipientaccountid, awsregion, day)'})`,
      );
      const counted = await connection.runAndReadAll(
        `SELECT count(*), count(DISTINCT filename) FROM read_parquet(${sqlLiteral(`${out}/**/*.parquet`)}, filename = true)`,
      );
      const [rows, objects] = firstRow(counted.getRows());
      events = Number(rows);
      note = `${Number(objects)} objects`;
      outputBytes = sizeOf(filesUnder(out, (path) => path.endsWith('.parquet')));
      connection.closeSync();
      instance.closeSync();
    } else if (name.startsWith('baseline')) {
      const { instance, connection } = await openDuckDb({ threads: 1, tempDirectory: work });
      const out = join(work, 'baseline.parquet');
      const list = `[${logs.map(sqlLiteral).join(', ')}]`;
      // A single object larger than read_json's default 16 MB limit needs the limit raised.
      const objectSize = big ? ', maximum_object_size = 1073741824' : '';
      // `read_json` as one would write it fails on real trails (a schema inferred from a sample of
      // one file meets other files' fields): `union_by_name` is the fix its own error suggests.
      // `Records` read as JSON[] is the fastest form of all: no schema, each record kept whole.
      const read = name.startsWith('baseline-json')
        ? `SELECT unnest(Records) AS record FROM read_json(${list}, columns = {Records: 'JSON[]'}${objectSize})`
        : `SELECT * FROM read_json(${list}, union_by_name = true${objectSize})`;
      await connection.run(`COPY (${read}) TO ${sqlLiteral(out)} (FORMAT parquet, COMPRESSION zstd)`);
      const counted = await connection.runAndReadAll(
        name.startsWith('baseline-json')
          ? `SELECT count(*) FROM read_parquet(${sqlLiteral(out)})`
          : `SELECT sum(len(Records)) FROM read_parquet(${sqlLiteral(out)})`,
      );
      events = Number(firstRow(counted.getRows())[0]);
      outputBytes = statSync(out).size;
      connection.closeSync();
      instance.closeSync();
    } else {
      const lake = join(work, 'lake');
      const summary = await ingestCloudTrail({
        source: new LocalObjectStore(trail),
        lake: new LocalObjectStore(lake),
        // The ledger is part of live ingestion's cost: a fresh one, so every file is ingested.
        state: new FileStateStore(join(work, `state-${Date.now()}`)),
        cloudtrailLatenessMinutes: 120,
        tempDirectory: work,
        memoryLimit: '256MB',
        force: true,
      });
      events = summary.events + summary.insights;
      outputBytes = summary.parquetBytes;
      note = `${summary.objectsWritten} objects, ${summary.partitionsWritten} partitions, ${summary.quarantined.length} quarantined`;
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const used = process.cpuUsage(cpu);
  return {
    case: name,
    events,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    inputBytes,
    outputBytes,
    ...(note ? { note } : {}),
  };
}

// ---------------------------------------------------------------- data (cached)

async function ensureData(events: number): Promise<string> {
  const dir = join(DATA_ROOT, `events-${events}`);
  const marker = join(dir, 'ready.json');
  if (existsSync(marker)) return dir;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  console.log(
    `generating ${events.toLocaleString('en-US')} events in files of 1,000-5,000 events under ${relative(process.cwd(), dir)} (once) ...`,
  );
  let started = performance.now();
  const trail = await generateDemoTrail({
    dir: join(dir, 'trail'),
    clusterNames: ['analytics', 'etl'],
    start: START,
    seed: 20260301,
    hours: 24 * 30,
    fileIntervalMinutes: 5,
    eventsPerFile: [1_000, 5_000],
    maxEvents: events,
  });
  console.log(
    `  ${trail.logFiles} files, ${(trail.compressedBytes / 1e6).toFixed(0)} MB gzip, ` +
      `${(trail.uncompressedBytes / 1e6).toFixed(0)} MB JSON, ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  started = performance.now();
  const bigKey =
    'AWSLogs/444455556666/CloudTrail/us-east-1/2026/03/01/444455556666_CloudTrail_us-east-1_20260301T1200Z_BigBenchFile0001.json.gz';
  const big = await writeLargeTrailFile({
    path: join(dir, 'big', ...bigKey.split('/')),
    seed: 7,
    start: START,
    uncompressedBytes: BIG_FILE_BYTES,
  });
  console.log(
    `  one file of ${(big.uncompressedBytes / 1e6).toFixed(0)} MB JSON (${big.events.toLocaleString('en-US')} events), ` +
      `${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  await writeFile(marker, JSON.stringify({ events: trail.events, files: trail.logFiles, bigEvents: big.events }));
  return dir;
}

// ---------------------------------------------------------------- driver

function measure(name: string, data: string): Measurement {
  // One core, as the targets are stated: the last CPU, so that a shared machine's first one stays free.
  const cpu = availableParallelism() - 1;
  const node = [process.execPath, '--import', 'tsx', SELF, '--case', name, '--data', data];
  const pinned = existsSync('/usr/bin/taskset') ? ['/usr/bin/taskset', '-c', String(cpu), ...node] : node;
  const [command = process.execPath, ...rest] = pinned;
  const run = spawnSync(command, rest, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !line.startsWith('{')) throw new Error(`${name} failed (exit ${run.status})`);
  return JSON.parse(line) as Measurement;
}

/** The first row of a result that always has one (a count). */
function firstRow<T>(rows: readonly T[][]): T[] {
  const [first] = rows;
  if (first === undefined) throw new Error('the query returned no row');
  return first;
}

/** The value after an option on the command line. */
function argument(args: readonly string[], at: number, option: string): string {
  const value = args[at];
  if (value === undefined) throw new Error(`${option} needs a value`);
  return value;
}

function best(runs: readonly Measurement[]): Measurement {
  return runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

function row(m: Measurement, ratio: string): string {
  const label =
    {
      baseline: 'read_json (union_by_name) -> 1 Parquet',
      'baseline-json': 'read_json (Records JSON[]) -> 1 Parquet',
      'duckdb-typed-one': 'reference: DuckDB alone, typed -> 1 Parquet, no checks',
      'duckdb-typed': 'reference: DuckDB alone, typed, 1 object per (file, partition), no checks',
      ingest: 'opslake ingest',
      'baseline-json-big': '500 MB file: read_json (JSON[])',
      'ingest-big': '500 MB file: opslake ingest',
    }[m.case] ?? m.case;
  const eventsPerSecond = m.events / m.seconds;
  const mbPerSecond = m.inputBytes / 1e6 / m.seconds;
  const cells = [
    label,
    m.events.toLocaleString('en-US'),
    (m.inputBytes / 1e6).toFixed(0),
    m.seconds.toFixed(1),
    m.cpuSeconds.toFixed(1),
    Math.round(eventsPerSecond).toLocaleString('en-US'),
    mbPerSecond.toFixed(1),
    Math.round(m.maxRssMb),
    (m.outputBytes / 1e6).toFixed(1),
    ratio,
  ];
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const caseAt = args.indexOf('--case');
  if (caseAt >= 0) {
    const result = await runCase(argument(args, caseAt + 1, '--case'), argument(args, args.indexOf('--data') + 1, '--data'));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const events = Number(args.find((arg) => /^\d+$/.test(arg)) ?? 1_000_000);
  const roundsAt = args.indexOf('--rounds');
  const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 2;
  const data = await ensureData(events);

  const names = ['baseline', 'baseline-json', 'duckdb-typed-one', 'duckdb-typed', 'ingest'] as const;
  const runs = Object.fromEntries(names.map((name) => [name, [] as Measurement[]])) as Record<(typeof names)[number], Measurement[]>;
  for (let round = 0; round < rounds; round += 1) {
    for (const name of names) runs[name].push(measure(name, data));
    console.log(
      `round ${round + 1}: ${Object.entries(runs)
        .map(([name, list]) => `${name} ${list.at(-1)?.seconds.toFixed(1)} s (CPU ${list.at(-1)?.cpuSeconds.toFixed(1)} s)`)
        .join(', ')}`,
    );
  }
  const baseline = best(runs.baseline);
  const baselineJson = best(runs['baseline-json']);
  const typed = best(runs['duckdb-typed']);
  const typedOne = best(runs['duckdb-typed-one']);
  const ingest = best(runs.ingest);
  const rate = (m: Measurement) => m.events / m.seconds;
  const header = [
    '| run | events | gzip MB in | seconds | CPU s | events/s | gzip MB/s | peak RSS MB | Parquet MB | ingest rate / this rate |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const lines = [
    ...header,
    row(baseline, `${(rate(ingest) / rate(baseline)).toFixed(2)}x`),
    row(baselineJson, `${(rate(ingest) / rate(baselineJson)).toFixed(2)}x`),
    row(typedOne, `${(rate(ingest) / rate(typedOne)).toFixed(2)}x`),
    row(typed, `${(rate(ingest) / rate(typed)).toFixed(2)}x`),
    row(ingest, ''),
  ];
  const checks: string[] = [];
  checks.push(
    `ingest >= 0.8x read_json (union_by_name): ${rate(ingest) / rate(baseline) >= 0.8 ? 'met' : 'NOT met'} ` +
      `(${(rate(ingest) / rate(baseline)).toFixed(2)}x)`,
  );
  checks.push(
    `ingest >= 0.8x read_json (Records as JSON[]): ${rate(ingest) / rate(baselineJson) >= 0.8 ? 'met' : 'NOT met'} ` +
      `(${(rate(ingest) / rate(baselineJson)).toFixed(2)}x)`,
  );
  for (const [what, reference] of [
    ['DuckDB alone flattening into one Parquet file, no checks', typedOne],
    ['DuckDB alone flattening into one object per (file, partition), no checks', typed],
  ] as const) {
    checks.push(
      `reference, ${what}: ${(rate(reference) / rate(baselineJson)).toFixed(2)}x read_json (Records as JSON[]), ` +
        `${(rate(reference) / rate(baseline)).toFixed(2)}x read_json (union_by_name)`,
    );
  }
  if (ingest.events !== baselineJson.events) checks.push(`event counts differ: ingest ${ingest.events}, baseline ${baselineJson.events}`);

  if (!args.includes('--skip-big')) {
    const bigBaseline = measure('baseline-json-big', data);
    const bigIngest = measure('ingest-big', data);
    console.log(`500 MB file: baseline ${bigBaseline.seconds.toFixed(1)} s, ingest ${bigIngest.seconds.toFixed(1)} s`);
    lines.push(row(bigBaseline, `${(rate(bigIngest) / rate(bigBaseline)).toFixed(2)}x`), row(bigIngest, ''));
    const bigOk = bigIngest.maxRssMb < 512 && bigIngest.seconds < bigBaseline.seconds && bigIngest.events === bigBaseline.events;
    checks.push(
      `500 MB file under 512 MB peak RSS and faster than the baseline: ${bigOk ? 'met' : 'NOT met'} ` +
        `(${Math.round(bigIngest.maxRssMb)} MB, ${bigIngest.seconds.toFixed(1)} s vs ${bigBaseline.seconds.toFixed(1)} s)`,
    );
  }
  const ready = JSON.parse(await readFile(join(data, 'ready.json'), 'utf8')) as { files: number };
  console.log(`\n${ready.files} files of 1,000-5,000 events; best of ${rounds} alternating runs, each in its own process on one core.\n`);
  console.log(lines.join('\n'));
  console.log(`\nParquet / gzip JSON size: ${(ingest.outputBytes / ingest.inputBytes).toFixed(2)} (many files)`);
  console.log(checks.map((check) => `- ${check}`).join('\n'));
  process.exitCode = checks.some((check) => check.includes('NOT met') || check.startsWith('event counts')) ? 1 : 0;
}

await main();
