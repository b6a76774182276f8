import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { setTimeout as delay } from 'node:timers/promises';
import { StateStoreError } from '../errors.js';
import type { LedgerEntry } from '../ports/ingestion-ledger.js';
import { fromLedgerRecord, LEDGER_INDEX, LEDGER_SHARDS, ledgerDays, ledgerId, toLedgerRecord } from './ledger-records.js';

/** BatchGetItem takes 100 keys a call, BatchWriteItem 25 items. */
const GET_BATCH = 100;
const WRITE_BATCH = 25;
/** Calls for the unprocessed rest of a batch before giving up (DynamoDB throttled it every time). */
const UNPROCESSED_ATTEMPTS = 8;

/** How the store turns an SDK failure into its typed error. */
export type DynamoDbFailure = (operation: string, verb: string, pk: string, error: unknown) => Error;

/**
 * The ledger in the DynamoDB state table: one item per entry, `pk = ledger#<sha256(source \n
 * key)>`, found by key with BatchGetItem and by day through the sparse index `ledger-by-day`
 * (`ledger_day_shard` = `<day>#<0-15>`, sort key `ledger_key`): one day's writes spread over 16
 * index partitions, so a day of an organization trail does not crowd one. Unprocessed keys and
 * items (DynamoDB's answer when it throttles part of a batch) are sent again with backoff.
 */
export class DynamoDbLedger {
  readonly #documents: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #failure: DynamoDbFailure;
  readonly #sleep: (ms: number) => Promise<unknown>;

  constructor(documents: DynamoDBDocumentClient, tableName: string, failure: DynamoDbFailure, sleep?: (ms: number) => Promise<unknown>) {
    this.#documents = documents;
    this.#tableName = tableName;
    this.#failure = failure;
    this.#sleep = sleep ?? ((ms) => delay(ms));
  }

  async get(source: string, keys: readonly string[]): Promise<Map<string, LedgerEntry>> {
    const found = new Map<string, LedgerEntry>();
    const unique = [...new Set(keys)];
    for (let start = 0; start < unique.length; start += GET_BATCH) {
      let pending: Record<string, unknown>[] = unique.slice(start, start + GET_BATCH).map((key) => ({ pk: ledgerId(source, key) }));
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt >= UNPROCESSED_ATTEMPTS) throw this.#throttled('BatchGetItem', 'read ledger entries', pending.length);
        if (attempt > 0) await this.#sleep(backoffMs(attempt));
        let response: BatchGetCommandOutput;
        try {
          response = await this.#documents.send(
            new BatchGetCommand({ RequestItems: { [this.#tableName]: { Keys: pending, ConsistentRead: true } } }),
          );
        } catch (error) {
          throw this.#failure('BatchGetItem', 'read ledger entries', String(pending[0]?.pk ?? ''), error);
        }
        for (const item of response.Responses?.[this.#tableName] ?? []) {
          const entry = fromLedgerRecord(item);
          if (entry.source === source) found.set(entry.key, entry);
        }
        pending = response.UnprocessedKeys?.[this.#tableName]?.Keys ?? [];
      }
    }
    return found;
  }

  async put(entries: readonly LedgerEntry[]): Promise<void> {
    // The last entry of a (source, key) wins, as in the file ledger; a batch may not name an item twice.
    const records = new Map(entries.map((entry) => toLedgerRecord(entry)).map((record) => [record.pk, record]));
    const all = [...records.values()];
    for (let start = 0; start < all.length; start += WRITE_BATCH) {
      let pending: Record<string, unknown>[] = all.slice(start, start + WRITE_BATCH).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt >= UNPROCESSED_ATTEMPTS) throw this.#throttled('BatchWriteItem', 'write ledger entries', pending.length);
        if (attempt > 0) await this.#sleep(backoffMs(attempt));
        let unprocessed: Record<string, unknown>[] | undefined;
        try {
          const response = await this.#documents.send(new BatchWriteCommand({ RequestItems: { [this.#tableName]: pending } }));
          unprocessed = response.UnprocessedItems?.[this.#tableName] as Record<string, unknown>[] | undefined;
        } catch (error) {
          throw this.#failure('BatchWriteItem', 'write ledger entries', String(all[start]?.pk ?? ''), error);
        }
        pending = unprocessed ?? [];
      }
    }
  }

  async *list(range: { fromDay: string; toDay: string }): AsyncIterable<readonly LedgerEntry[]> {
    for (const day of ledgerDays(range)) {
      for (let shard = 0; shard < LEDGER_SHARDS; shard += 1) {
        let startKey: Record<string, unknown> | undefined;
        do {
          let page: QueryCommandOutput;
          try {
            page = await this.#documents.send(
              new QueryCommand({
                TableName: this.#tableName,
                IndexName: LEDGER_INDEX,
                KeyConditionExpression: 'ledger_day_shard = :shard',
                ExpressionAttributeValues: { ':shard': `${day}#${shard}` },
                ExclusiveStartKey: startKey,
              }),
            );
          } catch (error) {
            throw this.#failure('Query', `list ledger entries of ${day} in index ${LEDGER_INDEX} of`, `${day}#${shard}`, error);
          }
          const entries = (page.Items ?? []).map((item) => fromLedgerRecord(item));
          if (entries.length > 0) yield entries;
          startKey = page.LastEvaluatedKey;
        } while (startKey !== undefined);
      }
    }
  }

  #throttled(operation: string, verb: string, left: number): StateStoreError {
    return new StateStoreError(
      `could not ${verb} in DynamoDB table ${this.#tableName}: ${left} item(s) still unprocessed after ` +
        `${UNPROCESSED_ATTEMPTS} ${operation} calls (throttled); try again later`,
      { retryable: true },
    );
  }
}

/** 50 ms, doubling, at most 2 s. */
function backoffMs(attempt: number): number {
  return Math.min(2_000, 50 * 2 ** (attempt - 1));
}
