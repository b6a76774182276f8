/**
 * Export benchmark (`npm run bench -- stl-export [rows] [pg|data-api|serverless ...] [--rounds=N]`,
 * default 1,000,000 rows, every case, 3 rounds of the Serverless case). Each measurement runs in its own process, so its peak RSS is
 * its own; sources run in processes of their own too.
 *
 * - `pg`, `data-api`: a simulated cluster with N stl_scan rows in one slot; through `pg` and
 *   through the Data API emulator, the export (source -> Parquet in the lake) against a baseline
 *   that reads the same rows through the same client and discards them. Target 0.5x.
 * - `serverless`: a workgroup with N sys_query_detail rows in one slot, through the Data API
 *   emulator (see support/serverless-bench-case.ts), in interleaved rounds whose median ratios
 *   count. Targets 0.8x of the read, and 2x the JSON export.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { runServerlessCase } from './support/serverless-bench-case.js';

type Case = 'pg' | 'data-api' | 'serverless';
const rows = Number(process.argv[2] ?? 1_000_000);
const roundsArg = process.argv.find((arg) => arg.startsWith('--rounds='));
const rounds = roundsArg === undefined ? 3 : Number(roundsArg.slice('--rounds='.length));
const requested = process.argv.slice(3).filter((arg) => !arg.startsWith('--')) as Case[];
const cases: Case[] = requested.length > 0 ? requested : ['pg', 'data-api', 'serverless'];

interface Measurement {
  mode: string;
  transport: string;
  rows: number;
  seconds: number;
  maxRssMb: number;
  status?: string;
}

const lines: string[] = [];
const targets: string[] = [];
let ok = true;

async function runStlCases(transports: Array<'pg' | 'data-api'>): Promise<void> {
  lines.push('| source | run | rows | seconds | rows/s | peak RSS (MB) | export rate against |', '|---|---|---:|---:|---:|---:|---|');
  const cluster = spawn(process.execPath, ['--import', 'tsx', 'bench/support/bench-cluster.ts', String(rows)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: cluster.stdout }).once('line', resolve);
      cluster.once('exit', (code) => reject(new Error(`the benchmark cluster exited with ${code}`)));
    });
    const endpoints = JSON.parse(first) as { pgUrl: string; dataApiEndpoint: string; slotStart: string; loadSeconds: number };
    console.log(`cluster: ${rows.toLocaleString('en-US')} stl_scan rows in one slot, loaded in ${endpoints.loadSeconds.toFixed(1)} s`);
    const measure = (mode: 'baseline' | 'export', transport: 'pg' | 'data-api'): Measurement => {
      const endpoint = transport === 'pg' ? endpoints.pgUrl : endpoints.dataApiEndpoint;
      const args = ['--import', 'tsx', 'bench/support/bench-export-run.ts', mode, transport, endpoint, endpoints.slotStart];
      const run = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
      const line = run.stdout.trim().split('\n').pop() ?? '';
      if (run.status !== 0 || !line.startsWith('{')) throw new Error(`${mode} over ${transport} failed (exit ${run.status})`);
      return JSON.parse(line) as Measurement;
    };
    for (const transport of transports) {
      const baseline = measure('baseline', transport);
      const exported = measure('export', transport);
      if (exported.rows !== baseline.rows || baseline.rows < rows) {
        console.error(`row counts differ: baseline ${baseline.rows}, export ${exported.rows}, loaded ${rows}`);
        ok = false;
      }
      const ratio = exported.rows / exported.seconds / (baseline.rows / baseline.seconds);
      for (const m of [baseline, exported]) {
        const cells = [
          `stl_scan, ${transport}`,
          m.mode,
          m.rows.toLocaleString('en-US'),
          m.seconds.toFixed(1),
          Math.round(m.rows / m.seconds).toLocaleString('en-US'),
          String(Math.round(m.maxRssMb)),
          m.mode === 'export' ? `${ratio.toFixed(2)}x of the baseline` : '',
        ];
        lines.push(`| ${cells.join(' | ')} |`);
      }
      if (ratio < 0.5 || exported.maxRssMb >= 512) ok = false;
      targets.push(
        `stl_scan over ${transport}: export >= 0.5x baseline, RSS < 512 MB: ${ratio >= 0.5 && exported.maxRssMb < 512 ? 'met' : 'NOT met'}`,
      );
      console.log(lines.slice(-2).join('\n'));
    }
  } finally {
    cluster.stdin.end();
  }
}

const stl = cases.filter((c): c is 'pg' | 'data-api' => c === 'pg' || c === 'data-api');
if (stl.length > 0) await runStlCases(stl);
if (cases.includes('serverless')) {
  const outcome = await runServerlessCase(rows, rounds);
  lines.push(...outcome.lines);
  console.log(outcome.lines.join('\n'));
  if (!outcome.met) ok = false;
  targets.push(
    `serverless (medians of ${rounds} rounds): export >= 0.8x the read, RSS < 512 MB, >= 2x the JSON export, same Parquet: ` +
      `${outcome.met ? 'met' : 'NOT met'}`,
  );
}
console.log(`\n${lines.join('\n')}\n\n${targets.join('\n')}`);
process.exitCode = ok ? 0 : 1;
