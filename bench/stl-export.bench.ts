/**
 * Export benchmark (`npm run bench -- stl-export [rows]`): a simulated cluster with N stl_scan
 * rows (default 1,000,000) in one slot, served from its own process; through `pg` and through
 * the Data API emulator, the export (source -> Parquet in the lake) against a baseline that
 * reads the same rows through the same client and discards them. Each measurement runs in its
 * own process, so peak RSS is the exporter's own. Usage: `npm run bench -- stl-export [rows] [pg|data-api]`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

const rows = Number(process.argv[2] ?? 1_000_000);
const transports = (process.argv[3] ? [process.argv[3]] : ['pg', 'data-api']) as Array<'pg' | 'data-api'>;
const cluster = spawn(process.execPath, ['--import', 'tsx', 'bench/support/bench-cluster.ts', String(rows)], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const first = await new Promise<string>((resolve, reject) => {
  createInterface({ input: cluster.stdout }).once('line', resolve);
  cluster.once('exit', (code) => reject(new Error(`the benchmark cluster exited with ${code}`)));
});
const endpoints = JSON.parse(first) as { pgUrl: string; dataApiEndpoint: string; slotStart: string; loadSeconds: number };
console.log(`cluster: ${rows.toLocaleString('en-US')} stl_scan rows in one slot, loaded in ${endpoints.loadSeconds.toFixed(1)} s`);

interface Measurement {
  mode: string;
  transport: string;
  rows: number;
  seconds: number;
  maxRssMb: number;
  status?: string;
}
function measure(mode: 'baseline' | 'export', transport: 'pg' | 'data-api'): Measurement {
  const endpoint = transport === 'pg' ? endpoints.pgUrl : endpoints.dataApiEndpoint;
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'bench/support/bench-export-run.ts', mode, transport, endpoint, endpoints.slotStart],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    },
  );
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !line.startsWith('{')) throw new Error(`${mode} over ${transport} failed (exit ${run.status})`);
  return JSON.parse(line) as Measurement;
}

const lines = [
  '| transport | run | rows | seconds | rows/s | peak RSS (MB) | export / baseline rate |',
  '|---|---|---:|---:|---:|---:|---:|',
];
let ok = true;
try {
  for (const transport of transports) {
    const baseline = measure('baseline', transport);
    const exported = measure('export', transport);
    if (exported.rows !== baseline.rows || baseline.rows < rows) {
      console.error(`row counts differ: baseline ${baseline.rows}, export ${exported.rows}, loaded ${rows}`);
      ok = false;
    }
    const ratio = exported.rows / exported.seconds / (baseline.rows / baseline.seconds);
    for (const m of [baseline, exported]) {
      lines.push(
        `| ${transport} | ${m.mode} | ${m.rows.toLocaleString('en-US')} | ${m.seconds.toFixed(1)} | ${Math.round(m.rows / m.seconds).toLocaleString('en-US')} | ${Math.round(m.maxRssMb)} | ${m.mode === 'export' ? `${ratio.toFixed(2)}x` : ''} |`,
      );
    }
    if (ratio < 0.5) ok = false;
    if (exported.maxRssMb >= 512) ok = false;
    console.log(lines.slice(-2).join('\n'));
  }
} finally {
  cluster.stdin.end();
}
console.log(`\n${lines.join('\n')}\n\ntargets: export >= 0.5x baseline rate, export peak RSS < 512 MB: ${ok ? 'met' : 'NOT met'}`);
process.exitCode = ok ? 0 : 1;
