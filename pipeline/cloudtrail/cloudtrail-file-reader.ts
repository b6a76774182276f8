import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ObjectStoreError, OpslakeError, UnreadableInputError } from '../errors.js';
import { RecordScanner, type RawRecord, type ScannedDocument } from './record-scanner.js';

function sourceError(cause: unknown, what: string): Error {
  if (cause instanceof OpslakeError) return cause;
  return new ObjectStoreError(`reading ${what} failed: ${(cause as Error)?.message ?? String(cause)}`, what, { cause, retryable: true });
}

/** Resolves when `stream` can take more, or is gone (a destroyed stream never drains). */
function drained(stream: Writable): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (error?: unknown) => {
      stream.off('drain', done).off('close', done).off('error', done);
      if (error) reject(error);
      else resolve();
    };
    stream.on('drain', done).on('close', done).on('error', done);
  });
}

async function* gunzipChunks(first: Buffer, rest: AsyncIterator<Buffer>, what: string): AsyncGenerator<Buffer> {
  // zlib's default 16 KiB output chunks make inflating several times slower.
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  // An error of the source is not the file's fault: it must not get the input quarantined.
  let failure: { cause: unknown } | undefined;
  const feeding = (async () => {
    try {
      if (!gunzip.write(first)) await drained(gunzip);
      for (let next = await rest.next(); !next.done; next = await rest.next()) {
        if (gunzip.destroyed) return;
        if (!gunzip.write(next.value)) await drained(gunzip);
      }
      if (!gunzip.destroyed) gunzip.end();
    } catch (error) {
      if (gunzip.destroyed) return; // gunzip's own error is reported by the reading side
      failure = { cause: error };
      gunzip.destroy(sourceError(error, what));
    }
  })();
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (error) {
    if (failure) throw sourceError(failure.cause, what);
    const message = (error as Error).message ?? String(error);
    const truncated = (error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' || /unexpected end/i.test(message);
    throw new UnreadableInputError(
      truncated ? 'truncated' : 'unreadable-gzip',
      truncated ? `the gzip stream is cut short (${message})` : `the file is not valid gzip (${message})`,
      { cause: error },
    );
  } finally {
    gunzip.destroy();
    await feeding;
  }
  if (failure) throw sourceError(failure.cause, what);
}

async function* plainChunks(first: Buffer, rest: AsyncIterator<Buffer>, what: string): AsyncGenerator<Buffer> {
  yield first;
  try {
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } catch (error) {
    throw sourceError(error, what);
  }
}

/** Bytes consumed so far from the source (compressed, for a gzip file). */
export interface ReadCounter {
  bytes: number;
  /**
   * SHA-256 (hex) of the uncompressed content, set once the whole file was read: what a
   * CloudTrail digest's hashValue holds for it.
   */
  sha256?: string;
}

/**
 * Reads a CloudTrail file (gzip, detected by its magic bytes, or plain JSON) and yields its
 * records in batches, as the bytes arrive: memory holds about one chunk and one record. The
 * generator's return value describes the document. Errors: UnreadableInputError when the file
 * itself is bad (the caller quarantines it), ObjectStoreError (retryable) when the source
 * failed while being read.
 */
export async function* readCloudTrailRecords(
  source: AsyncIterable<Buffer | string>,
  what: string,
  counter: ReadCounter = { bytes: 0 },
): AsyncGenerator<RawRecord[], ScannedDocument> {
  const iterator = (async function* counted() {
    for await (const chunk of source) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      counter.bytes += bytes.length;
      yield bytes;
    }
  })();
  let first: IteratorResult<Buffer>;
  try {
    first = await iterator.next();
  } catch (error) {
    throw sourceError(error, what);
  }
  const scanner = new RecordScanner();
  const hash = createHash('sha256');
  if (first.done) {
    counter.sha256 = hash.digest('hex');
    return scanner.finish();
  }
  let head = first.value;
  if (head.length < 2) {
    // The gzip magic is two bytes; a source may hand them over one at a time.
    const second = await iterator.next().catch((error: unknown) => Promise.reject(sourceError(error, what)));
    if (!second.done) head = Buffer.concat([head, second.value]);
  }
  const chunks =
    head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b ? gunzipChunks(head, iterator, what) : plainChunks(head, iterator, what);
  for await (const chunk of chunks) {
    hash.update(chunk);
    const records = scanner.push(chunk);
    if (records.length > 0) yield records;
  }
  const document = scanner.finish();
  counter.sha256 = hash.digest('hex');
  return document;
}
