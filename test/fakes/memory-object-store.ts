import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ObjectNotFoundError } from '../../pipeline/errors.js';
import type { ObjectInfo, ObjectStore } from '../../pipeline/ports/object-store.js';

/** An ObjectStore in memory, for unit tests of code that uses the port. */
export class MemoryObjectStore implements ObjectStore {
  readonly location = 'memory://';
  readonly objects = new Map<string, Buffer>();

  async putFile(key: string, localPath: string): Promise<void> {
    this.objects.set(key, await readFile(localPath));
  }

  async putBytes(key: string, body: Uint8Array | string): Promise<void> {
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
    return body ? { key, size: body.length } : undefined;
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    for (const [key, body] of [...this.objects].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (key.startsWith(prefix)) yield { key, size: body.length };
    }
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
}
