import { StateConflictError } from '../errors.js';
import type {
  CompactionRecord,
  CompactionRecordUpdate,
  CompactionState,
  CompactionWatermark,
  DirtyPartition,
  PartitionRef,
} from '../ports/compaction-state.js';
import {
  compactionRecordId,
  compactionWatermarkId,
  dirtyId,
  fromCompactionRecord,
  fromCompactionWatermark,
  fromDirtyRecord,
  toCompactionRecord,
  toCompactionWatermark,
  toDirtyRecord,
} from './compaction-records.js';
import type { FileLock } from './file-lock.js';
import { FileItems } from './file-items.js';

function storedVersion(item: Record<string, unknown> | undefined): number {
  return item === undefined ? 0 : Number(item.version ?? 0);
}

/** Compaction state of the file state store: one small file per item (see FileItems), the rules of DynamoDB. */
export class FileCompactionState implements CompactionState {
  readonly #records: FileItems;
  readonly #watermarks: FileItems;
  readonly #dirty: FileItems;

  constructor(stateDirectory: string, lock: FileLock) {
    this.#records = new FileItems(stateDirectory, 'partition', lock);
    this.#watermarks = new FileItems(stateDirectory, 'compacted', lock);
    this.#dirty = new FileItems(stateDirectory, 'dirty', lock);
  }

  async getCompactionRecord(table: string, path: string): Promise<CompactionRecord | undefined> {
    const item = await this.#records.get(compactionRecordId(table, path));
    return item === undefined ? undefined : fromCompactionRecord(item);
  }

  async putCompactionRecord(update: CompactionRecordUpdate, expectedVersion: number): Promise<CompactionRecord> {
    const record = toCompactionRecord(update, expectedVersion + 1);
    await this.#records.change(String(record.pk), (stored) => {
      const version = storedVersion(stored);
      if (version !== expectedVersion) {
        throw new StateConflictError(`compaction record ${String(record.pk)} (expected version ${expectedVersion}, stored ${version})`);
      }
      return record;
    });
    return fromCompactionRecord(record);
  }

  async getCompactionWatermark(table: string, scope: string): Promise<CompactionWatermark> {
    return fromCompactionWatermark(await this.#watermarks.get(compactionWatermarkId(table, scope)));
  }

  async putCompactionWatermark(table: string, scope: string, day: string, expectedVersion: number): Promise<CompactionWatermark> {
    const record = toCompactionWatermark(table, scope, day, expectedVersion + 1);
    await this.#watermarks.change(String(record.pk), (stored) => {
      const version = storedVersion(stored);
      if (version !== expectedVersion) {
        throw new StateConflictError(`compaction watermark ${table}/${scope} (expected version ${expectedVersion}, stored ${version})`);
      }
      return record;
    });
    return fromCompactionWatermark(record);
  }

  async markPartitionsDirty(partitions: readonly PartitionRef[], at: Date): Promise<void> {
    for (const partition of partitions) {
      const record = toDirtyRecord(partition, at);
      // An older mark never replaces a newer one: clearing compares the time it read.
      await this.#dirty.change(String(record.pk), (stored) =>
        stored !== undefined && String(stored.marked_at) >= String(record.marked_at) ? undefined : record,
      );
    }
  }

  async listDirtyPartitions(table: string): Promise<DirtyPartition[]> {
    return (await this.#dirty.list()).filter((item) => item.table === table).map(fromDirtyRecord);
  }

  async clearDirtyPartition(partition: DirtyPartition): Promise<void> {
    const at = partition.markedAt.toISOString();
    await this.#dirty.change(dirtyId(partition.table, partition.path), (stored) =>
      stored !== undefined && stored.marked_at === at ? null : undefined,
    );
  }
}
