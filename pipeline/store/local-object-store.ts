import { randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { ObjectNotFoundError, ObjectStoreError } from '../errors.js';
import type { ObjectInfo, ObjectStore, PutOptions } from '../ports/object-store.js';
import { assertListPrefix, assertObjectKey, assertObjectMetadata, METADATA_FILE_PREFIX, TEMP_FILE_PREFIX } from './object-key.js';

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

/** Files in a folder that are not objects: writes in flight and metadata sidecars. */
function isObjectName(name: string): boolean {
  return !name.startsWith(TEMP_FILE_PREFIX) && !name.startsWith(METADATA_FILE_PREFIX);
}

/**
 * The lake (or any ObjectStore) as a local folder: the embedded mode's stand-in for S3. Keys map
 * to paths under the root; an object is written to a temporary file beside its final name and
 * renamed into place, so a reader (DuckDB globbing the lake, a second run) sees either the old
 * object or the new one, never half of one.
 *
 * User metadata (S3's `x-amz-meta-*`: a CloudTrail digest's signature) lives in a sidecar
 * beside the object, `.opslake-meta-<name>.json`, a JSON object of lower-case names to values.
 * It is written before the object is renamed into place (so a reader that sees a new object
 * sees its metadata) and removed with it; listings skip it. A folder copied from a bucket with
 * `aws s3 sync` has no sidecars: write one per object from `aws s3api head-object` to keep them.
 */
export class LocalObjectStore implements ObjectStore {
  readonly location: string;
  private readonly root: string;

  constructor(rootDir: string) {
    this.root = resolve(rootDir);
    this.location = this.root.endsWith(sep) ? this.root : `${this.root}${sep}`;
  }

  async putFile(key: string, localPath: string, options?: PutOptions): Promise<void> {
    await this.writeAtomically(key, (tempPath) => copyFile(localPath, tempPath), options?.metadata);
  }

  async putBytes(key: string, body: Uint8Array | string, options?: PutOptions): Promise<void> {
    await this.writeAtomically(
      key,
      async (tempPath) => {
        const handle = await open(tempPath, 'wx');
        try {
          await handle.writeFile(body);
        } finally {
          await handle.close();
        }
      },
      options?.metadata,
    );
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
    const info = await this.stat(key);
    if (info === undefined) return undefined;
    const metadata = await this.readMetadata(key);
    return metadata === undefined || Object.keys(metadata).length === 0 ? info : { ...info, metadata };
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
    await rm(this.metadataPathOf(key), { force: true }).catch((error: unknown) => {
      throw this.failure('delete', key, error);
    });
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
      .filter((entry) => isObjectName(entry.name) && (entry.isFile() || entry.isDirectory()))
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
        const info = await this.stat(key);
        // Deleted between the folder read and the stat: S3 would not list it either.
        if (info) yield info;
      }
    }
  }

  /** Size and time, without the metadata: what a listing gives. */
  private async stat(key: string): Promise<ObjectInfo | undefined> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? { key, size: info.size, lastModified: info.mtime } : undefined;
    } catch (error) {
      if (NOT_THERE.has(codeOf(error) ?? '')) return undefined;
      throw this.failure('read', key, error);
    }
  }

  private async readMetadata(key: string): Promise<Record<string, string> | undefined> {
    let text: string;
    try {
      text = await readFile(this.metadataPathOf(key), 'utf8');
    } catch (error) {
      if (NOT_THERE.has(codeOf(error) ?? '')) return undefined;
      throw this.failure('read the metadata of', key, error);
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new TypeError('not a JSON object');
      return assertObjectMetadata(key, parsed as Record<string, string>);
    } catch (error) {
      throw new ObjectStoreError(
        `the metadata of ${this.location}${key} (${basename(this.metadataPathOf(key))}) is not a JSON object of text values: ` +
          `${(error as Error).message}`,
        key,
        { cause: error },
      );
    }
  }

  private pathOf(key: string): string {
    return join(this.root, ...assertObjectKey(key).split('/'));
  }

  private metadataPathOf(key: string): string {
    const path = this.pathOf(key);
    return join(dirname(path), `${METADATA_FILE_PREFIX}${basename(path)}.json`);
  }

  private async writeAtomically(
    key: string,
    write: (tempPath: string) => Promise<void>,
    metadata: Readonly<Record<string, string>> | undefined,
  ): Promise<void> {
    const target = this.pathOf(key);
    const folder = dirname(target);
    const sidecar = metadata === undefined ? undefined : `${JSON.stringify(assertObjectMetadata(key, metadata))}\n`;
    // Same folder as the target: rename is atomic only within one file system.
    const tempPath = join(folder, `${TEMP_FILE_PREFIX}${randomUUID()}`);
    const tempMetadataPath = join(folder, `${TEMP_FILE_PREFIX}${randomUUID()}`);
    try {
      await mkdir(folder, { recursive: true });
      await write(tempPath);
      // Like S3, writing an object replaces its metadata, or drops it when none is given.
      if (sidecar === undefined) {
        await rm(this.metadataPathOf(key), { force: true });
      } else {
        await writeFile(tempMetadataPath, sidecar, { flag: 'wx' });
        await rename(tempMetadataPath, this.metadataPathOf(key));
      }
      await rename(tempPath, target);
    } catch (error) {
      await rm(tempPath, { force: true }).catch(() => undefined);
      await rm(tempMetadataPath, { force: true }).catch(() => undefined);
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
