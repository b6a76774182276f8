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
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Measurement, runCase } from './support/cloudtrail-bench-case.js';
import { ensureData } from './support/cloudtrail-bench-data.js';
import { runOnOneCore } from './support/one-core-child.js';

const SELF = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------- driver

function measure(name: string, data: string): Measurement {
  return runOnOneCore<Measurement>(SELF, ['--case', name, '--data', data], name);
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
      'duckdb-typed-sorted': 'reference: DuckDB alone, typed, sorted by time -> 1 Parquet, no checks',
      'duckdb-typed': 'reference: DuckDB alone, typed, 1 object per (file, partition), no checks',
      ingest: 'opslake ingest (closed days: compacted directly)',
      'ingest-live': 'opslake ingest, live path (one object per file and partition)',
      'baseline-json-big': '500 MB file: read_json (JSON[])',
      'ingest-big': '500 MB file: opslake ingest',
    }[m.case] ?? m.case;
  const eventsPerSecond = Math.round(m.events / m.seconds).toLocaleString('en-US');
  const mbPerSecond = (m.inputBytes / 1e6 / m.seconds).toFixed(1);
  const cells = [
    label,
    m.events.toLocaleString('en-US'),
    (m.inputBytes / 1e6).toFixed(0),
    m.seconds.toFixed(1),
    m.cpuSeconds.toFixed(1),
    eventsPerSecond,
    mbPerSecond,
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
    const result = await runCase(args[caseAt + 1] ?? '', args[args.indexOf('--data') + 1] ?? '');
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const roundsAt = args.indexOf('--rounds');
  // The number after --rounds is not the events count.
  const events = Number(args.find((arg, at) => /^\d+$/.test(arg) && at !== roundsAt + 1) ?? 1_000_000);
  const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 2;
  const data = await ensureData(events);

  const names = ['baseline', 'baseline-json', 'duckdb-typed-one', 'duckdb-typed-sorted', 'duckdb-typed', 'ingest-live', 'ingest'] as const;
  const runs = Object.fromEntries(names.map((name) => [name, [] as Measurement[]])) as Record<(typeof names)[number], Measurement[]>;
  for (let round = 0; round < rounds; round += 1) {
    for (const name of names) runs[name].push(measure(name, data));
    const latest = Object.entries(runs).map(([name, list]) => {
      const last = list.at(-1);
      return `${name} ${last?.seconds.toFixed(1)} s (CPU ${last?.cpuSeconds.toFixed(1)} s)`;
    });
    console.log(`round ${round + 1}: ${latest.join(', ')}`);
  }
  const baseline = best(runs.baseline);
  const baselineJson = best(runs['baseline-json']);
  const typed = best(runs['duckdb-typed']);
  const typedOne = best(runs['duckdb-typed-one']);
  const typedSorted = best(runs['duckdb-typed-sorted']);
  const ingest = best(runs.ingest);
  const ingestLive = best(runs['ingest-live']);
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
    row(typedSorted, `${(rate(ingest) / rate(typedSorted)).toFixed(2)}x`),
    row(typed, `${(rate(ingest) / rate(typed)).toFixed(2)}x`),
    row(ingestLive, `${(rate(ingest) / rate(ingestLive)).toFixed(2)}x`),
    row(ingest, ''),
  ];
  const checks: string[] = [];
  const atLeast = (what: string, ratio: number) =>
    `ingest >= 0.8x ${what}: ${ratio >= 0.8 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}x, target 0.80x)`;
  checks.push(atLeast('read_json (union_by_name)', rate(ingest) / rate(baseline)));
  checks.push(atLeast('read_json (Records as JSON[])', rate(ingest) / rate(baselineJson)));
  for (const [what, reference] of [
    ['DuckDB alone flattening into one Parquet file, no checks', typedOne],
    ['DuckDB alone flattening into one Parquet file sorted by time (as a generation), no checks', typedSorted],
    ['DuckDB alone flattening into one object per (file, partition), no checks', typed],
  ] as const) {
    const ofJson = (rate(reference) / rate(baselineJson)).toFixed(2);
    const ofUnion = (rate(reference) / rate(baseline)).toFixed(2);
    checks.push(`reference, ${what}: ${ofJson}x read_json (Records as JSON[]), ${ofUnion}x read_json (union_by_name)`);
  }
  checks.push(`live path: ${(rate(ingestLive) / rate(baselineJson)).toFixed(2)}x read_json (Records as JSON[])`);
  checks.push(`direct path: ${ingest.note ?? ''}`);
  if (ingest.events !== baselineJson.events) checks.push(`event counts differ: ingest ${ingest.events}, baseline ${baselineJson.events}`);

  if (!args.includes('--skip-big')) {
    const bigBaseline = measure('baseline-json-big', data);
    const bigIngest = measure('ingest-big', data);
    console.log(`500 MB file: baseline ${bigBaseline.seconds.toFixed(1)} s, ingest ${bigIngest.seconds.toFixed(1)} s`);
    lines.push(row(bigBaseline, `${(rate(bigIngest) / rate(bigBaseline)).toFixed(2)}x`), row(bigIngest, ''));
    const bigOk = bigIngest.maxRssMb < 512 && bigIngest.seconds < bigBaseline.seconds && bigIngest.events === bigBaseline.events;
    const measured = `${Math.round(bigIngest.maxRssMb)} MB, ${bigIngest.seconds.toFixed(1)} s vs ${bigBaseline.seconds.toFixed(1)} s`;
    checks.push(`500 MB file under 512 MB peak RSS and faster than the baseline: ${bigOk ? 'met' : 'NOT met'} (${measured})`);
  }
  const ready = JSON.parse(await readFile(join(data, 'ready.json'), 'utf8')) as { files: number };
  console.log(`\n${ready.files} files of 1,000-5,000 events; best of ${rounds} alternating runs, each in its own process on one core.\n`);
  console.log(lines.join('\n'));
  console.log(`\nParquet / gzip JSON size: ${(ingest.outputBytes / ingest.inputBytes).toFixed(2)} (many files)`);
  console.log(checks.map((check) => `- ${check}`).join('\n'));
  process.exitCode = checks.some((check) => check.includes('NOT met') || check.startsWith('event counts')) ? 1 : 0;
}

await main();
