import type { WrittenObject } from '../lake/lake-layout.js';
import type { LedgerEntry } from '../ports/ingestion-ledger.js';
import type { CloudTrailPartitionKey } from '../tables/cloudtrail-tables.js';
import type { CloudTrailFileKind } from './cloudtrail-key.js';
import type { UnreadableReason } from './record-scanner.js';

/** What ingesting one CloudTrail input came to. */
export type FileOutcome = IngestedFile | QuarantinedFile | SkippedFile | RecordedFile;

export interface IngestedFile {
  readonly status: 'ingested';
  readonly key: string;
  readonly events: number;
  readonly insights: number;
  /** Record members no column knows, kept in `unknown_fields`. */
  readonly unknownFields: number;
  /** Values of the wrong JSON type for their column, kept in `unknown_fields`. */
  readonly mistypedFields: number;
  /** Bytes read from the source (compressed for a gzip file). */
  readonly bytesRead: number;
  readonly uncompressedBytes: number;
  /** SHA-256 (hex) of the uncompressed content. */
  readonly sha256?: string;
  /** The objects written, one per (table, partition), sorted by key: what the catalog registers. */
  readonly objects: readonly WrittenObject<CloudTrailPartitionKey>[];
}

export interface QuarantinedFile {
  readonly status: 'quarantined';
  readonly key: string;
  readonly reason: UnreadableReason;
  readonly message: string;
  /** Where the copy of the input went in the lake (`.error.json` beside it). */
  readonly quarantineKey: string;
  readonly bytesRead: number;
}

export interface SkippedFile {
  readonly status: 'skipped';
  readonly key: string;
  /** `digest`: an integrity digest; `network-activity` and `aggregated`: streams not ingested; `folder`: a folder marker. */
  readonly reason: Exclude<CloudTrailFileKind, 'events' | 'insight'> | 'folder';
}

/** An input the ledger says was done before, with the same size and ETag: not read again. */
export interface RecordedFile {
  readonly status: 'recorded';
  readonly key: string;
  /** What the ledger holds for it. */
  readonly entry: LedgerEntry;
}
