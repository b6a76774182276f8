/**
 * The Serverless case of the export benchmark: a workgroup process holding N `sys_query_detail`
 * rows in one slot behind the Data API emulator, and rounds of measurements against it, each
 * in a process of its own: a read and an export with the result format the runner chooses
 * (`auto`), then the export again with today's typed JSON pages (and, in the first round only,
 * the JSON read, for the record). Runs of one round follow each other, so that they share the
 * machine's load; the ratios are taken within a round and their median over the rounds is what
 * is held against the targets: the chosen export at least 0.8x the rate of the chosen read, peak
 * RSS under 512 MB, and at least 2x the rate of the JSON export.
 */
import { spawn, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';

export interface ServerlessMeasurement {
  readonly mode: 'read' | 'export';
  /** What the runner read: `csv` or `json`. */
  readonly format: string;
  readonly reason: string;
  readonly rows: number;
  readonly seconds: number;
  readonly maxRssMb: number;
  readonly cpuSeconds: number;
  /** Export only: reading the pages into the spool, DuckDB's COPY, the upload. */
  readonly readSeconds?: number;
  readonly copySeconds?: number;
  readonly uploadSeconds?: number;
  readonly digest?: string;
}

export interface ServerlessOutcome {
  readonly lines: readonly string[];
  readonly met: boolean;
}

function measure(mode: 'read' | 'export', format: 'auto' | 'json', endpoint: string): ServerlessMeasurement {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/support/serverless-bench-run.ts', mode, format, endpoint], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !line.startsWith('{')) throw new Error(`${mode} (${format}) failed (exit ${run.status})`);
  return JSON.parse(line) as ServerlessMeasurement;
}

const rate = (m: ServerlessMeasurement) => m.rows / m.seconds;
const load = () => loadavg()[0]?.toFixed(1) ?? '?';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Microseconds per row, of the wall clock. */
const perRow = (seconds: number | undefined, rows: number) => (seconds === undefined ? '' : ((seconds * 1e6) / rows).toFixed(1));

function row(round: number, m: ServerlessMeasurement, loadAverage: string, against: string): string {
  const cells = [
    String(round),
    `${m.mode} (${m.format})`,
    m.rows.toLocaleString('en-US'),
    m.seconds.toFixed(1),
    Math.round(rate(m)).toLocaleString('en-US'),
    perRow(m.cpuSeconds, m.rows),
    m.mode === 'export' ? `${perRow(m.readSeconds, m.rows)} / ${perRow(m.copySeconds, m.rows)} / ${perRow(m.uploadSeconds, m.rows)}` : '',
    String(Math.round(m.maxRssMb)),
    loadAverage,
    against,
  ];
  return `| ${cells.join(' | ')} |`;
}

interface Round {
  readonly read: ServerlessMeasurement;
  readonly exported: ServerlessMeasurement;
  readonly exportedJson: ServerlessMeasurement;
  readonly readJson?: ServerlessMeasurement;
}

export async function runServerlessCase(rows: number, rounds = 3): Promise<ServerlessOutcome> {
  const workgroup = spawn(process.execPath, ['--import', 'tsx', 'bench/support/bench-serverless-workgroup.ts', String(rows)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: workgroup.stdout }).once('line', resolve);
      workgroup.once('exit', (code) => reject(new Error(`the benchmark workgroup exited with ${code}`)));
    });
    const started = JSON.parse(first) as { dataApiEndpoint: string; loadSeconds: number; columnSource: string; data: string };
    console.log(
      `serverless workgroup: ${rows.toLocaleString('en-US')} sys_query_detail rows in one slot (${started.data}) in ` +
        `${started.loadSeconds.toFixed(1)} s; columns from ${started.columnSource}`,
    );
    const lines = [
      '| round | run | rows | seconds | rows/s | CPU µs/row | export µs/row: read / COPY / upload | peak RSS (MB) | load | rate against |',
      '|---:|---|---:|---:|---:|---:|---|---:|---:|---|',
    ];
    const done: Round[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      const take = (mode: 'read' | 'export', format: 'auto' | 'json') => {
        const loadAverage = load();
        return { m: measure(mode, format, started.dataApiEndpoint), loadAverage };
      };
      const read = take('read', 'auto');
      const exported = take('export', 'auto');
      const exportedJson = take('export', 'json');
      const readJson = round === 1 ? take('read', 'json') : undefined;
      const exportRatio = rate(exported.m) / rate(read.m);
      const formatRatio = rate(exported.m) / rate(exportedJson.m);
      const added = [
        row(round, read.m, read.loadAverage, ''),
        row(round, exported.m, exported.loadAverage, `${exportRatio.toFixed(2)}x the read; ${formatRatio.toFixed(2)}x the JSON export`),
        row(round, exportedJson.m, exportedJson.loadAverage, ''),
        ...(readJson
          ? [
              row(
                round,
                readJson.m,
                readJson.loadAverage,
                `the ${read.m.format} read is ${(rate(read.m) / rate(readJson.m)).toFixed(2)}x this`,
              ),
            ]
          : []),
      ];
      console.log(added.join('\n'));
      lines.push(...added);
      done.push({ read: read.m, exported: exported.m, exportedJson: exportedJson.m, ...(readJson ? { readJson: readJson.m } : {}) });
    }
    return { lines: [...lines, '', ...verdict(done, rows)], met: metBy(done, rows) };
  } finally {
    workgroup.stdin.end();
  }
}

function ratios(done: readonly Round[]) {
  return {
    exportRatio: median(done.map((r) => rate(r.exported) / rate(r.read))),
    formatRatio: median(done.map((r) => rate(r.exported) / rate(r.exportedJson))),
    peakRss: Math.max(...done.map((r) => r.exported.maxRssMb)),
  };
}

function sameData(done: readonly Round[], rows: number): boolean {
  const all = done.flatMap((r) => [r.read, r.exported, r.exportedJson, ...(r.readJson ? [r.readJson] : [])]);
  const counts = all.map((m) => m.rows);
  const digests = done.flatMap((r) => [r.exported.digest, r.exportedJson.digest]);
  return (
    counts.every((count) => count === counts[0]) && (counts[0] ?? 0) >= rows && digests.every((d) => d !== undefined && d === digests[0])
  );
}

function metBy(done: readonly Round[], rows: number): boolean {
  const { exportRatio, formatRatio, peakRss } = ratios(done);
  return sameData(done, rows) && exportRatio >= 0.8 && formatRatio >= 2 && peakRss < 512;
}

function verdict(done: readonly Round[], rows: number): string[] {
  const { exportRatio, formatRatio, peakRss } = ratios(done);
  const chosen = done[0]?.exported;
  const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');
  return [
    `result format chosen: ${chosen?.format} (${chosen?.reason})`,
    `every run read ${rows.toLocaleString('en-US')}+ rows and every export wrote the same Parquet rows: ${mark(sameData(done, rows))}`,
    `median over ${done.length} round(s): export ${exportRatio.toFixed(2)}x the read (target >= 0.8x: ${mark(exportRatio >= 0.8)}); ` +
      `${formatRatio.toFixed(2)}x the JSON export (target >= 2x: ${mark(formatRatio >= 2)}); ` +
      `peak RSS ${Math.round(peakRss)} MB (target < 512 MB: ${mark(peakRss < 512)})`,
  ];
}
