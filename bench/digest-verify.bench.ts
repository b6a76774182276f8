/**
 * Completeness check benchmark (`npm run bench -- digest-verify [accounts] [--regions N] [--interval M]`).
 *
 * Generates (once, cached under .bench/digest-verify/) an organization day: `accounts` (default
 * 100) accounts in `regions` (default 17) regions, a log file every `interval` (default 5)
 * minutes per account and region, hourly signed digests naming them, and the day's ingestion
 * ledger (see support/digest-verify-data.ts). Then measures, each in a process of its own pinned
 * to one core (CPU and peak RSS its own), what `opslake cloudtrail verify --public-key <pem>`
 * runs: `verifyCloudTrail` with the command's DuckDB settings (one thread, 256 MB) over the whole
 * bucket, and over one account's prefix. The baseline, measured in the same run, is the least any
 * check must do: list the bucket, read and parse every digest of the day and the next, and read
 * the day's ledger, checking nothing and writing nothing. Prints a markdown table.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parseCloudTrailKey } from '../pipeline/cloudtrail/cloudtrail-key.js';
import { PemDigestPublicKeys } from '../pipeline/cloudtrail/digest/pem-digest-public-keys.js';
import { addDays, verifyCloudTrail } from '../pipeline/cloudtrail/digest/verify-cloudtrail.js';
import { openDuckDb } from '../pipeline/duckdb/duckdb-engine.js';
import { ParquetWriter } from '../pipeline/lake/parquet-writer.js';
import { LocalObjectStore } from '../pipeline/store/local-object-store.js';
import { DAY, ensureOrganizationDay, FileLedger, type OrganizationDay } from './support/digest-verify-data.js';
import { runOnOneCore } from './support/one-core-child.js';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(fileURLToPath(new URL('..', import.meta.url)), '.bench', 'digest-verify');

interface Measurement {
  readonly case: string;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly maxRssMb: number;
  readonly logFiles: number;
  readonly digests: number;
  readonly objects: number;
  readonly findings: Record<string, number>;
}

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

// ---------------------------------------------------------------- measured cases

async function baseline(day: OrganizationDay, prefix: string): Promise<Omit<Measurement, 'case' | 'seconds' | 'cpuSeconds' | 'maxRssMb'>> {
  const source = new LocalObjectStore(day.trailDir);
  let digests = 0;
  let named = 0;
  for await (const info of source.list(prefix)) {
    const parsed = parseCloudTrailKey(info.key);
    if (!parsed.ok || parsed.key.kind !== 'digest' || parsed.key.deliveryDate > addDays(DAY, 1)) continue;
    await source.head(info.key);
    const digest = JSON.parse(gunzipSync(await source.getBytes(info.key)).toString('utf8')) as { logFiles: unknown[] };
    digests += 1;
    named += digest.logFiles.length;
  }
  let entries = 0;
  for await (const page of new FileLedger(day.ledgerPath).listLedgerEntries({ fromDay: DAY, toDay: DAY })) {
    entries += page.filter((entry) => entry.key.startsWith(prefix)).length;
  }
  return { logFiles: Math.max(named, entries), digests, objects: 0, findings: {} };
}

async function verify(day: OrganizationDay, prefix: string): Promise<Omit<Measurement, 'case' | 'seconds' | 'cpuSeconds' | 'maxRssMb'>> {
  const lakeDir = await mkdtemp(join(tmpdir(), 'opslake-bench-verify-'));
  const { instance, connection } = await openDuckDb({ threads: 1, memoryLimit: '256MB' });
  try {
    const summary = await verifyCloudTrail({
      source: new LocalObjectStore(day.trailDir),
      prefix,
      ledger: new FileLedger(day.ledgerPath),
      lake: new LocalObjectStore(lakeDir),
      writer: new ParquetWriter(connection),
      fromDay: DAY,
      toDay: DAY,
      publicKeys: await PemDigestPublicKeys.fromFile(day.publicKeyPath),
      tempDirectory: lakeDir,
    });
    const statuses = [
      'verified',
      'missing',
      'hash-mismatch',
      'not-in-digest',
      'digest-verified',
      'signature-invalid',
      'chain-broken',
    ] as const;
    return {
      logFiles: summary.total('log'),
      digests: summary.total('digest'),
      objects: summary.objects.length,
      findings: Object.fromEntries(statuses.map((status) => [status, summary.count(status)])),
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(lakeDir, { recursive: true, force: true });
  }
}

async function runCase(name: string, day: OrganizationDay): Promise<Measurement> {
  const prefix = name.endsWith('-account') ? day.oneAccountPrefix : '';
  const started = performance.now();
  const output = name.startsWith('baseline') ? await baseline(day, prefix) : await verify(day, prefix);
  const seconds = (performance.now() - started) / 1000;
  const usage = process.resourceUsage();
  return { case: name, seconds, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, maxRssMb: usage.maxRSS / 1024, ...output };
}

// ---------------------------------------------------------------- driver

function measure(name: string, dir: string): Measurement {
  return runOnOneCore<Measurement>(SELF, ['--case', name, '--data', dir], name);
}

const number = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const caseIndex = process.argv.indexOf('--case');
  if (caseIndex >= 0) {
    const { readFile } = await import('node:fs/promises');
    const dir = process.argv[process.argv.indexOf('--data') + 1] ?? '';
    const day = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as OrganizationDay;
    process.stdout.write(`${JSON.stringify(await runCase(process.argv[caseIndex + 1] ?? '', day))}\n`);
    return;
  }
  const positional = process.argv[2] !== undefined && /^\d+$/.test(process.argv[2]) ? Number(process.argv[2]) : 100;
  const options = { accounts: positional, regions: argument('--regions', 17), intervalMinutes: argument('--interval', 5) };
  const dir = join(ROOT, `${options.accounts}x${options.regions}-${options.intervalMinutes}min`);
  const generating = performance.now();
  const day = await ensureOrganizationDay(dir, options);
  console.log(
    `Organization day ${DAY}: ${number(day.streams)} account-regions, ${number(day.logFiles)} log files, ` +
      `${number(day.digests)} signed digests, ${number(day.ledgerEntries)} ledger entries ` +
      `(ready in ${number((performance.now() - generating) / 1000, 1)} s); planted ${JSON.stringify(day.planted)}`,
  );
  const runs = ['baseline', 'verify', 'baseline-account', 'verify-account'].map((name) => measure(name, dir));
  console.log('\n| run | log files | digests | objects written | seconds | CPU s | files/s | peak RSS (MB) | / baseline |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const run of runs) {
    const base = runs.find((candidate) => candidate.case === run.case.replace('verify', 'baseline'));
    const ratio = run.case.startsWith('verify') && base ? `${number(run.seconds / base.seconds, 2)}x` : '';
    console.log(
      `| ${run.case} | ${number(run.logFiles)} | ${number(run.digests)} | ${number(run.objects)} | ${number(run.seconds, 1)} | ` +
        `${number(run.cpuSeconds, 1)} | ${number(run.logFiles / run.seconds)} | ${number(run.maxRssMb)} | ${ratio} |`,
    );
  }
  const whole = runs.find((run) => run.case === 'verify');
  console.log(`\nFindings of the whole-bucket run: ${JSON.stringify(whole?.findings)}`);
  const found = whole?.findings ?? {};
  const expected = { missing: day.planted.missing, 'hash-mismatch': day.planted.changed, 'not-in-digest': day.planted.unlisted };
  const wrong = Object.entries(expected).filter(([status, count]) => found[status] !== count);
  if (wrong.length > 0 || (found['signature-invalid'] ?? 0) > 0 || (found['chain-broken'] ?? 0) > 0) {
    console.error(`verify did not find what was planted: expected ${JSON.stringify(expected)}`);
    process.exitCode = 1;
  }
}

await main();
