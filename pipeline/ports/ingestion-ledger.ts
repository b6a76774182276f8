/**
 * The ingestion ledger: what became of every CloudTrail input (DESIGN.md §4). An input's entry
 * is written after its objects are in the lake, so an input without an entry (or whose entry
 * names another size or ETag) is done again; resume, replays and the SQS handler decide from
 * here, never from a listing of the lake. Both state stores hold it (one object is a
 * `StateStore & IngestionLedger`).
 */

/** `ingested`: objects written; `quarantined`: copied to `_quarantine/`; `digest`: a digest file; `skipped`: not ingested by design. */
export type LedgerStatus = 'ingested' | 'quarantined' | 'digest' | 'skipped';

/** Rows and objects one input put in one partition of one table. */
export interface LedgerPartition {
  readonly table: string;
  /** The partition's key values, escaped as in object keys. */
  readonly values: Readonly<Record<string, string>>;
  readonly rows: number;
  readonly objects: number;
}

export interface LedgerEntry {
  /** Where the input was read: bucket name (S3) or a stable name of the folder. */
  readonly source: string;
  /** The input key (the CloudTrail key). */
  readonly key: string;
  /** Delivery day YYYY-MM-DD from the key (`unknown` when the key does not parse); see `ledgerDay`. */
  readonly day: string;
  /** From the key. */
  readonly account?: string;
  readonly region?: string;
  readonly size: number;
  /** ETag of the delivered object as the store reports it. */
  readonly etag?: string;
  /** SHA-256 (hex) of the UNCOMPRESSED content: what a digest's hashValue holds. */
  readonly sha256?: string;
  readonly status: LedgerStatus;
  /** Why it was quarantined or skipped. */
  readonly reason?: string;
  readonly message?: string;
  readonly events: number;
  readonly insights: number;
  readonly partitions: readonly LedgerPartition[];
  /** ISO time. */
  readonly recordedAt: string;
}

export interface IngestionLedger {
  /** Entries of these inputs (same source); absent keys have no entry. Batched: cheap for thousands of keys. */
  getLedgerEntries(source: string, keys: readonly string[]): Promise<Map<string, LedgerEntry>>;
  /** Records outcomes, AFTER the input's objects are written. Replaces an earlier entry of the same (source, key). */
  putLedgerEntries(entries: readonly LedgerEntry[]): Promise<void>;
  /** Entries whose delivery day lies in [fromDay, toDay] (inclusive), any order, streamed page by page. */
  listLedgerEntries(range: { fromDay: string; toDay: string }): AsyncIterable<readonly LedgerEntry[]>;
}
