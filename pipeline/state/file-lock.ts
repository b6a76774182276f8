import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type FileHandle, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { StateStoreError } from '../errors.js';

export interface FileLockOptions {
  /** A lock older than this is taken over even if its process seems alive. Default 30 s. */
  readonly staleAfterMs?: number;
  /** How long to wait for a held lock before giving up. Default 30 s. */
  readonly timeoutMs?: number;
  /** Clock for the lock's age. Default: the system clock. */
  readonly clock?: () => Date;
  /** Waits between attempts. Default: a timer. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Whether a process of this machine is still running. Default: `process.kill(pid, 0)`. */
  readonly isProcessAlive?: (pid: number) => boolean;
}

interface Holder {
  /** The lock file's text, to recognise this very lock later. */
  readonly raw: string;
  readonly pid: number | undefined;
  readonly host: string | undefined;
  readonly createdAtMs: number;
}

function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return codeOf(error) === 'EPERM';
  }
}

/**
 * A lock between processes of one machine: a file created exclusively (`wx`), holding the
 * owner's pid, host, time and a token. A lock whose process is dead, or that is older than
 * `staleAfterMs`, is stale and taken over, so a crashed run never blocks the next one for long.
 *
 * Taking over moves the stale file aside and checks that what was moved is the lock judged
 * stale; if another process took the lock in between, its lock is put back. What remains is a
 * window in which three processes meet one stale lock at once, tolerable for a single-machine
 * store whose writes are also checked by version.
 */
export class FileLock {
  private readonly staleAfterMs: number;
  private readonly timeoutMs: number;
  private readonly clock: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly isProcessAlive: (pid: number) => boolean;
  private readonly host = hostname();
  /** Callers of this instance queue here instead of polling the file against each other. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    options: FileLockOptions = {},
  ) {
    this.staleAfterMs = options.staleAfterMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.clock = options.clock ?? (() => new Date());
    this.sleep = options.sleep ?? ((ms) => delay(ms));
    this.isProcessAlive = options.isProcessAlive ?? processIsAlive;
  }

  /** Runs `work` while holding the lock, and releases it whatever happens. */
  withLock<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      const token = await this.acquire();
      try {
        return await work();
      } finally {
        await this.release(token);
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async acquire(): Promise<string> {
    const token = randomUUID();
    let waitedMs = 0;
    for (let attempt = 0; ; attempt += 1) {
      if (await this.tryCreate(token)) return token;
      const holder = await this.readHolder();
      if (holder === undefined) continue;
      if (this.isStale(holder)) {
        await this.takeOver(holder);
        continue;
      }
      if (waitedMs >= this.timeoutMs) {
        const who = holder.pid === undefined ? 'another process' : `process ${holder.pid}${holder.host ? ` on ${holder.host}` : ''}`;
        throw new StateStoreError(
          `${this.path} is held by ${who} since ${new Date(holder.createdAtMs).toISOString()}; ` +
            `if no opslake process is running, delete that file`,
          { retryable: true },
        );
      }
      // Held for milliseconds at a time: a short, jittered backoff keeps contenders fair.
      const wait = Math.min(50, 2 ** Math.min(attempt, 5)) + Math.floor(Math.random() * 3);
      waitedMs += wait;
      await this.sleep(wait);
    }
  }

  private async tryCreate(token: string): Promise<boolean> {
    const content = JSON.stringify({ pid: process.pid, host: this.host, created_at_ms: this.clock().getTime(), token });
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'wx');
    } catch (error) {
      if (codeOf(error) === 'EEXIST') return false;
      throw new StateStoreError(`could not create lock ${this.path}: ${codeOf(error) ?? String(error)}`, { cause: error });
    }
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
    return true;
  }

  private async readHolder(): Promise<Holder | undefined> {
    let raw: string;
    let mtimeMs: number;
    try {
      [raw, { mtimeMs }] = await Promise.all([readFile(this.path, 'utf8'), stat(this.path)]);
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return undefined;
      throw new StateStoreError(`could not read lock ${this.path}: ${codeOf(error) ?? String(error)}`, { cause: error });
    }
    try {
      const parsed = JSON.parse(raw) as { pid?: unknown; host?: unknown; created_at_ms?: unknown };
      return {
        raw,
        pid: typeof parsed.pid === 'number' ? parsed.pid : undefined,
        host: typeof parsed.host === 'string' ? parsed.host : undefined,
        createdAtMs: typeof parsed.created_at_ms === 'number' ? parsed.created_at_ms : mtimeMs,
      };
    } catch {
      // Created but not yet written, or damaged: judge it by the file's own age.
      return { raw, pid: undefined, host: undefined, createdAtMs: mtimeMs };
    }
  }

  private isStale(holder: Holder): boolean {
    if (holder.pid !== undefined && holder.host === this.host && !this.isProcessAlive(holder.pid)) return true;
    return this.clock().getTime() - holder.createdAtMs > this.staleAfterMs;
  }

  private async takeOver(stale: Holder): Promise<void> {
    const aside = `${this.path}.stale-${randomUUID()}`;
    try {
      await rename(this.path, aside);
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return;
      throw new StateStoreError(`could not remove stale lock ${this.path}: ${codeOf(error) ?? String(error)}`, { cause: error });
    }
    const moved = await readFile(aside, 'utf8').catch(() => stale.raw);
    if (moved !== stale.raw) {
      // A fresh lock was taken after we judged the old one: give it back, unless yet another
      // process has locked meanwhile (then the owner of the moved lock has lost it).
      await open(this.path, 'wx').then(
        async (handle) => {
          await handle.writeFile(moved);
          await handle.close();
        },
        () => undefined,
      );
    }
    await rm(aside, { force: true });
  }

  private async release(token: string): Promise<void> {
    const holder = await this.readHolder().catch(() => undefined);
    // Not ours any more (taken over as stale after a very long hold): leave the new owner's lock alone.
    if (holder === undefined || !holder.raw.includes(token)) return;
    await rm(this.path, { force: true });
  }
}
