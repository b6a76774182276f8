import { spawn } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The `opslake` CLI as a child process, for the fault suite: bundled once with esbuild (the same
 * code as `bin/opslake.mjs`, without tsx's start-up cost on every spawn), run with a SIGKILL at a
 * chosen time if asked, and its peak RSS read from the kernel's own accounting at exit.
 */

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Bundles `cli-child-entry.ts` under node_modules/.cache (so its packages resolve); returns the file. */
export async function buildCliChild(): Promise<string> {
  const outdir = join(REPO, 'node_modules', '.cache', 'opslake-fault-suite', String(process.pid));
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: { opslake: join(REPO, 'test', 'harness', 'cli-child-entry.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  return join(outdir, 'opslake.mjs');
}

export async function removeCliChild(bundle: string): Promise<void> {
  await rm(join(bundle, '..'), { recursive: true, force: true });
}

export interface ChildRun {
  /** Exit code, or null when killed. */
  readonly code: number | null;
  readonly killed: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** Peak resident set of the child in MiB, when it exited on its own. */
  readonly peakRssMb: number | undefined;
}

/**
 * Runs `opslake <args>` in `cwd`. With `killAfterMs`, sends SIGKILL that many milliseconds after
 * the spawn (a kill may land between any two system calls; when the run ends first, `killed` is
 * false).
 */
export function runCliChild(bundle: string, args: readonly string[], options: { cwd: string; killAfterMs?: number }): Promise<ChildRun> {
  const rssFile = join(options.cwd, `.peak-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, ...args], {
      cwd: options.cwd,
      env: { ...process.env, OPSLAKE_PEAK_RSS_FILE: rssFile, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let killed = false;
    const timer =
      options.killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            killed = child.kill('SIGKILL');
          }, options.killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      const ms = Math.round(performance.now() - started);
      void readFile(rssFile, 'utf8')
        .then((text) => Number(text) / 1024)
        .catch(() => undefined)
        .then(async (peakRssMb) => {
          await rm(rssFile, { force: true });
          resolve({ code, killed: killed && signal === 'SIGKILL', stdout, stderr, ms, peakRssMb });
        });
    });
  });
}
