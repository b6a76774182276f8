/**
 * An organization day through the lake (`npm run bench -- organization-day [--files N] [--phases a,b]`).
 *
 * Generates once (cached under .bench/organization-day/<N>-files/) a UTC day of an organization
 * trail: N log files (default 50,000) from at least 100 (account, region) streams, a file every 5
 * minutes per stream, most of a few KB with a handful of events, some of hundreds (the demo's
 * event factory; the real delivery key layout). Then measures, each in a process of its own pinned
 * to one core (CPU time and peak RSS its own), in this order:
 *
 * - read-files (baseline of ingestion): read, inflate and parse every file, nothing written;
 * - ingest: live ingestion, the cloudtrail-ingest Lambda's handler given S3's SQS notifications,
 *   one file a message, ten messages an invocation, into an empty lake and state store;
 * - copy-objects (baseline of compaction): DuckDB copying every live object into one file;
 * - compact: `opslake compact` of the day (local catalog, same state store).
 *
 * The lake it leaves (live objects and the compacted generations, the catalog pointing at the
 * latter) is what `npm run bench -- queries --org-dir <folder>` measures before and after.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateOrganizationDay, type OrganizationDaySummary } from '../pipeline/simulators/cloudtrail/organization-day.js';
import { organizationFolders, PHASES, type PhaseName, type PhaseOutput } from './support/organization-day-phases.js';
import { runOnOneCore } from './support/one-core-child.js';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(fileURLToPath(new URL('..', import.meta.url)), '.bench', 'organization-day');
const DAY = '2026-03-04';
const SEED = 2026;

interface Measurement extends PhaseOutput {
  readonly phase: PhaseName;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly maxRssMb: number;
}

const { values: flags } = parseArgs({
  options: {
    files: { type: 'string', default: '50000' },
    phases: { type: 'string', default: Object.keys(PHASES).join(',') },
    phase: { type: 'string' },
    data: { type: 'string' },
  },
});

async function runPhase(name: PhaseName, dir: string): Promise<Measurement> {
  const day = JSON.parse(await readFile(join(dir, 'day.json'), 'utf8')) as OrganizationDaySummary;
  const started = performance.now();
  const output = await PHASES[name](day, organizationFolders(dir));
  const seconds = (performance.now() - started) / 1000;
  const usage = process.resourceUsage();
  const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
  return { phase: name, seconds, cpuSeconds, maxRssMb: usage.maxRSS / 1024, ...output, ...output.measured };
}

function measure(name: PhaseName, dir: string): Measurement {
  return runOnOneCore<Measurement>(SELF, ['--phase', name, '--data', dir], name);
}

const number = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');

async function ensureDay(files: number): Promise<{ dir: string; day: OrganizationDaySummary; seconds: number }> {
  const dir = join(ROOT, `${files}-files`);
  const manifest = join(dir, 'day.json');
  const started = performance.now();
  if (!existsSync(manifest)) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    process.stderr.write(`Generating an organization day of ${number(files)} files in ${dir} ...\n`);
    const day = await generateOrganizationDay({ dir: organizationFolders(dir).trailDir, day: DAY, files, seed: SEED });
    await writeFile(manifest, JSON.stringify(day));
  }
  const day = JSON.parse(await readFile(manifest, 'utf8')) as OrganizationDaySummary;
  return { dir, day, seconds: (performance.now() - started) / 1000 };
}

function report(day: OrganizationDaySummary, runs: readonly Measurement[]): void {
  const find = (phase: PhaseName) => runs.find((run) => run.phase === phase);
  console.log(
    '\n| phase | files in | events | MB in | seconds | CPU s | files/s | events/s | MB/s | peak RSS (MB) | objects after | / baseline |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const run of runs) {
    const base = run.phase === 'ingest' ? find('read-files') : run.phase === 'compact' ? find('copy-objects') : undefined;
    const ratio = base ? `${number(base.cpuSeconds / run.cpuSeconds, 2)}x` : '';
    console.log(
      `| ${run.phase} | ${number(run.files)} | ${number(run.events)} | ${number(run.bytesIn / 1e6, 1)} | ${number(run.seconds, 1)} | ` +
        `${number(run.cpuSeconds, 1)} | ${number(run.files / run.cpuSeconds)} | ${number(run.events / run.cpuSeconds)} | ` +
        `${number(run.bytesIn / 1e6 / run.cpuSeconds, 2)} | ${number(run.maxRssMb)} | ${number(run.objectsAfter)} | ${ratio} |`,
    );
  }
  const compact = find('compact');
  if (compact) {
    console.log(
      `\nCompaction: ${number(compact.partitions ?? 0)} partitions, objects ${number(compact.objectsBefore)} -> ` +
        `${number(compact.objectsAfter)}, ${number(compact.bytesIn / 1e6, 1)} MB -> ${number((compact.bytesOut ?? 0) / 1e6, 1)} MB, ` +
        `${number(compact.duplicatesRemoved ?? 0)} duplicate events removed ` +
        `(the generator re-delivered ${number(day.redelivered)}).`,
    );
  }
  console.log('Rates are per CPU-second of the one core each phase ran on; "/ baseline" is the baseline\'s CPU time over the phase\'s.');
}

async function main(): Promise<void> {
  if (flags.phase !== undefined) {
    process.stdout.write(`${JSON.stringify(await runPhase(flags.phase as PhaseName, flags.data ?? ''))}\n`);
    return;
  }
  const files = Number(flags.files);
  if (!Number.isInteger(files) || files < 1) throw new RangeError('--files must be a positive integer');
  const phases = (flags.phases ?? '').split(',').filter((name): name is PhaseName => name in PHASES);
  console.log(`Load average at the start: ${load()}`);
  const { dir, day, seconds } = await ensureDay(files);
  console.log(
    `Organization day ${day.day} in ${dir}: ${number(day.files.length)} files from ${number(day.streams)} account-regions ` +
      `(${number(day.accounts)} accounts, a file every ${day.intervalMinutes} min each), ${number(day.events)} events, ` +
      `${number(day.compressedBytes / 1e6, 1)} MB gzip, ${number(day.uncompressedBytes / 1e6, 1)} MB JSON ` +
      `(ready in ${number(seconds, 1)} s)`,
  );
  const sizes = day.files.map((file) => file.size).sort((a, b) => a - b);
  const at = (share: number) => sizes[Math.min(sizes.length - 1, Math.floor(share * sizes.length))] ?? 0;
  console.log(`File sizes (gzip): median ${number(at(0.5))} B, 90th percentile ${number(at(0.9))} B, largest ${number(at(1))} B`);
  const runs: Measurement[] = [];
  for (const phase of phases) {
    const run = measure(phase, dir);
    runs.push(run);
    // Kept as they come, so that a run stopped half-way loses nothing measured.
    await appendFile(join(dir, 'results.jsonl'), `${JSON.stringify({ at: new Date().toISOString(), load: load(), ...run })}\n`);
    process.stderr.write(`  ${phase}: ${number(run.seconds, 1)} s (load average ${load()})\n`);
  }
  report(day, runs);
  console.log(`\nLoad average at the end: ${load()}`);
}

await main();
