import { StateConflictError } from '../errors.js';
import type { SourceAccess, SourceDialect, TableSchemaUpdate } from '../ports/state-store.js';
import type { TableSchema } from '../tables/custom-tables.js';
import { DIALECT_PREFIX, dialectId, fromDialectRecord, toDialectRecord } from './dialect-records.js';
import {
  ACCESS_PREFIX,
  accessId,
  fromAccessRecord,
  fromSchemaRecord,
  SCHEMA_PREFIX,
  schemaId,
  toAccessRecord,
  toSchemaRecord,
} from './source-fact-records.js';
import { assertExpectedVersion } from './state-records.js';

type Items = Record<string, Record<string, unknown>>;

/**
 * What exports learn about sources, in the state file: their dialect, custom tables' columns
 * and each source's last access check. Part of FileStateStore, which hands it its whole-file
 * read and its locked read-modify-write (`change` returns false when it changed nothing).
 */
export class FileSourceFacts {
  constructor(
    private readonly items: () => Promise<Items>,
    private readonly change: (change: (items: Items) => unknown) => Promise<void>,
    private readonly clock: () => Date,
  ) {}

  async getSourceDialect(cluster: string): Promise<SourceDialect | null> {
    const item = (await this.items())[dialectId(cluster)];
    return item === undefined ? null : fromDialectRecord(item);
  }

  async recordSourceDialect(dialect: SourceDialect): Promise<SourceDialect> {
    const record = toDialectRecord(dialect);
    let stored: SourceDialect = fromDialectRecord({ ...record });
    await this.change((items) => {
      const existing = items[record.pk];
      if (existing !== undefined) {
        stored = fromDialectRecord(existing);
        return false;
      }
      items[record.pk] = { ...record };
      return true;
    });
    return stored;
  }

  async listSourceDialects(): Promise<readonly SourceDialect[]> {
    return (await this.itemsWithPrefix(DIALECT_PREFIX)).map(fromDialectRecord).sort((a, b) => compareText(a.cluster, b.cluster));
  }

  async getTableSchema(table: string): Promise<TableSchema | null> {
    const item = (await this.items())[schemaId(table)];
    return item === undefined ? null : fromSchemaRecord(item);
  }

  async putTableSchema(schema: TableSchemaUpdate, expectedVersion: number): Promise<TableSchema> {
    assertExpectedVersion(expectedVersion);
    const record = toSchemaRecord(schema, expectedVersion + 1, this.clock());
    await this.change((items) => {
      const storedVersion = Number(items[schemaId(schema.table)]?.version ?? 0);
      if (storedVersion !== expectedVersion) {
        throw new StateConflictError(`schema of ${schema.table} (expected version ${expectedVersion}, stored ${storedVersion})`);
      }
      items[schemaId(schema.table)] = record;
    });
    return fromSchemaRecord(record);
  }

  async listTableSchemas(): Promise<readonly TableSchema[]> {
    return (await this.itemsWithPrefix(SCHEMA_PREFIX)).map(fromSchemaRecord).sort((a, b) => compareText(a.table, b.table));
  }

  async recordSourceAccess(access: SourceAccess): Promise<void> {
    const record = toAccessRecord(access);
    await this.change((items) => {
      items[accessId(access.cluster)] = record;
    });
  }

  async listSourceAccess(): Promise<readonly SourceAccess[]> {
    return (await this.itemsWithPrefix(ACCESS_PREFIX)).map(fromAccessRecord).sort((a, b) => compareText(a.cluster, b.cluster));
  }

  private async itemsWithPrefix(prefix: string): Promise<Record<string, unknown>[]> {
    return Object.entries(await this.items())
      .filter(([pk]) => pk.startsWith(prefix))
      .map(([, item]) => item);
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
