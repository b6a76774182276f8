/**
 * The Serverless case of the export benchmark: a workgroup process holding N `sys_query_detail`
 * rows in one slot behind the Data API emulator, and four measurements against it, each in a
 * process of its own: a read and an export with the result format the runner chooses (`auto`),
 * then both again with today's typed JSON pages. Targets: the chosen export at least 0.8x the
 * rate of the chosen read, peak RSS under 512 MB, and at least 2x the rate of the JSON export.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServerlessMeasurement {
  readonly mode: 'read' | 'export';
  /** What the runner read: `csv` or `json`. */
  readonly format: string;
  readonly reason: string;
  readonly rows: number;
  readonly seconds: number;
  readonly maxRssMb: number;
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

function row(m: ServerlessMeasurement, against: string): string {
  const cells = [
    'serverless',
    `${m.mode} (${m.format})`,
    m.rows.toLocaleString('en-US'),
    m.seconds.toFixed(1),
    Math.round(rate(m)).toLocaleString('en-US'),
    String(Math.round(m.maxRssMb)),
    against,
  ];
  return `| ${cells.join(' | ')} |`;
}

export async function runServerlessCase(rows: number): Promise<ServerlessOutcome> {
  const workgroup = spawn(process.execPath, ['--import', 'tsx', 'bench/support/bench-serverless-workgroup.ts', String(rows)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: workgroup.stdout }).once('line', resolve);
      workgroup.once('exit', (code) => reject(new Error(`the benchmark workgroup exited with ${code}`)));
    });
    const started = JSON.parse(first) as { dataApiEndpoint: string; loadSeconds: number; columnSource: string };
    console.log(
      `serverless workgroup: ${rows.toLocaleString('en-US')} sys_query_detail rows in one slot, loaded in ` +
        `${started.loadSeconds.toFixed(1)} s; columns from ${started.columnSource}`,
    );
    const read = measure('read', 'auto', started.dataApiEndpoint);
    const exported = measure('export', 'auto', started.dataApiEndpoint);
    const readJson = measure('read', 'json', started.dataApiEndpoint);
    const exportedJson = measure('export', 'json', started.dataApiEndpoint);
    console.log(`result format chosen: ${exported.format} (${exported.reason})`);

    const exportRatio = rate(exported) / rate(read);
    const formatRatio = rate(exported) / rate(exportedJson);
    const lines = [
      row(read, ''),
      row(exported, `${exportRatio.toFixed(2)}x of the read above; ${formatRatio.toFixed(2)}x of the JSON export`),
      row(readJson, `the chosen read is ${(rate(read) / rate(readJson)).toFixed(2)}x this`),
      row(exportedJson, ''),
    ];
    const counts = [read, exported, readJson, exportedJson].map((m) => m.rows);
    const sameRows = counts.every((count) => count === counts[0]) && (counts[0] ?? 0) >= rows;
    const sameFile = exported.digest !== undefined && exported.digest === exportedJson.digest;
    if (!sameRows) console.error(`row counts differ or fall short of ${rows}: ${counts.join(', ')}`);
    console.log(`Parquet of the ${exported.format} export and of the JSON export: ${sameFile ? 'the same rows' : 'DIFFERENT'}`);
    const met = sameRows && sameFile && exportRatio >= 0.8 && exported.maxRssMb < 512 && formatRatio >= 2;
    return { lines, met };
  } finally {
    workgroup.stdin.end();
  }
}
