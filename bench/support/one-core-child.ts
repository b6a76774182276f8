import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * Runs `script` with `args` in a child process on one core, as the benchmarks' targets are
 * stated (the last CPU, so that a shared machine's first one stays free), and returns the JSON
 * object the child printed as its last line of output.
 */
export function runOnOneCore<T>(script: string, args: readonly string[], name: string): T {
  const cpu = availableParallelism() - 1;
  const node = [process.execPath, '--import', 'tsx', script, ...args];
  const [command, ...rest] = existsSync('/usr/bin/taskset') ? ['/usr/bin/taskset', '-c', String(cpu), ...node] : node;
  const run = spawnSync(command ?? process.execPath, rest, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !line.startsWith('{')) throw new Error(`${name} failed (exit ${run.status})`);
  return JSON.parse(line) as T;
}
