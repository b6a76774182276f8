/** The queries benchmark's report: the bytes each question reads against its baseline, and query times. */
import type { ScanTouch } from './query-profile.js';

export const TARGET = 0.1;

export const TIMED_RUNS = 5;

export interface Question {
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
  /**
   * The catalog the question is asked through (the one compaction switched): the lake after
   * compaction. Without it the catalog is empty and the live folders are read: the lake before.
   */
  readonly catalogPath?: string | undefined;
}

/** Bytes read with the footers of the files touched, against the baseline. */
export function withFooters(entry: Measured): number {
  return (entry.columnBytes + entry.footerBytes) / entry.baselineBytes;
}

type Timings = ReadonlyArray<{ query: string; rows: number; medianMs: number }>;

export interface Measured {
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

export function printReport(report: {
  dir: string;
  buildSeconds: number;
  busySeconds: number;
  busy: string;
  measured: readonly Measured[];
  timings: { readonly before: Timings; readonly after: Timings };
  lakeBytes: number;
}): void {
  const out: string[] = [];
  out.push(`Demo: ${report.dir} (${formatBytes(report.lakeBytes)} of Parquet; built or found in ${report.buildSeconds.toFixed(0)} s)`);
  out.push(`Busy trail: ${report.busy} (generated and ingested, or found, in ${report.busySeconds.toFixed(0)} s)`);
  out.push('');
  const columns = [
    'question',
    'lake',
    'query',
    'partitions x columns touched',
    'lake bytes read (column chunks)',
    'baseline',
    'baseline bytes',
    'ratio (columns)',
    '+ footers of touched files (ratio)',
    'target: with footers <= 0.1',
    'DuckDB bytes read (measured)',
    'DuckDB median',
  ];
  out.push(`| ${columns.join(' | ')} |`);
  out.push('|---|---|---|---|---:|---|---:|---:|---:|---|---:|---:|');
  for (const entry of report.measured) {
    if (entry.files === 0) {
      out.push(`| ${entry.question.label} | ${lake(entry)} | ${entry.question.query} | no data in these days | | | | | | n/a | | |`);
      continue;
    }
    const ratio = entry.columnBytes / entry.baselineBytes;
    const footers = withFooters(entry);
    const touched = entry.scans.map((scan) => `${scan.table.name}(${scan.columns.join(', ')})`).join('; ');
    const baseline = entry.question.baseline === 'raw-gzip' ? `raw gzip JSON delivered ${entry.question.day}` : 'full read of the tables';
    const verdict = entry.question.informational ? 'n/a (for comparison)' : footers <= TARGET ? 'met' : 'MISSED';
    const cells = [
      entry.question.label,
      lake(entry),
      entry.question.query,
      `${entry.files} files; ${touched}`,
      formatBytes(entry.columnBytes),
      baseline,
      formatBytes(entry.baselineBytes),
      ratio.toFixed(3),
      `${formatBytes(entry.columnBytes + entry.footerBytes)} (${footers.toFixed(3)})`,
      verdict,
      formatBytes(entry.duckdbBytesRead),
      `${entry.medianMs.toFixed(1)} ms`,
    ];
    out.push(`| ${cells.join(' | ')} |`);
  }
  out.push('');
  out.push(`DuckDB median of ${TIMED_RUNS} runs of every query of queries/ over the demo week (one thread, warm):`);
  out.push('');
  out.push('| query | rows | median before compaction | median after | after / before |');
  out.push('|---|---:|---:|---:|---:|');
  for (const timing of report.timings.after) {
    const before = report.timings.before.find((candidate) => candidate.query === timing.query);
    const ratio = before && before.medianMs > 0 ? (timing.medianMs / before.medianMs).toFixed(2) : '';
    const was = before ? `${before.medianMs.toFixed(1)} ms` : '';
    out.push(`| ${timing.query} | ${timing.rows} | ${was} | ${timing.medianMs.toFixed(1)} ms | ${ratio} |`);
  }
  out.push('');
  out.push(`Peak RSS: ${formatBytes(process.resourceUsage().maxRSS * 1024)}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

function lake(entry: Measured): string {
  return entry.question.catalogPath ? 'compacted' : 'before compaction';
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}
