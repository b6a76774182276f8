import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { LocalObjectStore } from '../../store/local-object-store.js';
import type { SeededRandom } from '../seeded-random.js';
import { DigestChainWriter, type DigestedLogFile, digestKey, publicKeyFingerprint, sha256Hex } from './digest-writer.js';
import { type DemoRecord, iso } from './demo-record.js';

/** A log file of the demo trail as its digest sees it: also when it was delivered. */
export interface DeliveredFile extends DigestedLogFile {
  readonly deliveredAt: Date;
}

/** One trail's files of one account and region: one chain of digests. */
export interface DigestStream {
  /** The key up to the account: `[prefix/]AWSLogs/[o-id/]<account>`. */
  readonly base: string;
  readonly account: string;
  readonly region: string;
  readonly trail: string;
  readonly bucket: string;
  readonly files: DeliveredFile[];
}

/** What a log file body gives its digest: its SHA-256 and its events' time span. */
export function deliveredFile(key: string, body: string, records: readonly DemoRecord[], deliveredAt: Date): DeliveredFile {
  const times = records.map((record) => String(record.eventTime)).sort();
  return { key, sha256: sha256Hex(body), oldestEventTime: times[0] ?? null, newestEventTime: times.at(-1) ?? null, deliveredAt };
}

export interface DemoDigestOptions {
  readonly start: Date;
  readonly hours: number;
  /** Signs the digests; without it they carry no signature. */
  readonly privateKey?: KeyObject;
}

/** A fingerprint for unsigned digests: stable, and plainly no key's. */
function placeholderFingerprint(stream: DigestStream): string {
  return createHash('md5').update(`${stream.trail}/${stream.account}/${stream.region}`).digest('hex');
}

/**
 * Writes hourly digests for each stream, as CloudTrail does with log file validation on: the
 * digest of hour k names the files delivered in it. Files delivered after the last full hour
 * are in no digest yet, as the newest files of a live trail are not. Returns the digest keys
 * and their compressed bytes.
 */
export async function writeDemoDigests(
  dir: string,
  streams: readonly DigestStream[],
  options: DemoDigestOptions,
): Promise<{ keys: string[]; bytes: number }> {
  const store = new LocalObjectStore(dir);
  const fingerprint = options.privateKey ? publicKeyFingerprint(createPublicKey(options.privateKey)) : undefined;
  const keys: string[] = [];
  let bytes = 0;
  for (const stream of streams) {
    const writer = new DigestChainWriter(store, {
      bucket: stream.bucket,
      fingerprint: fingerprint ?? placeholderFingerprint(stream),
      ...(options.privateKey ? { privateKey: options.privateKey } : {}),
    });
    for (let hour = 0; hour < options.hours; hour += 1) {
      const start = new Date(options.start.getTime() + hour * 3_600_000);
      const end = new Date(start.getTime() + 3_600_000);
      const files = stream.files.filter((file) => file.deliveredAt >= start && file.deliveredAt < end);
      const key = digestKey(stream.base, stream.account, stream.region, stream.trail, 'us-east-1', end);
      const written = await writer.write({ key, account: stream.account, start, end, logFiles: files });
      keys.push(key);
      bytes += written.bytes;
    }
  }
  return { keys, bytes };
}

/** The one digest of a trail without `digests`: unsigned, naming two files with made-up hashes; ingestion skips it. */
export async function writePlaceholderDigest(
  dir: string,
  stream: Pick<DigestStream, 'account' | 'region' | 'base' | 'trail'>,
  keys: readonly string[],
  random: SeededRandom,
  options: { start: number; level: number },
): Promise<{ keys: string[]; bytes: number }> {
  const { start } = options;
  const digestEnd = new Date(start + 3_600_000);
  const digestStamp = `${digestEnd.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
  const digestName = `${stream.account}_CloudTrail-Digest_${stream.region}_${stream.trail}_us-east-1_${digestStamp}.json.gz`;
  const folder = digestEnd.toISOString().slice(0, 10).replaceAll('-', '/');
  const digestKey = `${stream.base}/CloudTrail-Digest/${stream.region}/${folder}/${digestName}`;
  const digest = {
    awsAccountId: stream.account,
    digestStartTime: iso(new Date(start)),
    digestEndTime: iso(digestEnd),
    digestS3Bucket: 'acme-org-trail',
    digestS3Object: digestKey,
    digestPublicKeyFingerprint: random.chars(32, '0123456789abcdef'),
    digestSignatureAlgorithm: 'SHA256withRSA',
    newestEventTime: iso(digestEnd),
    oldestEventTime: iso(new Date(start)),
    previousDigestS3Bucket: null,
    previousDigestS3Object: null,
    previousDigestHashValue: null,
    previousDigestHashAlgorithm: null,
    previousDigestSignature: null,
    logFiles: keys
      .filter((key) => key.startsWith(`${stream.base}/CloudTrail/${stream.region}/`))
      .slice(0, 2)
      .map((key) => ({
        s3Bucket: 'acme-org-trail',
        s3Object: key,
        hashValue: random.chars(64, '0123456789abcdef'),
        hashAlgorithm: 'SHA-256',
        newestEventTime: iso(digestEnd),
        oldestEventTime: iso(new Date(start)),
      })),
  };
  const gz = gzipSync(JSON.stringify(digest), { level: options.level });
  const path = join(dir, ...digestKey.split('/'));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, gz);
  return { keys: [digestKey], bytes: gz.length };
}
