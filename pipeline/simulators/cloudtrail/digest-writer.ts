import { createHash, type KeyObject } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  DIGEST_SIGNATURE_ALGORITHM,
  SIGNATURE_ALGORITHM_METADATA,
  SIGNATURE_METADATA,
  signDigest,
} from '../../cloudtrail/digest/digest-signature.js';
import type { ObjectStore } from '../../ports/object-store.js';

/** A log file as a digest names it: its key, the SHA-256 of its uncompressed content, and its events' time span. */
export interface DigestedLogFile {
  readonly key: string;
  readonly sha256: string;
  readonly oldestEventTime: string | null;
  readonly newestEventTime: string | null;
}

/** One digest of a chain: what it covers and where it goes. */
export interface DigestSpec {
  /** Its key in the bucket (see digestKey). */
  readonly key: string;
  readonly account: string;
  readonly start: Date;
  readonly end: Date;
  readonly logFiles: readonly DigestedLogFile[];
}

export interface DigestChainOptions {
  /** The bucket the digests name (`digestS3Bucket`, `s3Bucket` of each log file). */
  readonly bucket: string;
  /** Signs each digest, as CloudTrail does; without it the objects carry no signature. */
  readonly privateKey?: KeyObject;
  /** What the digests name as `digestPublicKeyFingerprint`. */
  readonly fingerprint: string;
}

/** What a written digest became: the next digest of the chain links to these. */
export interface WrittenDigest {
  readonly key: string;
  readonly sha256: string;
  readonly signature: string | undefined;
  readonly bytes: number;
}

function iso(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}

function stamp(time: Date): string {
  return `${iso(time).replace(/[-:]/g, '')}`;
}

/** SHA-256 (hex) of bytes, as digests record log files (uncompressed). */
export function sha256Hex(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}

/** An MD5-sized fingerprint of a public key, in the form CloudTrail's look (32 hex digits). */
export function publicKeyFingerprint(publicKey: KeyObject): string {
  return createHash('md5')
    .update(publicKey.export({ type: 'pkcs1', format: 'der' }))
    .digest('hex');
}

/**
 * `<base>/CloudTrail-Digest/<region>/YYYY/MM/DD/<account>_CloudTrail-Digest_<region>_<trail>_<home region>_<end>.json.gz`,
 * `base` being the key up to the account (`[prefix/]AWSLogs/[o-id/]<account>`).
 */
export function digestKey(base: string, account: string, region: string, trail: string, homeRegion: string, end: Date): string {
  const day = end.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${base}/CloudTrail-Digest/${region}/${day}/${account}_CloudTrail-Digest_${region}_${trail}_${homeRegion}_${stamp(end)}.json.gz`;
}

/**
 * Writes the digest files of one trail's stream (account and region) the way CloudTrail does:
 * gzip JSON naming each log file with the SHA-256 of its uncompressed content, each digest
 * linked to the one before it (its hash and signature), signed over CloudTrail's string to
 * sign, the signature in the object's metadata. What the demo trail and the tests write.
 */
export class DigestChainWriter {
  readonly #store: ObjectStore;
  readonly #options: DigestChainOptions;
  #previous: WrittenDigest | undefined;

  constructor(store: ObjectStore, options: DigestChainOptions) {
    this.#store = store;
    this.#options = options;
  }

  async write(spec: DigestSpec): Promise<WrittenDigest> {
    const { bucket, privateKey, fingerprint } = this.#options;
    const previous = this.#previous;
    // ISO times in one format sort as they happened.
    const times = spec.logFiles
      .flatMap((file) => [file.oldestEventTime, file.newestEventTime])
      .filter((time) => time !== null)
      .sort();
    const document = {
      awsAccountId: spec.account,
      digestStartTime: iso(spec.start),
      digestEndTime: iso(spec.end),
      digestS3Bucket: bucket,
      digestS3Object: spec.key,
      digestPublicKeyFingerprint: fingerprint,
      digestSignatureAlgorithm: DIGEST_SIGNATURE_ALGORITHM,
      newestEventTime: times.at(-1) ?? null,
      oldestEventTime: times[0] ?? null,
      previousDigestS3Bucket: previous ? bucket : null,
      previousDigestS3Object: previous?.key ?? null,
      previousDigestHashValue: previous?.sha256 ?? null,
      previousDigestHashAlgorithm: previous ? 'SHA-256' : null,
      previousDigestSignature: previous?.signature ?? null,
      logFiles: spec.logFiles.map((file) => ({
        s3Bucket: bucket,
        s3Object: file.key,
        hashValue: file.sha256,
        hashAlgorithm: 'SHA-256',
        newestEventTime: file.newestEventTime,
        oldestEventTime: file.oldestEventTime,
      })),
    };
    const body = JSON.stringify(document);
    const sha256 = sha256Hex(body);
    const fields = { endTimeText: document.digestEndTime, bucket, object: spec.key, sha256, previousSignature: previous?.signature };
    const signature = privateKey ? signDigest(fields, privateKey) : undefined;
    const gz = gzipSync(body, { level: 6 });
    const metadata = { [SIGNATURE_METADATA]: signature ?? '', [SIGNATURE_ALGORITHM_METADATA]: DIGEST_SIGNATURE_ALGORITHM };
    await this.#store.putBytes(spec.key, gz, signature === undefined ? {} : { metadata });
    this.#previous = { key: spec.key, sha256, signature, bytes: gz.length };
    return this.#previous;
  }
}
