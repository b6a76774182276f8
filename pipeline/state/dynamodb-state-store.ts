import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { awsErrorDetails } from '../aws/aws-error-details.js';
import { failureFields, transientAwsError, translateAwsError } from '../aws/aws-errors.js';
import { LeaseHeldError, type OpslakeError, StateConflictError, StateStoreError } from '../errors.js';
import type {
  CompactionRecord,
  CompactionRecordUpdate,
  CompactionState,
  CompactionWatermark,
  DirtyPartition,
  PartitionRef,
} from '../ports/compaction-state.js';
import type { IngestionLedger, LedgerEntry } from '../ports/ingestion-ledger.js';
import type {
  Lease,
  SourceAccess,
  SourceDialect,
  StateStore,
  TableSchemaUpdate,
  Watermark,
  WatermarkKey,
  WatermarkUpdate,
} from '../ports/state-store.js';
import type { TableSchema } from '../tables/custom-tables.js';
import { DynamoDbSourceFacts } from './dynamodb-source-facts.js';
import { DynamoDbCompactionState } from './dynamodb-compaction-state.js';
import { DynamoDbLedger } from './dynamodb-ledger.js';
import {
  assertExpectedVersion,
  assertLeaseOwner,
  assertLeaseTtl,
  EMPTY_WATERMARK,
  fromLeaseRecord,
  fromWatermarkRecord,
  leaseId,
  mayTakeLease,
  toLeaseRecord,
  toWatermarkRecord,
  WATERMARK_PREFIX,
  watermarkId,
} from './state-records.js';

export interface DynamoDbStateStoreOptions {
  /** A DocumentClient, or a low-level client that the store wraps in one. */
  readonly client: DynamoDBDocumentClient | DynamoDBClient;
  /**
   * Partition key `pk` (string), no sort key; TTL on `expires_at`; the ledger's global secondary
   * index `ledger-by-day` (hash `ledger_day_shard`, range `ledger_key`, both strings, all attributes).
   */
  readonly tableName: string;
  /** Source of `updated_at`. Default: the system clock. */
  readonly clock?: () => Date;
}

/** Attempts at a lease whose holder let go between our failed put and the read that names it. */
const LEASE_ATTEMPTS = 3;

/** A conditional write that lost: the adapter's own mapping, to StateConflictError or LeaseHeldError. */
function isConditionFailure(error: unknown): boolean {
  return awsErrorDetails(error).name === 'ConditionalCheckFailedException';
}

/**
 * Watermarks and leases in one DynamoDB table, one item per `pk`:
 * `watermark#<cluster>#<table>`, `lease#<scope>` and the ledger's `ledger#<hash>` (see
 * DynamoDbLedger). Every write of a watermark or lease is a conditional put, so two runs racing
 * for the same state cannot both win: the loser gets StateConflictError or LeaseHeldError and
 * has written nothing.
 */
export class DynamoDbStateStore implements StateStore, IngestionLedger, CompactionState {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: () => Date;
  private readonly ledger: DynamoDbLedger;
  private readonly compaction: DynamoDbCompactionState;
  private readonly facts: DynamoDbSourceFacts;

  constructor(options: DynamoDbStateStoreOptions) {
    this.documents =
      options.client instanceof DynamoDBDocumentClient
        ? options.client
        : DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = options.tableName;
    this.clock = options.clock ?? (() => new Date());
    this.ledger = new DynamoDbLedger(this.documents, this.tableName, (operation, verb, pk, error) =>
      this.failure(operation, verb, pk, error),
    );
    this.compaction = new DynamoDbCompactionState(this.documents, this.tableName, (operation, verb, pk, error) =>
      this.failure(operation, verb, pk, error),
    );
    this.facts = new DynamoDbSourceFacts(this.documents, this.tableName, this.clock, (operation, verb, pk, error) =>
      this.failure(operation, verb, pk, error),
    );
  }

  getLedgerEntries(source: string, keys: readonly string[]): Promise<Map<string, LedgerEntry>> {
    return this.ledger.get(source, keys);
  }

  putLedgerEntries(entries: readonly LedgerEntry[]): Promise<void> {
    return this.ledger.put(entries);
  }

  listLedgerEntries(range: { fromDay: string; toDay: string }): AsyncIterable<readonly LedgerEntry[]> {
    return this.ledger.list(range);
  }

  getCompactionRecord(table: string, path: string): Promise<CompactionRecord | undefined> {
    return this.compaction.getCompactionRecord(table, path);
  }

  putCompactionRecord(record: CompactionRecordUpdate, expectedVersion: number): Promise<CompactionRecord> {
    return this.compaction.putCompactionRecord(record, expectedVersion);
  }

  getCompactionWatermark(table: string, scope: string): Promise<CompactionWatermark> {
    return this.compaction.getCompactionWatermark(table, scope);
  }

  putCompactionWatermark(table: string, scope: string, day: string, expectedVersion: number): Promise<CompactionWatermark> {
    return this.compaction.putCompactionWatermark(table, scope, day, expectedVersion);
  }

  markPartitionsDirty(partitions: readonly PartitionRef[], at: Date): Promise<void> {
    return this.compaction.markPartitionsDirty(partitions, at);
  }

  listDirtyPartitions(table: string): Promise<DirtyPartition[]> {
    return this.compaction.listDirtyPartitions(table);
  }

  clearDirtyPartition(partition: DirtyPartition): Promise<void> {
    return this.compaction.clearDirtyPartition(partition);
  }

  async getWatermark(key: WatermarkKey): Promise<Watermark> {
    const pk = watermarkId(key);
    const item = await this.getItem(pk, 'read watermark');
    if (item === undefined) return EMPTY_WATERMARK;
    const { cluster: _cluster, table: _table, ...watermark } = fromWatermarkRecord(item);
    return watermark;
  }

  async putWatermark(key: WatermarkKey, update: WatermarkUpdate, expectedVersion: number): Promise<Watermark> {
    assertExpectedVersion(expectedVersion);
    const record = toWatermarkRecord(key, update, expectedVersion + 1, this.clock());
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
          // Version 0 means "nothing stored yet": only creating the item may succeed.
          ...(expectedVersion === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': expectedVersion },
              }),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new StateConflictError(`watermark ${key.cluster}/${key.table} (expected version ${expectedVersion})`, { cause: error });
      }
      throw this.failure('PutItem', 'write watermark', record.pk, error);
    }
    const { cluster: _cluster, table: _table, ...watermark } = fromWatermarkRecord(record as unknown as Record<string, unknown>);
    return watermark;
  }

  async listWatermarks(): Promise<ReadonlyArray<WatermarkKey & Watermark>> {
    const items = await this.scanPrefix(WATERMARK_PREFIX, 'list watermarks');
    return items
      .map(fromWatermarkRecord)
      .sort((a, b) => (a.cluster === b.cluster ? compareText(a.table, b.table) : compareText(a.cluster, b.cluster)));
  }

  async acquireLease(scope: string, owner: string, ttlMs: number, now: Date): Promise<Lease> {
    assertLeaseOwner(owner);
    assertLeaseTtl(ttlMs);
    const record = toLeaseRecord(scope, owner, new Date(now.getTime() + ttlMs), now);
    for (let attempt = 1; attempt <= LEASE_ATTEMPTS; attempt += 1) {
      try {
        await this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: record,
            // The same rule as mayTakeLease. expires_at (seconds, for TTL) is too coarse to decide with.
            ConditionExpression: 'attribute_not_exists(pk) OR expires_at_ms < :now OR #owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':now': now.getTime(), ':owner': owner },
          }),
        );
        return { scope, owner, expiresAt: new Date(record.expires_at_ms) };
      } catch (error) {
        if (!isConditionFailure(error)) throw this.failure('PutItem', 'acquire lease', record.pk, error);
      }
      // dynalite (and older SDKs) do not return the conflicting item with the failure, so it
      // is read back to name the holder in the error.
      const item = await this.getItem(record.pk, 'read lease');
      const held = item === undefined ? undefined : fromLeaseRecord(item);
      if (held !== undefined && !mayTakeLease(held, owner, now))
        throw new LeaseHeldError(scope, held.owner, held.expiresAt, held.renewedAt);
    }
    throw new StateConflictError(`lease on ${scope}`);
  }

  async releaseLease(lease: Lease): Promise<void> {
    const pk = leaseId(lease.scope);
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk },
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': lease.owner },
        }),
      );
    } catch (error) {
      // Someone else holds it now (ours expired and was taken) or nobody does: nothing to give back.
      if (isConditionFailure(error)) return;
      throw this.failure('DeleteItem', 'release lease', pk, error);
    }
  }

  getSourceDialect(cluster: string): Promise<SourceDialect | null> {
    return this.facts.getSourceDialect(cluster);
  }

  recordSourceDialect(dialect: SourceDialect): Promise<SourceDialect> {
    return this.facts.recordSourceDialect(dialect);
  }

  listSourceDialects(): Promise<readonly SourceDialect[]> {
    return this.facts.listSourceDialects();
  }

  getTableSchema(table: string): Promise<TableSchema | null> {
    return this.facts.getTableSchema(table);
  }

  putTableSchema(schema: TableSchemaUpdate, expectedVersion: number): Promise<TableSchema> {
    return this.facts.putTableSchema(schema, expectedVersion);
  }

  listTableSchemas(): Promise<readonly TableSchema[]> {
    return this.facts.listTableSchemas();
  }

  recordSourceAccess(access: SourceAccess): Promise<void> {
    return this.facts.recordSourceAccess(access);
  }

  listSourceAccess(): Promise<readonly SourceAccess[]> {
    return this.facts.listSourceAccess();
  }

  private scanPrefix(prefix: string, verb: string): Promise<Record<string, unknown>[]> {
    return this.facts.scanPrefix(prefix, verb);
  }

  private async getItem(pk: string, action: string): Promise<Record<string, unknown> | undefined> {
    try {
      const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk }, ConsistentRead: true }));
      return Item;
    } catch (error) {
      throw this.failure('GetItem', action, pk, error);
    }
  }

  private failure(operation: string, verb: string, pk: string, error: unknown): OpslakeError {
    const call = {
      service: 'dynamodb',
      operation,
      resource: this.tableName,
      action: `${verb} ${pk} in DynamoDB table ${this.tableName}`,
    } as const;
    return translateAwsError(
      error,
      call,
      (failure) =>
        transientAwsError(failure) ?? new StateStoreError(`could not ${call.action}: ${failure.summary}`, failureFields(failure)),
    );
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
