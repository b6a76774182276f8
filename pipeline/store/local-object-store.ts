import { randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { ObjectNotFoundError, ObjectStoreError } from '../errors.js';
import type { ObjectInfo, ObjectStore } from '../ports/object-store.js';
import { assertListPrefix, assertObjectKey, TEMP_FILE_PREFIX } from './object-key.js';

const NOT_THERE = new Set(['ENOENT', 'ENOTDIR']);
const TRANSIENT = new Set(['EMFILE', 'ENFILE', 'EBUSY', 'EAGAIN']);

function codeOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Sorts names the way S3 orders keys: a folder `d` sorts as `d/`, and order is by UTF-8 bytes. */
function byKeyOrder(a: { sortName: Buffer }, b: { sortName: Buffer }): number {
  return Buffer.compare(a.sortName, b.sortName);
}

/**
 * The lake (or any ObjectStore) as a local folder: the embedded mode's stand-in for S3. Keys map
 * to paths under the root; an object is written to a temporary file beside its final name and
 * renamed into place, so a reader (DuckDB globbing the lake, a second run) sees either the old
 * object or the new one, never half of one.
 */
export class LocalObjectStore implements ObjectStore {
  readonly location: string;
  private readonly root: string;

  constructor(rootDir: string) {
    this.root = resolve(rootDir);
    this.location = this.root.endsWith(sep) ? this.root : `${this.root}${sep}`;
  }

  async putFile(key: string, localPath: string): Promise<void> {
    await this.writeAtomically(key, (tempPath) => copyFile(localPath, tempPath));
  }

  async putBytes(key: string, body: Uint8Array | string): Promise<void> {
    await this.writeAtomically(key, async (tempPath) => {
      const handle = await open(tempPath, 'wx');
      try {
        await handle.writeFile(body);
      } finally {
        await handle.close();
      }
    });
  }

  async getStream(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    try {
      const handle = await open(path, 'r');
      // Opening a folder succeeds on Linux; it is not an object.
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        throw new ObjectNotFoundError(key);
      }
      return handle.createReadStream();
    } catch (error) {
      throw this.readError(key, error);
    }
  }

  async getBytes(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      throw this.readError(key, error);
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? { key, size: info.size, lastModified: info.mtime } : undefined;
    } catch (error) {
      if (NOT_THERE.has(codeOf(error) ?? '')) return undefined;
      throw this.failure('read', key, error);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    assertListPrefix(prefix);
    // Start in the deepest folder the prefix names completely: a listing of one partition
    // does not walk the whole lake.
    const start = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    yield* this.walk(start, prefix);
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (error) {
      const code = codeOf(error) ?? '';
      // A folder under that name is not an object: there is nothing to delete.
      if (NOT_THERE.has(code) || code === 'EISDIR' || code === 'EPERM') return;
      throw this.failure('delete', key, error);
    }
  }

  private async *walk(folderKey: string, prefix: string): AsyncGenerator<ObjectInfo> {
    let entries: Dirent[];
    try {
      entries = await readdir(join(this.root, folderKey), { withFileTypes: true });
    } catch (error) {
      if (NOT_THERE.has(codeOf(error) ?? '')) return;
      throw this.failure('list', folderKey, error);
    }
    const named = entries
      .filter((entry) => !entry.name.startsWith(TEMP_FILE_PREFIX) && (entry.isFile() || entry.isDirectory()))
      .map((entry) => {
        const name = entry.isDirectory() ? `${entry.name}/` : entry.name;
        return { entry, name, sortName: Buffer.from(name, 'utf8') };
      })
      .sort(byKeyOrder);
    for (const { entry, name } of named) {
      const key = `${folderKey}${name}`;
      if (entry.isDirectory()) {
        if (key.startsWith(prefix) || prefix.startsWith(key)) yield* this.walk(key, prefix);
      } else if (key.startsWith(prefix)) {
        const info = await this.head(key);
        // Deleted between the folder read and the stat: S3 would not list it either.
        if (info) yield info;
      }
    }
  }

  private pathOf(key: string): string {
    return join(this.root, ...assertObjectKey(key).split('/'));
  }

  private async writeAtomically(key: string, write: (tempPath: string) => Promise<void>): Promise<void> {
    const target = this.pathOf(key);
    const folder = dirname(target);
    // Same folder as the target: rename is atomic only within one file system.
    const tempPath = join(folder, `${TEMP_FILE_PREFIX}${randomUUID()}`);
    try {
      await mkdir(folder, { recursive: true });
      await write(tempPath);
      await rename(tempPath, target);
    } catch (error) {
      await rm(tempPath, { force: true }).catch(() => undefined);
      const code = codeOf(error);
      if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR') {
        throw new ObjectStoreError(
          `cannot write ${this.location}${key}: a folder cannot share its name with an object in a local store`,
          key,
          { cause: error },
        );
      }
      throw this.failure('write', key, error);
    }
  }

  private readError(key: string, error: unknown): Error {
    if (error instanceof ObjectStoreError) return error;
    const code = codeOf(error) ?? '';
    if (NOT_THERE.has(code) || code === 'EISDIR') return new ObjectNotFoundError(key, { cause: error });
    return this.failure('read', key, error);
  }

  private failure(action: string, key: string, error: unknown): ObjectStoreError {
    if (error instanceof ObjectStoreError) return error;
    const code = codeOf(error);
    const reason = code ?? (error instanceof Error ? error.message : String(error));
    return new ObjectStoreError(`could not ${action} ${this.location}${key}: ${reason}`, key, {
      cause: error,
      retryable: code !== undefined && TRANSIENT.has(code),
    });
  }
}
