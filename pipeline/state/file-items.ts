import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { StateStoreError } from '../errors.js';
import type { FileLock } from './file-lock.js';

/**
 * State items that would make the one state file large (one per compacted partition, one per
 * dirty partition), each in a small JSON file of its own: `<state>/items/<kind>/<hash of pk>.json`.
 * A file is replaced whole by a rename, so a reader sees one complete version; changes run under
 * the store's lock, so a read-check-write (a version, a time) holds between processes.
 */
export class FileItems {
  readonly #folder: string;
  readonly #lock: FileLock;

  constructor(stateDirectory: string, kind: string, lock: FileLock) {
    this.#folder = join(stateDirectory, 'items', kind);
    this.#lock = lock;
  }

  async get(pk: string): Promise<Record<string, unknown> | undefined> {
    return this.#read(this.#path(pk));
  }

  /** Every item of this kind, in no order. */
  async list(): Promise<Record<string, unknown>[]> {
    let names: string[];
    try {
      names = await readdir(this.#folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StateStoreError(`could not list ${this.#folder}`, { cause: error });
    }
    const items: Record<string, unknown>[] = [];
    for (const name of names.filter((file) => file.endsWith('.json'))) {
      const item = await this.#read(join(this.#folder, name));
      if (item !== undefined) items.push(item);
    }
    return items;
  }

  /**
   * Under the lock: `decide` sees the stored item (or undefined) and returns the item to store,
   * `null` to delete it, or `undefined` to leave it; it may throw to refuse.
   */
  async change(
    pk: string,
    decide: (stored: Record<string, unknown> | undefined) => Record<string, unknown> | null | undefined,
  ): Promise<void> {
    await mkdir(this.#folder, { recursive: true }).catch((error: unknown) => {
      throw new StateStoreError(`could not create ${this.#folder}`, { cause: error });
    });
    const path = this.#path(pk);
    await this.#lock.withLock(async () => {
      const next = decide(await this.#read(path));
      if (next === undefined) return;
      if (next === null) {
        await unlink(path).catch((error: unknown) => {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new StateStoreError(`could not delete ${path}`, { cause: error });
        });
        return;
      }
      await this.#write(path, next);
    });
  }

  #path(pk: string): string {
    return join(this.#folder, `${createHash('sha256').update(pk, 'utf8').digest('hex').slice(0, 40)}.json`);
  }

  async #read(path: string): Promise<Record<string, unknown> | undefined> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StateStoreError(`could not read ${path}`, { cause: error });
    }
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new StateStoreError(`${path} is not valid JSON; delete it (compaction then looks at its partition again)`, { cause: error });
    }
  }

  async #write(path: string, item: Record<string, unknown>): Promise<void> {
    const temp = `${path}.${randomUUID()}.tmp`;
    try {
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(`${JSON.stringify(item, null, 2)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw new StateStoreError(`could not write ${path}`, { cause: error });
    }
  }
}
