import type { CloudTrailPartitionKey } from './cloudtrail-tables.js';
import type { LakeColumn, LakeTable, PartitionKey } from './lake-table.js';

/**
 * `cloudtrail_completeness`: what `opslake cloudtrail verify` found when it held CloudTrail's
 * digest files against the ingestion ledger. One row per log file a digest names or the
 * ledger holds, and one per digest file, in the partition of the file's delivery day (the
 * ledger's day), so a day verified again replaces its rows.
 */
export const CLOUDTRAIL_COMPLETENESS_TABLE = 'cloudtrail_completeness';

/** What a row says; `finding` marks the statuses someone should look at. */
export const COMPLETENESS_STATUSES = {
  verified: { kind: 'log', finding: false, meaning: 'named by a digest, ingested, and its SHA-256 is the one the digest holds' },
  missing: { kind: 'log', finding: true, meaning: 'named by a digest but not in the lake (no ledger entry, or quarantined or skipped)' },
  'hash-mismatch': { kind: 'log', finding: true, meaning: 'ingested, but its content is not what CloudTrail delivered (SHA-256 differs)' },
  'not-in-digest': { kind: 'log', finding: true, meaning: 'ingested, but no digest names it although digests cover its delivery time' },
  'awaiting-digest': { kind: 'log', finding: false, meaning: 'ingested after the newest digest of its account and region ended' },
  'no-digest': { kind: 'log', finding: false, meaning: 'ingested; its account and region have no digest around its delivery time' },
  'hash-unknown': { kind: 'log', finding: false, meaning: 'named by a digest and ingested, but the ledger holds no SHA-256 of it' },
  'digest-verified': { kind: 'digest', finding: false, meaning: 'signature valid and linked to the previous digest of its chain' },
  'digest-unchecked': { kind: 'digest', finding: false, meaning: 'linked to its chain; no public key was given to check the signature' },
  'signature-invalid': { kind: 'digest', finding: true, meaning: 'the signature does not match the digest: forged or altered' },
  'signature-missing': { kind: 'digest', finding: true, meaning: 'a public key was given but the digest object carries no signature' },
  'key-unknown': { kind: 'digest', finding: true, meaning: 'no public key with the fingerprint the digest names' },
  'chain-broken': { kind: 'digest', finding: true, meaning: 'the previous digest is gone, or is not the one this digest records' },
  'digest-misplaced': { kind: 'digest', finding: true, meaning: 'the digest names another bucket or key than where it was found' },
  'digest-malformed': { kind: 'digest', finding: true, meaning: 'the digest could not be read; it is quarantined with the reason' },
} as const satisfies Record<string, { kind: 'log' | 'digest'; finding: boolean; meaning: string }>;

export type CompletenessStatus = keyof typeof COMPLETENESS_STATUSES;

export function isFinding(status: CompletenessStatus): boolean {
  return COMPLETENESS_STATUSES[status].finding;
}

export const CLOUDTRAIL_COMPLETENESS_COLUMNS = [
  {
    name: 'hour',
    type: 'TIMESTAMP',
    description: "Delivery hour (UTC) of the file: from a log file's key, or a digest's end time.",
  },
  { name: 'kind', type: 'VARCHAR', description: 'log (a CloudTrail log file) or digest (a digest file).' },
  {
    name: 'status',
    type: 'VARCHAR',
    description:
      'verified, missing, hash-mismatch, not-in-digest, awaiting-digest, no-digest, hash-unknown (log files); digest-verified, ' +
      'digest-unchecked, signature-invalid, signature-missing, key-unknown, chain-broken, digest-misplaced, digest-malformed.',
  },
  { name: 'finding', type: 'BOOLEAN', description: 'True when the status is a problem to look at (missing, changed, forged, ...).' },
  { name: 'file_key', type: 'VARCHAR', description: 'S3 key of the log file or digest file the row is about.' },
  {
    name: 'digest_key',
    type: 'VARCHAR',
    description: 'Log rows: the digest that names the file. Digest rows: the previous digest of the chain, when there is one.',
  },
  {
    name: 'expected_sha256',
    type: 'VARCHAR',
    description: "Log rows: the digest's hashValue (SHA-256 of the uncompressed file). Digest rows: the previous digest's hash it records.",
  },
  {
    name: 'actual_sha256',
    type: 'VARCHAR',
    description: 'Log rows: SHA-256 of the uncompressed file as ingested (from the ledger). Digest rows: of the previous digest as found.',
  },
  { name: 'ledger_status', type: 'VARCHAR', description: "The ledger entry's status (ingested, quarantined, skipped), null without one." },
  { name: 'detail', type: 'VARCHAR', description: 'What was found, in words; null for a file that checks out.' },
  { name: 'source', type: 'VARCHAR', description: 'Where the trail was read, as the ledger names it: the bucket name, or the folder.' },
  { name: 'verified_at', type: 'TIMESTAMP', description: 'When the verification that wrote the row ran (UTC).' },
] as const satisfies readonly LakeColumn[];

export type CompletenessColumnName = (typeof CLOUDTRAIL_COMPLETENESS_COLUMNS)[number]['name'];

/** The names of the CloudTrail tables' keys, but of the file's key: a file's events may lie on other days than its delivery. */
const COMPLETENESS_PARTITION_KEYS: readonly PartitionKey<CloudTrailPartitionKey>[] = [
  { name: 'account', type: 'string', description: "Account in the file's key (12 digits, leading zeros kept)." },
  { name: 'region', type: 'string', description: "Region in the file's key." },
  { name: 'day', type: 'string', description: "Delivery day (YYYY-MM-DD) of the file: its key's date folder, the ledger's day." },
];

export const CLOUDTRAIL_COMPLETENESS: LakeTable<CloudTrailPartitionKey> = {
  name: CLOUDTRAIL_COMPLETENESS_TABLE,
  path: 'cloudtrail/completeness',
  description: 'CloudTrail log files and digests checked against the ingestion ledger: missing, changed, unlisted, forged.',
  columns: CLOUDTRAIL_COMPLETENESS_COLUMNS,
  partitionKeys: COMPLETENESS_PARTITION_KEYS,
  // A verification rewrites its partition's one object whole; a row is a file as one digest (or none) names it.
  identity: { time: 'hour', key: ['kind', 'file_key', 'digest_key'], keepFirst: [] },
};
