import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { StateStoreError } from '../../../pipeline/errors.js';
import { FileStateStore } from '../../../pipeline/state/file-state-store.js';
import { describeSourceFactsContract } from './source-facts-contract.js';
import { CONTRACT_NOW, describeStateStoreContract } from './state-store-contract.js';
import { useTempFolders } from '../../harness/temp-folders.js';

const key = { cluster: 'prod', table: 'stl_query' };
const update = { sealedThrough: new Date('2026-03-01T10:00:00.000Z'), gaps: [] };

describe('FileStateStore', () => {
  const newFolder = useTempFolders('opslake-file-state-');

  describeStateStoreContract(async (clock) => new FileStateStore(newFolder(), { clock }));
  describeSourceFactsContract(async (clock) => new FileStateStore(newFolder(), { clock }));

  it('keeps state in one readable state.json, replaced whole, with no lock or temp file left behind', async () => {
    const folder = newFolder();
    const store = new FileStateStore(folder, { clock: () => CONTRACT_NOW });
    await store.putWatermark(key, update, 0);
    await store.acquireLease('stl-export/prod', 'run-a', 60_000, CONTRACT_NOW);

    expect(await readdir(folder)).toEqual(['state.json']);
    const saved = JSON.parse(await readFile(join(folder, 'state.json'), 'utf8'));
    expect(saved.items['watermark#prod#stl_query']).toMatchObject({ version: 1, sealed_through: '2026-03-01T10:00:00.000Z' });
    expect(saved.items['lease#stl-export/prod']).toMatchObject({ owner: 'run-a', expires_at_ms: CONTRACT_NOW.getTime() + 60_000 });
  });

  it('shares state between two stores over the same folder', async () => {
    const folder = newFolder();
    await new FileStateStore(folder).putWatermark(key, update, 0);
    await expect(new FileStateStore(folder).putWatermark(key, update, 0)).rejects.toMatchObject({ name: 'StateConflictError' });
    await expect(new FileStateStore(folder).getWatermark(key)).resolves.toMatchObject({ version: 1 });
  });

  it('says how to recover when state.json is damaged', async () => {
    const folder = newFolder();
    const store = new FileStateStore(folder);
    await store.putWatermark(key, update, 0);
    await writeFile(join(folder, 'state.json'), '{"items": {"watermark#prod#stl_q');

    const error = await store.getWatermark(key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateStoreError);
    expect((error as Error).message).toMatch(/state\.json is not valid JSON; restore it, or delete it/);
  });

  describe('lock', () => {
    const lockFile = (folder: string) => join(folder, 'state.lock');
    const lockText = (pid: number, createdAtMs: number) =>
      JSON.stringify({ pid, host: hostname(), created_at_ms: createdAtMs, token: 'other' });

    it('takes over a lock left by a process that is no longer running', async () => {
      const folder = newFolder();
      const store = new FileStateStore(folder, { clock: () => CONTRACT_NOW });
      await store.putWatermark(key, update, 0);
      const { pid } = spawnSync(process.execPath, ['-e', '']);
      await writeFile(lockFile(folder), lockText(pid, CONTRACT_NOW.getTime()));

      await expect(store.putWatermark(key, update, 1)).resolves.toMatchObject({ version: 2 });
      expect(await readdir(folder)).toEqual(['state.json']);
    });

    it('takes over a lock older than staleAfterMs even when its process runs', async () => {
      const folder = newFolder();
      const store = new FileStateStore(folder, { clock: () => CONTRACT_NOW, lock: { staleAfterMs: 10_000 } });
      await store.putWatermark(key, update, 0);
      await writeFile(lockFile(folder), lockText(process.pid, CONTRACT_NOW.getTime() - 10_001));

      await expect(store.putWatermark(key, update, 1)).resolves.toMatchObject({ version: 2 });
    });

    it('waits for a live, fresh lock and proceeds once it is released', async () => {
      const folder = newFolder();
      const sleeps: number[] = [];
      const store = new FileStateStore(folder, {
        clock: () => CONTRACT_NOW,
        lock: {
          // The holder lets go while we wait for the second time.
          sleep: async (ms) => {
            sleeps.push(ms);
            if (sleeps.length === 2) await rm(lockFile(folder));
          },
        },
      });
      await store.putWatermark(key, update, 0);
      await writeFile(lockFile(folder), lockText(process.pid, CONTRACT_NOW.getTime()));

      await expect(store.putWatermark(key, update, 1)).resolves.toMatchObject({ version: 2 });
      expect(sleeps).toHaveLength(2);
    });

    it('gives up on a lock held past the timeout with a retryable error naming the holder', async () => {
      const folder = newFolder();
      const store = new FileStateStore(folder, { clock: () => CONTRACT_NOW, lock: { timeoutMs: 200, sleep: async () => undefined } });
      await store.putWatermark(key, update, 0);
      await writeFile(lockFile(folder), lockText(process.pid, CONTRACT_NOW.getTime()));

      const error = await store.putWatermark(key, update, 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StateStoreError);
      expect(error).toMatchObject({ retryable: true });
      expect((error as Error).message).toContain(`process ${process.pid}`);
      await rm(lockFile(folder));
      await expect(store.getWatermark(key)).resolves.toMatchObject({ version: 1 });
    });

    it('judges a lock file without readable content by its age', async () => {
      const folder = newFolder();
      const inAMinute = () => new Date(Date.now() + 60_000);
      const store = new FileStateStore(folder, {
        clock: inAMinute,
        lock: { staleAfterMs: 30_000, sleep: async () => undefined, timeoutMs: 0 },
      });
      await store.putWatermark(key, update, 0);
      await writeFile(lockFile(folder), '');

      await expect(store.putWatermark(key, update, 1)).resolves.toMatchObject({ version: 2 });
    });
  });

  describe('between processes', () => {
    const moduleUrl = pathToFileURL(resolve('pipeline/state/file-state-store.ts')).href;
    // Each child answers one JSON line per command line, so the parent can release both at once.
    const childScript = `
      import { createInterface } from 'node:readline';
      import { FileStateStore } from ${JSON.stringify(moduleUrl)};
      const [folder, owner] = process.argv.slice(1);
      const store = new FileStateStore(folder);
      const key = { cluster: 'prod', table: 'stl_query' };
      const run = async (command) => {
        if (command.op === 'lease') {
          const lease = await store.acquireLease('stl-export/prod', owner, 60000, new Date());
          return { owner: lease.owner };
        }
        if (command.op === 'put') {
          const written = await store.putWatermark(key, { sealedThrough: new Date(command.at), gaps: [] }, command.expected);
          return { version: written.version };
        }
        if (command.op === 'increment') {
          let wins = 0;
          let conflicts = 0;
          while (wins < command.times) {
            const { version } = await store.getWatermark(key);
            try {
              await store.putWatermark(key, { sealedThrough: null, gaps: [] }, version);
              wins += 1;
            } catch (error) {
              if (error.name !== 'StateConflictError') throw error;
              conflicts += 1;
            }
          }
          return { wins, conflicts };
        }
        throw new Error('unknown command ' + command.op);
      };
      process.stdout.write('ready\\n');
      for await (const line of createInterface({ input: process.stdin })) {
        const result = await run(JSON.parse(line)).then(
          (value) => ({ ok: true, ...value }),
          (error) => ({ ok: false, name: error.name, message: error.message }),
        );
        process.stdout.write(JSON.stringify(result) + '\\n');
      }
    `;

    interface Child {
      readonly process: ChildProcessWithoutNullStreams;
      readonly lines: Interface;
      next(): Promise<string>;
    }
    const children: Child[] = [];

    function startChild(folder: string, owner: string): Child {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', childScript, folder, owner]);
      const lines = createInterface({ input: child.stdout });
      const queued: string[] = [];
      const waiting: Array<(line: string) => void> = [];
      lines.on('line', (line) => {
        const waiter = waiting.shift();
        if (waiter) waiter(line);
        else queued.push(line);
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const next = () =>
        new Promise<string>((resolveLine, reject) => {
          const line = queued.shift();
          if (line !== undefined) return resolveLine(line);
          waiting.push(resolveLine);
          child.once('exit', (code) => reject(new Error(`child exited (${code}): ${stderr}`)));
        });
      const started = { process: child, lines, next };
      children.push(started);
      return started;
    }

    async function both<T>(pair: Child[], command: object): Promise<T[]> {
      for (const child of pair) child.process.stdin.write(`${JSON.stringify(command)}\n`);
      return Promise.all(pair.map(async (child) => JSON.parse(await child.next()) as T));
    }

    afterEach(() => {
      for (const child of children.splice(0)) child.process.stdin.end();
    });

    it('lets exactly one of two processes win a lease, a version, and never lose an update', async () => {
      const folder = newFolder();
      const pair = [startChild(folder, 'proc-a'), startChild(folder, 'proc-b')];
      expect(await Promise.all(pair.map((child) => child.next()))).toEqual(['ready', 'ready']);

      const leases = await both<{ ok: boolean; owner?: string; name?: string }>(pair, { op: 'lease' });
      expect(leases.filter((r) => r.ok)).toHaveLength(1);
      expect(leases.filter((r) => !r.ok)).toEqual([expect.objectContaining({ name: 'LeaseHeldError' })]);

      const puts = await both<{ ok: boolean; version?: number; name?: string }>(pair, {
        op: 'put',
        at: '2026-03-01T10:00:00Z',
        expected: 0,
      });
      expect(puts.filter((r) => r.ok)).toEqual([expect.objectContaining({ version: 1 })]);
      expect(puts.filter((r) => !r.ok)).toEqual([expect.objectContaining({ name: 'StateConflictError' })]);

      // Every successful write must be counted exactly once in the final version: a lost
      // read-modify-write would leave the version below the sum of the wins.
      const increments = await both<{ ok: boolean; wins: number }>(pair, { op: 'increment', times: 40 });
      expect(increments.every((r) => r.ok)).toBe(true);
      const store = new FileStateStore(folder);
      await expect(store.getWatermark(key)).resolves.toMatchObject({ version: 1 + 40 + 40 });
      expect(await readdir(folder)).toEqual(['state.json']);
    });
  });
});
