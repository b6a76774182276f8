import { createHash } from 'node:crypto';

/** Which CloudTrail table a row belongs to; also the folder under `cloudtrail/`. */
export type CloudTrailTableKind = 'events' | 'insights';

export interface CloudTrailPartition {
  /** Escaped partition values (safe in a key, see escapePartitionValue). */
  readonly account: string;
  readonly region: string;
  readonly day: string;
}

/**
 * A partition value as it appears in a key: kept as delivered, with every byte outside
 * `[A-Za-z0-9._-]` written `%XX` (Hive's escaping, which Athena and DuckDB undo when they read
 * the path). A 12-digit account id, `us-east-1` or `2024-03-05` comes out unchanged; a
 * `redacted`, 13-digit or empty-looking value stays distinct and can never add a `/`.
 */
export function escapePartitionValue(value: string): string {
  if (value === '') return '__HIVE_DEFAULT_PARTITION__';
  if (/^[A-Za-z0-9._-]+$/.test(value) && value !== '.' && value !== '..') return value;
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out +=
      /[A-Za-z0-9_-]/.test(c) || (c === '.' && value !== '.' && value !== '..')
        ? c
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** First 32 hex digits of sha256 of the source key: the name of every object made from it. */
export function sourceKeyHash(sourceKey: string): string {
  return createHash('sha256').update(sourceKey, 'utf8').digest('hex').slice(0, 32);
}

export function cloudTrailTablePrefix(kind: CloudTrailTableKind): string {
  return `cloudtrail/${kind}/`;
}

export function cloudTrailPartitionPrefix(kind: CloudTrailTableKind, partition: CloudTrailPartition): string {
  return `${cloudTrailTablePrefix(kind)}account=${partition.account}/region=${partition.region}/day=${partition.day}/`;
}

/**
 * `cloudtrail/<kind>/account=<a>/region=<r>/day=<d>/<sha256(source key)[0:32]>.parquet`: one
 * object per (input file, partition), so ingesting a file again overwrites what it wrote.
 */
export function cloudTrailObjectKey(kind: CloudTrailTableKind, partition: CloudTrailPartition, sourceKey: string): string {
  return `${cloudTrailPartitionPrefix(kind, partition)}${sourceKeyHash(sourceKey)}.parquet`;
}

export interface QuarantineKeys {
  /** Copy of the input, byte for byte. */
  readonly data: string;
  /** Why it was refused. */
  readonly error: string;
}

/**
 * `_quarantine/cloudtrail/<day quarantined>/<hash[0:12]>_<file name>` and `.error.json` beside
 * it. The hash keeps two inputs with the same file name apart.
 */
export function quarantineKeys(sourceKey: string, quarantinedAt: Date): QuarantineKeys {
  const day = quarantinedAt.toISOString().slice(0, 10);
  const base = sourceKey.split('/').pop() ?? '';
  const name = `${sourceKeyHash(sourceKey).slice(0, 12)}_${escapeFileName(base)}`;
  const data = `_quarantine/cloudtrail/${day}/${name}`;
  return { data, error: `${data}.error.json` };
}

function escapeFileName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._=+@-]/g, '_').slice(0, 200);
  return safe === '' || /^\.+$/.test(safe) ? 'input' : safe;
}
