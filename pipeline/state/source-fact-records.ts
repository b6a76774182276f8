import { assertClusterName } from '../config/identifiers.js';
import { StateStoreError } from '../errors.js';
import type { AccessLevel, SourceAccess, TableSchemaUpdate } from '../ports/state-store.js';
import type { LakeType } from '../tables/column-types.js';
import { type CustomColumn, type CustomTableName, isCustomTableName, type TableSchema } from '../tables/custom-tables.js';
import { hasControlCharacters } from '../util/control-characters.js';

/**
 * The stored shapes of what exports learn about sources besides their dialect, shared by the
 * StateStore adapters: the columns of custom tables (`schema#<table>`, versioned, one per lake
 * table whichever source wrote it first) and what a source's export user may see
 * (`access#<cluster>`, the last check).
 */

export const SCHEMA_PREFIX = 'schema#';
export const ACCESS_PREFIX = 'access#';

const COLUMN = /^[a-z_][a-z0-9_]{0,126}$/;
const TABLE = /^[a-z][a-z0-9_]{0,127}$/;
const LAKE_TYPES: readonly LakeType[] = ['SMALLINT', 'INTEGER', 'BIGINT', 'DOUBLE', 'BOOLEAN', 'TIMESTAMP', 'VARCHAR'];
const ACCESS_LEVELS: readonly AccessLevel[] = ['superuser', 'unrestricted', 'own-rows', 'unknown'];
const MAX_TEXT = 512;

export function schemaId(table: string): string {
  if (!isCustomTableName(table) || !TABLE.test(table)) throw new StateStoreError(`${JSON.stringify(table)} is not a custom table name`);
  return `${SCHEMA_PREFIX}${table}`;
}

export function accessId(cluster: string): string {
  return `${ACCESS_PREFIX}${assertClusterName(cluster)}`;
}

export function toSchemaRecord(schema: TableSchemaUpdate, version: number, now: Date): Record<string, unknown> {
  const columns = schema.columns.map((column) => {
    if (!COLUMN.test(column.name) || !LAKE_TYPES.includes(column.type) || !TABLE.test(column.sourceType)) {
      throw new StateStoreError(`custom table ${schema.table} has a column that cannot be stored: ${JSON.stringify(column.name)}`);
    }
    return { name: column.name, type: column.type, source_type: column.sourceType };
  });
  return {
    pk: schemaId(schema.table),
    kind: 'schema',
    table: schema.table,
    columns,
    time_column: schema.timeColumn,
    version,
    updated_at: now.toISOString(),
  };
}

/** Reads a stored schema defensively: state outlives code versions and can be edited by hand. */
export function fromSchemaRecord(record: Record<string, unknown>): TableSchema {
  const pk = String(record.pk);
  const table = record.table;
  if (!isCustomTableName(table)) throw new StateStoreError(`stored state ${pk}.table is not a custom table name`);
  if (!Array.isArray(record.columns)) throw new StateStoreError(`stored state ${pk}.columns is not a list`);
  const columns: CustomColumn[] = record.columns.map((raw: unknown) => {
    const column = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const type = LAKE_TYPES.find((candidate) => candidate === column.type);
    if (typeof column.name !== 'string' || !COLUMN.test(column.name) || type === undefined) {
      throw new StateStoreError(`stored state ${pk}.columns holds a column that is not a name and a lake type`);
    }
    return { name: column.name, type, sourceType: String(column.source_type ?? '') };
  });
  const version = Number(record.version);
  const updatedAt = new Date(typeof record.updated_at === 'string' ? record.updated_at : Number.NaN);
  if (!Number.isSafeInteger(version) || version < 1 || Number.isNaN(updatedAt.getTime())) {
    throw new StateStoreError(`stored state ${pk} has no valid version and update time`);
  }
  return { table: table as CustomTableName, columns, timeColumn: String(record.time_column ?? ''), version, updatedAt };
}

export function toAccessRecord(access: SourceAccess): Record<string, unknown> {
  if (!ACCESS_LEVELS.includes(access.level)) throw new StateStoreError(`${JSON.stringify(access.level)} is not an access level`);
  for (const [what, text] of [
    ['user', access.user],
    ['reason', access.reason],
  ] as const) {
    if (typeof text !== 'string' || text.length > MAX_TEXT || hasControlCharacters(text)) {
      throw new StateStoreError(`the ${what} recorded with a source's access must be at most ${MAX_TEXT} printable characters`);
    }
  }
  if (!(access.checkedAt instanceof Date) || Number.isNaN(access.checkedAt.getTime())) {
    throw new StateStoreError('the time of an access check is not a valid date');
  }
  return {
    pk: accessId(access.cluster),
    kind: 'access',
    cluster: access.cluster,
    level: access.level,
    user: access.user,
    reason: access.reason,
    checked_at: access.checkedAt.toISOString(),
  };
}

export function fromAccessRecord(record: Record<string, unknown>): SourceAccess {
  const pk = String(record.pk);
  const level = ACCESS_LEVELS.find((candidate) => candidate === record.level);
  if (level === undefined) throw new StateStoreError(`stored state ${pk}.level is not an access level`);
  const checkedAt = new Date(typeof record.checked_at === 'string' ? record.checked_at : Number.NaN);
  if (Number.isNaN(checkedAt.getTime())) throw new StateStoreError(`stored state ${pk}.checked_at is not an ISO date`);
  return { cluster: String(record.cluster), level, user: String(record.user ?? ''), reason: String(record.reason ?? ''), checkedAt };
}
