import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { awsErrorDetails } from '../aws/aws-error-details.js';
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
  DIRTY_INDEX_PREFIX,
  dirtyId,
  fromCompactionRecord,
  fromCompactionWatermark,
  fromDirtyRecord,
  toCompactionRecord,
  toCompactionWatermark,
  toDirtyRecord,
} from './compaction-records.js';
import type { DynamoDbFailure } from './dynamodb-ledger.js';
import { LEDGER_INDEX } from './ledger-records.js';

function isConditionFailure(error: unknown): boolean {
  return awsErrorDetails(error).name === 'ConditionalCheckFailedException';
}

/** The version condition of a versioned item: 0 means "nothing stored yet". */
function versionCondition(expectedVersion: number) {
  return expectedVersion === 0
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : {
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': expectedVersion },
      };
}

/**
 * Compaction state in the DynamoDB state table: versioned items for partition records and
 * watermarks (conditional puts), dirty marks written only when newer and cleared only when
 * unchanged, listed per table through the ledger's sparse index (hash `dirty#<table>`).
 */
export class DynamoDbCompactionState implements CompactionState {
  readonly #documents: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #failure: DynamoDbFailure;

  constructor(documents: DynamoDBDocumentClient, tableName: string, failure: DynamoDbFailure) {
    this.#documents = documents;
    this.#tableName = tableName;
    this.#failure = failure;
  }

  async getCompactionRecord(table: string, path: string): Promise<CompactionRecord | undefined> {
    const item = await this.#get(compactionRecordId(table, path), 'read compaction record');
    return item === undefined ? undefined : fromCompactionRecord(item);
  }

  async putCompactionRecord(update: CompactionRecordUpdate, expectedVersion: number): Promise<CompactionRecord> {
    const record = toCompactionRecord(update, expectedVersion + 1);
    await this.#putVersioned(record, expectedVersion, 'write compaction record');
    return fromCompactionRecord(record);
  }

  async getCompactionWatermark(table: string, scope: string): Promise<CompactionWatermark> {
    return fromCompactionWatermark(await this.#get(compactionWatermarkId(table, scope), 'read compaction watermark'));
  }

  async putCompactionWatermark(table: string, scope: string, day: string, expectedVersion: number): Promise<CompactionWatermark> {
    const record = toCompactionWatermark(table, scope, day, expectedVersion + 1);
    await this.#putVersioned(record, expectedVersion, 'write compaction watermark');
    return fromCompactionWatermark(record);
  }

  async markPartitionsDirty(partitions: readonly PartitionRef[], at: Date): Promise<void> {
    for (const partition of partitions) {
      const record = toDirtyRecord(partition, at);
      try {
        await this.#documents.send(
          new PutCommand({
            TableName: this.#tableName,
            Item: record,
            // An older mark never replaces a newer one: clearing compares the time it read.
            ConditionExpression: 'attribute_not_exists(pk) OR marked_at < :at',
            ExpressionAttributeValues: { ':at': record.marked_at },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw this.#failure('PutItem', 'mark dirty', String(record.pk), error);
      }
    }
  }

  async listDirtyPartitions(table: string): Promise<DirtyPartition[]> {
    const marks: DirtyPartition[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      let page: QueryCommandOutput;
      try {
        page = await this.#documents.send(
          new QueryCommand({
            TableName: this.#tableName,
            IndexName: LEDGER_INDEX,
            KeyConditionExpression: 'ledger_day_shard = :table',
            ExpressionAttributeValues: { ':table': `${DIRTY_INDEX_PREFIX}${table}` },
            ExclusiveStartKey: startKey,
          }),
        );
      } catch (error) {
        throw this.#failure('Query', `list dirty partitions in index ${LEDGER_INDEX} of`, `${DIRTY_INDEX_PREFIX}${table}`, error);
      }
      for (const item of page.Items ?? []) marks.push(fromDirtyRecord(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return marks;
  }

  async clearDirtyPartition(partition: DirtyPartition): Promise<void> {
    const pk = dirtyId(partition.table, partition.path);
    try {
      await this.#documents.send(
        new DeleteCommand({
          TableName: this.#tableName,
          Key: { pk },
          ConditionExpression: 'marked_at = :at',
          ExpressionAttributeValues: { ':at': partition.markedAt.toISOString() },
        }),
      );
    } catch (error) {
      // Marked again since it was read (or already gone): the mark stays for the next run.
      if (isConditionFailure(error)) return;
      throw this.#failure('DeleteItem', 'clear dirty mark', pk, error);
    }
  }

  async #get(pk: string, action: string): Promise<Record<string, unknown> | undefined> {
    try {
      const { Item } = await this.#documents.send(new GetCommand({ TableName: this.#tableName, Key: { pk }, ConsistentRead: true }));
      return Item;
    } catch (error) {
      throw this.#failure('GetItem', action, pk, error);
    }
  }

  async #putVersioned(record: Record<string, unknown>, expectedVersion: number, action: string): Promise<void> {
    try {
      await this.#documents.send(new PutCommand({ TableName: this.#tableName, Item: record, ...versionCondition(expectedVersion) }));
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new StateConflictError(`${String(record.pk)} (expected version ${expectedVersion})`, { cause: error });
      }
      throw this.#failure('PutItem', action, String(record.pk), error);
    }
  }
}
