import { ObjectNotFoundError, UnreadableInputError } from '../../errors.js';
import type { ObjectStore } from '../../ports/object-store.js';
import type { QuarantinedFile } from '../cloudtrail-file-outcome.js';
import type { CloudTrailKey } from '../cloudtrail-key.js';
import { quarantineInput } from '../cloudtrail-quarantine.js';
import { type DigestFile, parseDigestFile } from './digest-file.js';
import { SIGNATURE_ALGORITHM_METADATA, SIGNATURE_METADATA } from './digest-signature.js';

/** A digest file as read from the source: parsed, or quarantined when it could not be. */
export interface LoadedDigest {
  readonly key: string;
  /** What its key says (account, region, delivery day). */
  readonly parsedKey: CloudTrailKey;
  /** Undefined when the file is not a digest: it was quarantined. */
  readonly digest: DigestFile | undefined;
  readonly quarantined: QuarantinedFile | undefined;
  /** The object's `x-amz-meta-signature` and `-algorithm`. */
  readonly signature: string | undefined;
  readonly signatureAlgorithm: string | undefined;
}

export interface DigestLoaderOptions {
  /** The lake, where `_quarantine/` is. */
  readonly lake: ObjectStore;
  readonly tempRoot: string;
  readonly clock: () => Date;
}

/**
 * Reads digest files from the source: the object's signature from its metadata, the digest
 * from its body. A file that is not a digest is copied to the quarantine with its reason, like
 * any unreadable CloudTrail input (same keys, same `.error.json`), and comes back without one.
 */
export class DigestLoader {
  readonly #source: ObjectStore;
  readonly #options: DigestLoaderOptions;

  constructor(source: ObjectStore, options: DigestLoaderOptions) {
    this.#source = source;
    this.#options = options;
  }

  /** The digest at `key`, or undefined when there is no such object. Source failures are thrown as they are. */
  async load(key: string, parsedKey: CloudTrailKey): Promise<LoadedDigest | undefined> {
    const info = await this.#source.head(key);
    if (info === undefined) return undefined;
    let bytes: Buffer;
    try {
      bytes = await this.#source.getBytes(key);
    } catch (error) {
      // Deleted between the two calls: as absent as if it had never been listed.
      if (error instanceof ObjectNotFoundError) return undefined;
      throw error;
    }
    const signed = {
      signature: info.metadata?.[SIGNATURE_METADATA],
      signatureAlgorithm: info.metadata?.[SIGNATURE_ALGORITHM_METADATA],
    };
    try {
      return { key, parsedKey, digest: parseDigestFile(bytes, key), quarantined: undefined, ...signed };
    } catch (error) {
      if (!(error instanceof UnreadableInputError)) throw error;
      const { lake, tempRoot, clock } = this.#options;
      const quarantined = await quarantineInput(this.#source, key, error, { lake, now: clock(), tempRoot, bytesRead: bytes.length });
      return { key, parsedKey, digest: undefined, quarantined, ...signed };
    }
  }
}
