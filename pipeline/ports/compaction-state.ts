/**
 * What compaction keeps in the state store (DESIGN.md §2): per compacted partition the
 * generation readers were switched to, per table how far closed days were compacted, and the
 * partitions a late write made dirty. Both state stores hold it.
 */

/** A partition of a lake table: its path under the table (`account=.../region=.../day=.../`) and its key values. */
export interface PartitionRef {
  readonly table: string;
  /** `k=v/.../` as in object keys, with the trailing slash. */
  readonly path: string;
  /** Key values, escaped as in object keys. */
  readonly values: Readonly<Record<string, string>>;
}

export interface DirtyPartition extends PartitionRef {
  /** The last time a write made it dirty; clearing is conditional on it (a newer mark survives). */
  readonly markedAt: Date;
}

/** The generation a partition's catalog entry points at, and what it superseded. */
export interface CompactionRecord extends PartitionRef {
  readonly generation: string;
  /** Lake key of the generation's `_manifest.json`. */
  readonly manifestKey: string;
  readonly rows: number;
  readonly duplicatesRemoved: number;
  readonly compactedAt: Date;
  /** The generation before this one, or null when readers were on the live objects. */
  readonly previousGeneration: string | null;
  /** When readers were switched to this generation: what it superseded may go once the grace period has passed. */
  readonly supersededAt: Date;
  /** When the superseded objects were deleted; null while they wait for the grace period. */
  readonly cleanedAt: Date | null;
  /** 0 when nothing is stored; every write adds one. */
  readonly version: number;
}

export type CompactionRecordUpdate = Omit<CompactionRecord, 'version'>;

/** How far a table's closed days were compacted, per scope (a cluster for Redshift tables, `*` for CloudTrail). */
export interface CompactionWatermark {
  /** Last day (YYYY-MM-DD) whose partitions were all taken up; null before the first run. */
  readonly day: string | null;
  readonly version: number;
}

export interface CompactionState {
  getCompactionRecord(table: string, path: string): Promise<CompactionRecord | undefined>;
  /** Writes the record if its stored version is still `expectedVersion` (0: none); throws StateConflictError otherwise. */
  putCompactionRecord(record: CompactionRecordUpdate, expectedVersion: number): Promise<CompactionRecord>;
  getCompactionWatermark(table: string, scope: string): Promise<CompactionWatermark>;
  /** Moves the watermark if its stored version is still `expectedVersion`; throws StateConflictError otherwise. */
  putCompactionWatermark(table: string, scope: string, day: string, expectedVersion: number): Promise<CompactionWatermark>;
  /** Marks partitions that received objects after they may have been compacted (a late file). */
  markPartitionsDirty(partitions: readonly PartitionRef[], at: Date): Promise<void>;
  /** Dirty partitions of a table. */
  listDirtyPartitions(table: string): Promise<DirtyPartition[]>;
  /** Clears a mark, unless a write marked the partition again after `markedAt`. */
  clearDirtyPartition(partition: DirtyPartition): Promise<void>;
}
