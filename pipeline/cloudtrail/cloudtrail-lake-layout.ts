import { createHash } from 'node:crypto';
import { lakeObject, type LakeObject, type PartitionValuesOf } from '../lake/lake-layout.js';
import type { LakeTable } from '../tables/lake-table.js';
import { CLOUDTRAIL_EVENTS, CLOUDTRAIL_INSIGHTS, type CloudTrailPartitionKey } from '../tables/cloudtrail-tables.js';

// The record inspector and the flattener escape the account and region of each record.
export { escapePartitionValue } from '../lake/lake-layout.js';

/** Which CloudTrail table a row belongs to; also the folder under `cloudtrail/`. */
export type CloudTrailTableKind = 'events' | 'insights';

/** Escaped partition values (safe in a key, see escapePartitionValue). */
export type CloudTrailPartition = PartitionValuesOf<CloudTrailPartitionKey>;

const TABLES: Readonly<Record<CloudTrailTableKind, LakeTable<CloudTrailPartitionKey>>> = {
  events: CLOUDTRAIL_EVENTS,
  insights: CLOUDTRAIL_INSIGHTS,
};

/** The lake table of a kind of CloudTrail row. */
export function cloudTrailTable(kind: CloudTrailTableKind): LakeTable<CloudTrailPartitionKey> {
  return TABLES[kind];
}

/** First 32 hex digits of sha256 of the source key: the name of every object made from it. */
export function sourceKeyHash(sourceKey: string): string {
  return createHash('sha256').update(sourceKey, 'utf8').digest('hex').slice(0, 32);
}

/**
 * `cloudtrail/<kind>/account=<a>/region=<r>/day=<d>/<sha256(source key)[0:32]>.parquet`: one
 * object per (input file, partition), so ingesting a file again overwrites what it wrote.
 */
export function cloudTrailObject(
  kind: CloudTrailTableKind,
  partition: CloudTrailPartition,
  sourceKey: string,
): LakeObject<CloudTrailPartitionKey> {
  return lakeObject(TABLES[kind], partition, `${sourceKeyHash(sourceKey)}.parquet`);
}

export interface QuarantineKeys {
  /** Copy of the input, byte for byte. */
  readonly data: string;
  /** Why it was refused. */
  readonly error: string;
}

/** Where quarantined CloudTrail inputs are copied (not a lake table: nothing reads it as one). */
export const CLOUDTRAIL_QUARANTINE_PREFIX = '_quarantine/cloudtrail/';

/**
 * `_quarantine/cloudtrail/<day quarantined>/<hash[0:12]>_<file name>` and `.error.json` beside
 * it. The hash keeps two inputs with the same file name apart.
 */
export function quarantineKeys(sourceKey: string, quarantinedAt: Date): QuarantineKeys {
  const day = quarantinedAt.toISOString().slice(0, 10);
  const base = sourceKey.split('/').pop() ?? '';
  const name = `${quarantineHash(sourceKey)}_${escapeFileName(base)}`;
  const data = `${CLOUDTRAIL_QUARANTINE_PREFIX}${day}/${name}`;
  return { data, error: `${data}.error.json` };
}

const QUARANTINE_HASH_LENGTH = 12;

/** The hash a quarantine copy's name starts with (see quarantineKeys). */
export function quarantineHash(sourceKey: string): string {
  return sourceKeyHash(sourceKey).slice(0, QUARANTINE_HASH_LENGTH);
}

/** The `quarantineHash` a quarantine copy (or its `.error.json`) was named with. */
export function quarantinedHash(quarantineKey: string): string {
  const name = quarantineKey.slice(quarantineKey.lastIndexOf('/') + 1);
  return name.slice(0, QUARANTINE_HASH_LENGTH);
}

function escapeFileName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._=+@-]/g, '_').slice(0, 200);
  return safe === '' || /^\.+$/.test(safe) ? 'input' : safe;
}
