import { type DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { awsErrorDetails } from '../aws/aws-error-details.js';
import { type OpslakeError, StateConflictError } from '../errors.js';
import type { SourceDialect } from '../ports/state-store.js';
import type { SourceAccess, TableSchemaUpdate } from '../ports/state-store.js';
import type { TableSchema } from '../tables/custom-tables.js';
import {
  ACCESS_PREFIX,
  fromAccessRecord,
  fromSchemaRecord,
  SCHEMA_PREFIX,
  schemaId,
  toAccessRecord,
  toSchemaRecord,
} from './source-fact-records.js';
import { DIALECT_PREFIX, dialectId, fromDialectRecord, toDialectRecord } from './dialect-records.js';
import { assertExpectedVersion } from './state-records.js';

type Failure = (operation: string, verb: string, pk: string, error: unknown) => OpslakeError;

function isConditionFailure(error: unknown): boolean {
  return awsErrorDetails(error).name === 'ConditionalCheckFailedException';
}

/**
 * What exports learn about sources, in the state table: their dialect (`dialect#<cluster>`), custom tables'
 * columns (`schema#<table>`, conditional on their version) and each source's last access check
 * (`access#<cluster>`). Part of DynamoDbStateStore, which hands it its client and error mapping.
 */
export class DynamoDbSourceFacts {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: () => Date,
    private readonly failure: Failure,
  ) {}

  async getSourceDialect(cluster: string): Promise<SourceDialect | null> {
    const item = await this.getItem(dialectId(cluster), 'read source dialect');
    return item === undefined ? null : fromDialectRecord(item);
  }

  async recordSourceDialect(dialect: SourceDialect): Promise<SourceDialect> {
    const record = toDialectRecord(dialect);
    try {
      await this.documents.send(
        new PutCommand({ TableName: this.tableName, Item: record, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return fromDialectRecord({ ...record });
    } catch (error) {
      if (!isConditionFailure(error)) throw this.failure('PutItem', 'record source dialect', record.pk, error);
    }
    // Recorded already (by this source's first run): the first answer stays.
    const item = await this.getItem(record.pk, 'read source dialect');
    if (item === undefined) throw new StateConflictError(`source dialect ${record.pk}`);
    return fromDialectRecord(item);
  }

  async listSourceDialects(): Promise<readonly SourceDialect[]> {
    const items = await this.scanPrefix(DIALECT_PREFIX, 'list source dialects');
    return items.map(fromDialectRecord).sort((a, b) => compareText(a.cluster, b.cluster));
  }

  async getTableSchema(table: string): Promise<TableSchema | null> {
    const item = await this.getItem(schemaId(table), 'read table schema');
    return item === undefined ? null : fromSchemaRecord(item);
  }

  async putTableSchema(schema: TableSchemaUpdate, expectedVersion: number): Promise<TableSchema> {
    assertExpectedVersion(expectedVersion);
    const record = toSchemaRecord(schema, expectedVersion + 1, this.clock());
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
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
        throw new StateConflictError(`schema of ${schema.table} (expected version ${expectedVersion})`, { cause: error });
      }
      throw this.failure('PutItem', 'write table schema', String(record.pk), error);
    }
    return fromSchemaRecord(record);
  }

  async listTableSchemas(): Promise<readonly TableSchema[]> {
    const items = await this.scanPrefix(SCHEMA_PREFIX, 'list table schemas');
    return items.map(fromSchemaRecord).sort((a, b) => compareText(a.table, b.table));
  }

  async recordSourceAccess(access: SourceAccess): Promise<void> {
    const record = toAccessRecord(access);
    try {
      await this.documents.send(new PutCommand({ TableName: this.tableName, Item: record }));
    } catch (error) {
      throw this.failure('PutItem', 'record source access', String(record.pk), error);
    }
  }

  async listSourceAccess(): Promise<readonly SourceAccess[]> {
    const items = await this.scanPrefix(ACCESS_PREFIX, 'list source access');
    return items.map(fromAccessRecord).sort((a, b) => compareText(a.cluster, b.cluster));
  }

  private async getItem(pk: string, action: string): Promise<Record<string, unknown> | undefined> {
    try {
      const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk }, ConsistentRead: true }));
      return Item;
    } catch (error) {
      throw this.failure('GetItem', action, pk, error);
    }
  }

  /** Every item whose key starts with `prefix` (a few per source: a scan is cheap enough). */
  async scanPrefix(prefix: string, verb: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      let page: ScanCommandOutput;
      try {
        page = await this.documents.send(
          new ScanCommand({
            TableName: this.tableName,
            ConsistentRead: true,
            FilterExpression: 'begins_with(pk, :prefix)',
            ExpressionAttributeValues: { ':prefix': prefix },
            ExclusiveStartKey: startKey,
          }),
        );
      } catch (error) {
        throw this.failure('Scan', verb, prefix, error);
      }
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
