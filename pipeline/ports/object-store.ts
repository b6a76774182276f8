import type { Readable } from 'node:stream';

export interface ObjectInfo {
  /** Key relative to the store's root (its bucket prefix or folder). */
  readonly key: string;
  readonly size: number;
  readonly lastModified?: Date;
  /**
   * User metadata stored with the object (S3's `x-amz-meta-<name>`: names lower-case, without
   * the prefix), e.g. the `signature` of a CloudTrail digest. Only `head` reads it; listings
   * leave it out, as S3's do.
   */
  readonly metadata?: Readonly<Record<string, string>>;
  /** The store's ETag of the object, without the quotes S3 puts around it; absent where the store has none (a folder). */
  readonly etag?: string;
}

/**
 * A flat key space of immutable objects: the lake, a quarantine, or a CloudTrail bucket. Keys
 * use `/` and are relative to the store's root; adapters refuse keys that would leave it.
 * Writing a key that exists replaces it whole (that is how every job stays idempotent).
 */
export interface ObjectStore {
  /** Human-readable location of the root, e.g. `s3://bucket/prefix/` or `/home/me/lake/`. */
  readonly location: string;
  /** Uploads a local file (multipart when large). */
  putFile(key: string, localPath: string, options?: PutOptions): Promise<void>;
  putBytes(key: string, body: Uint8Array | string, options?: PutOptions): Promise<void>;
  /** Throws ObjectNotFoundError when absent. */
  getStream(key: string): Promise<Readable>;
  /** Throws ObjectNotFoundError when absent. */
  getBytes(key: string): Promise<Buffer>;
  /** Size, time and user metadata of an object, or undefined when absent. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Every object whose key starts with `prefix`, in key order, page by page underneath. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** Deleting an absent key is not an error. */
  delete(key: string): Promise<void>;
}

export interface PutOptions {
  readonly contentType?: string;
  /** User metadata to store with the object (see ObjectInfo.metadata); writing without it clears what was there. */
  readonly metadata?: Readonly<Record<string, string>>;
}
