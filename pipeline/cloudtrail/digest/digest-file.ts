import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { UnreadableInputError } from '../../errors.js';

/**
 * A CloudTrail digest file: the log files one account and region delivered in about an hour,
 * each with the SHA-256 of its uncompressed content, and a link to the previous digest (its
 * hash and signature), so digests form a chain in which a deleted or altered one shows. The
 * digest's own signature is not in it: it is the object's `x-amz-meta-signature`.
 */
export interface DigestFile {
  /** The key it was read from (which `object` should equal). */
  readonly key: string;
  readonly account: string;
  readonly startTime: Date;
  readonly endTime: Date;
  /** `digestEndTime` exactly as written: the signature covers the text, not the instant. */
  readonly endTimeText: string;
  /** `digestS3Bucket` and `digestS3Object`: where CloudTrail put it. */
  readonly bucket: string;
  readonly object: string;
  readonly publicKeyFingerprint: string;
  /** The previous digest of the chain; undefined at the start of a chain (CloudTrail writes nulls). */
  readonly previous: PreviousDigest | undefined;
  readonly logFiles: readonly DigestLogFile[];
  /** SHA-256 (hex) of the uncompressed digest: what the next digest's `previousDigestHashValue` holds. */
  readonly sha256: string;
}

export interface PreviousDigest {
  readonly bucket: string;
  readonly object: string;
  /** Hex SHA-256 of the previous digest, uncompressed. */
  readonly hashValue: string;
  /** Hex signature of the previous digest, as written (the next signature covers the text). */
  readonly signature: string;
}

export interface DigestLogFile {
  readonly bucket: string;
  /** The log file's S3 key. */
  readonly key: string;
  /** Hex SHA-256 of the log file's uncompressed content. */
  readonly hashValue: string;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const HEX = /^[0-9a-f]+$/i;
/** `2015-08-17T15:01:31Z`, the form CloudTrail writes (fractions of a second tolerated). */
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

function invalid(key: string, problem: string): UnreadableInputError {
  return new UnreadableInputError('invalid-digest', `not a CloudTrail digest file (${key}): ${problem}`);
}

/** The uncompressed bytes: gzip as CloudTrail delivers it (told by its magic bytes), else as it is. */
function inflate(bytes: Buffer, key: string): Buffer {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (error) {
    const message = (error as Error).message;
    const truncated = (error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' || /unexpected end/i.test(message);
    throw new UnreadableInputError(
      truncated ? 'truncated' : 'unreadable-gzip',
      truncated ? `the gzip stream of ${key} is cut short (${message})` : `${key} is not valid gzip (${message})`,
      { cause: error },
    );
  }
}

/** Reads the members of one JSON object, naming the first that is missing or of the wrong type. */
class Members {
  constructor(
    private readonly key: string,
    private readonly where: string,
    private readonly object: Readonly<Record<string, unknown>>,
  ) {}

  text(name: string, pattern?: RegExp): string {
    const value = this.object[name];
    if (typeof value !== 'string' || value === '') throw invalid(this.key, `${this.where}${name} is missing or not a string`);
    if (pattern && !pattern.test(value)) throw invalid(this.key, `${this.where}${name} ${JSON.stringify(value.slice(0, 80))} is malformed`);
    return value;
  }

  /** A member CloudTrail writes as null at the start of a chain. */
  nullableText(name: string, pattern?: RegExp): string | null {
    if (!(name in this.object)) throw invalid(this.key, `${this.where}${name} is missing`);
    return this.object[name] === null ? null : this.text(name, pattern);
  }

  time(name: string): { text: string; date: Date } {
    const text = this.text(name, UTC_TIME);
    return { text, date: new Date(Date.parse(text)) };
  }
}

function asObject(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function previousOf(members: Members, key: string): PreviousDigest | undefined {
  const bucket = members.nullableText('previousDigestS3Bucket');
  const object = members.nullableText('previousDigestS3Object');
  const hashValue = members.nullableText('previousDigestHashValue', HEX_SHA256);
  const signature = members.nullableText('previousDigestSignature', HEX);
  const links = [bucket, object, hashValue, signature];
  if (links.every((link) => link === null)) return undefined;
  if (bucket === null || object === null || hashValue === null || signature === null) {
    throw invalid(key, 'the previous digest is named only in part (its bucket, key, hash and signature go together)');
  }
  return { bucket, object, hashValue: hashValue.toLowerCase(), signature };
}

function logFileOf(value: unknown, index: number, key: string): DigestLogFile {
  const where = `logFiles[${index}].`;
  const object = asObject(value);
  if (object === undefined) throw invalid(key, `${where.slice(0, -1)} is not an object`);
  const members = new Members(key, where, object);
  const algorithm = members.text('hashAlgorithm');
  if (algorithm !== 'SHA-256') throw invalid(key, `${where}hashAlgorithm is ${JSON.stringify(algorithm)}, not SHA-256`);
  return {
    bucket: members.text('s3Bucket'),
    key: members.text('s3Object'),
    hashValue: members.text('hashValue', HEX_SHA256).toLowerCase(),
  };
}

/**
 * Parses the bytes of the digest at `key` (gzip or plain JSON). Throws UnreadableInputError
 * (`unreadable-gzip`, `truncated`, `invalid-json` or `invalid-digest`, naming the member) when
 * they are not a digest: the caller quarantines the file like any unreadable input.
 */
export function parseDigestFile(bytes: Buffer, key: string): DigestFile {
  const inflated = inflate(bytes, key);
  let parsed: unknown;
  try {
    parsed = JSON.parse(inflated.toString('utf8'));
  } catch (error) {
    throw new UnreadableInputError('invalid-json', `${key} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const root = asObject(parsed);
  if (root === undefined) throw invalid(key, 'the document is not a JSON object');
  const members = new Members(key, '', root);
  const start = members.time('digestStartTime');
  const end = members.time('digestEndTime');
  if (end.date < start.date) throw invalid(key, 'digestEndTime is before digestStartTime');
  const logFiles = root.logFiles;
  if (!Array.isArray(logFiles)) throw invalid(key, 'logFiles is missing or not an array');
  return {
    key,
    account: members.text('awsAccountId'),
    startTime: start.date,
    endTime: end.date,
    endTimeText: end.text,
    bucket: members.text('digestS3Bucket'),
    object: members.text('digestS3Object'),
    publicKeyFingerprint: members.text('digestPublicKeyFingerprint'),
    previous: previousOf(members, key),
    logFiles: logFiles.map((value, index) => logFileOf(value, index, key)),
    sha256: createHash('sha256').update(inflated).digest('hex'),
  };
}
