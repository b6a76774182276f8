/**
 * What a filter on the partition columns of cloudtrail_logs (the documentation's table as a view)
 * saves: the same question, written for the documentation's table, with no partition filter, with
 * the manual-partitioning table's year/month/day, with the projection table's timestamp, with
 * account and region too; and the typed cloudtrail_events with our day, for comparison. For each,
 * the files and bytes it must read (column chunks of the columns it touches, in the files its
 * partition filter keeps: bench/support/scan-bytes.ts) and the DuckDB time.
 *
 *   npm run bench -- compat-queries                      # generates and ingests two days of a busy trail
 *   npm run bench -- compat-queries --trail-dir <folder>  # reuses them (or a demo folder, with --day)
 *
 * It fails when a partition-filtered question reads a file outside the partitions it names.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ingestCloudTrail } from '../pipeline/cloudtrail/ingest-cloudtrail.js';
import { collectRows } from '../pipeline/ports/query-engine.js';
import { prepareAdHocQuery } from '../pipeline/query/ad-hoc-query.js';
import { openLocalQueries } from '../pipeline/query/local-queries.js';
import { generateDemoTrail } from '../pipeline/simulators/cloudtrail/demo-trail.js';
import { FileStateStore } from '../pipeline/state/file-state-store.js';
import { LocalObjectStore } from '../pipeline/store/local-object-store.js';
import { scanBytes, type ScanBytes } from './support/scan-bytes.js';

const { values: flags } = parseArgs({ options: { 'trail-dir': { type: 'string' }, day: { type: 'string', default: '2024-03-05' } } });
/** The day the filters name: the second day of the generated trail (or the day given with --day). */
const DAY = flags.day ?? '2024-03-05';
const [YEAR, MONTH, DD] = DAY.split('-');
const ACCOUNT = '444455556666';
const REGION = 'us-east-1';
const TIMED_RUNS = 5;
const DENIED = "errorcode IN ('AccessDenied', 'AccessDeniedException', 'Client.UnauthorizedOperation')";

interface Question {
  readonly label: string;
  readonly sql: string;
  /** The day partitions (and account/region) the question's filter names; undefined for none. */
  readonly partitions?: { readonly day: string; readonly account?: string; readonly region?: string };
}

const documented = (filter: string) =>
  `SELECT useridentity.arn AS principal, eventsource, count(*) AS errors
FROM cloudtrail_logs
WHERE ${DENIED}${filter}
GROUP BY 1, 2
ORDER BY errors DESC`;

const QUESTIONS: readonly Question[] = [
  { label: 'cloudtrail_logs, no partition filter', sql: documented('') },
  {
    label: "cloudtrail_logs, year/month/day (manual-partitioning table's)",
    sql: documented(`\n  AND year = '${YEAR}' AND month = '${MONTH}' AND day = '${DD}'`),
    partitions: { day: DAY },
  },
  {
    label: "cloudtrail_logs, timestamp (projection table's)",
    sql: documented(`\n  AND "timestamp" = '${DAY.replaceAll('-', '/')}'`),
    partitions: { day: DAY },
  },
  {
    label: 'cloudtrail_logs, account, region and timestamp',
    sql: documented(`\n  AND account = '${ACCOUNT}' AND region = '${REGION}' AND "timestamp" = '${DAY.replaceAll('-', '/')}'`),
    partitions: { day: DAY, account: ACCOUNT, region: REGION },
  },
  {
    label: 'cloudtrail_events (typed), our day, for comparison',
    sql: `SELECT useridentity_arn AS principal, eventsource, count(*) AS errors
FROM cloudtrail_events
WHERE ${DENIED} AND day = '${DAY}'
GROUP BY 1, 2
ORDER BY errors DESC`,
    partitions: { day: DAY },
  },
];

async function main(): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'opslake-bench-compat-'));
  try {
    const folder = resolve(flags['trail-dir'] ?? join(scratch, 'busy-trail'));
    const lakeDir = join(folder, 'lake');
    const started = Date.now();
    if (!existsSync(lakeDir)) await buildTrail(folder);
    const buildSeconds = (Date.now() - started) / 1000;
    const local = await openLocalQueries({ lakeDir });
    const out: string[] = [`Busy trail: ${folder} (generated and ingested, or found, in ${buildSeconds.toFixed(0)} s)`, ''];
    out.push('| question | files read / files | column bytes read | + footers | DuckDB bytes read | rows | DuckDB median |');
    out.push('|---|---:|---:|---:|---:|---:|---:|');
    const failures: string[] = [];
    try {
      for (const question of QUESTIONS) {
        const prepared = prepareAdHocQuery('bench', question.sql);
        const measured = await scanBytes(local, lakeDir, prepared);
        const times: number[] = [];
        for (let run = 0; run < TIMED_RUNS; run += 1) {
          const start = performance.now();
          await collectRows(local.engine.pages(prepared));
          times.push(performance.now() - start);
        }
        out.push(row(question, measured, median(times)));
        if (question.partitions) {
          const expected = await partitionFiles(lakeDir, question.partitions);
          if (measured.files !== expected)
            failures.push(`${question.label}: read ${measured.files} files, its partitions hold ${expected}`);
        }
      }
    } finally {
      await local.close();
    }
    out.push('', `Peak RSS: ${formatBytes(process.resourceUsage().maxRSS * 1024)}`);
    process.stdout.write(`${out.join('\n')}\n`);
    if (failures.length > 0) {
      process.stdout.write(`\nPartition pruning failed: ${failures.join('; ')}\n`);
      process.exitCode = 1;
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Two days of a trail shaped like a busy organization's (as bench/queries.bench.ts builds one), ingested. */
async function buildTrail(folder: string): Promise<void> {
  process.stderr.write(`Generating and ingesting two busy days of CloudTrail (${DAY} and the day before) in ${folder} ...\n`);
  const trail = await generateDemoTrail({
    dir: join(folder, 'trail'),
    clusterNames: ['analytics', 'etl'],
    start: new Date(Date.parse(`${DAY}T00:00:00Z`) - 86_400_000),
    hours: 48,
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
  process.stderr.write(`  ${trail.logFiles} files, ${trail.events} events -> ${ingested.objectsWritten} Parquet objects\n`);
}

/** Files of cloudtrail_events in the partitions a filter names. */
async function partitionFiles(lakeDir: string, partitions: NonNullable<Question['partitions']>): Promise<number> {
  let count = 0;
  const events = join(lakeDir, 'cloudtrail', 'events');
  for (const account of await readdir(events)) {
    if (partitions.account && account !== `account=${partitions.account}`) continue;
    for (const region of await readdir(join(events, account))) {
      if (partitions.region && region !== `region=${partitions.region}`) continue;
      const day = join(events, account, region, `day=${partitions.day}`);
      if (existsSync(day)) count += (await readdir(day)).length;
    }
  }
  return count;
}

function row(question: Question, measured: ScanBytes, medianMs: number): string {
  const cells = [
    question.label,
    `${measured.files} / ${measured.filesInTables}`,
    formatBytes(measured.columnBytes),
    formatBytes(measured.columnBytes + measured.footerBytes),
    formatBytes(measured.bytesRead),
    String(measured.rows),
    `${medianMs.toFixed(0)} ms`,
  ];
  return `| ${cells.join(' | ')} |`;
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
