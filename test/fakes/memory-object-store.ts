import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ObjectNotFoundError } from '../../pipeline/errors.js';
import type { ObjectInfo, ObjectStore, PutOptions } from '../../pipeline/ports/object-store.js';

/** An ObjectStore in memory, for unit tests of code that uses the port. */
export class MemoryObjectStore implements ObjectStore {
  readonly location: string = 'memory://';
  readonly objects = new Map<string, Buffer>();
  /** User metadata by key; a write without metadata drops it, as in S3. */
  readonly metadata = new Map<string, Readonly<Record<string, string>>>();

  async putFile(key: string, localPath: string, options?: PutOptions): Promise<void> {
    this.#keepMetadata(key, options);
    this.objects.set(key, await readFile(localPath));
  }

  async putBytes(key: string, body: Uint8Array | string, options?: PutOptions): Promise<void> {
    this.#keepMetadata(key, options);
    this.objects.set(key, Buffer.from(body));
  }

  async getStream(key: string): Promise<Readable> {
    return Readable.from([await this.getBytes(key)]);
  }

  async getBytes(key: string): Promise<Buffer> {
    const body = this.objects.get(key);
    if (!body) throw new ObjectNotFoundError(key);
    return body;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const body = this.objects.get(key);
    const metadata = this.metadata.get(key);
    if (!body) return undefined;
    return metadata ? { key, size: body.length, metadata } : { key, size: body.length };
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    for (const [key, body] of [...this.objects].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (key.startsWith(prefix)) yield { key, size: body.length };
    }
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
    this.metadata.delete(key);
  }

  #keepMetadata(key: string, options: PutOptions | undefined): void {
    const metadata = options?.metadata;
    if (metadata && Object.keys(metadata).length > 0) {
      this.metadata.set(key, Object.fromEntries(Object.entries(metadata).map(([name, value]) => [name.toLowerCase(), value])));
    } else {
      this.metadata.delete(key);
    }
  }
}
