import type { LakeType } from './column-types.js';
import type { LakeColumn, LakeTable } from './lake-table.js';
import { EXPORTED_AT, type ExportTableName, lakeTables, REDSHIFT_PARTITION_KEYS, type RedshiftPartitionKey } from './registry.js';

/**
 * Custom exports: a view whose definition comes from configuration (a SELECT over the source
 * with `:slot_start` and `:slot_end` on a completion-time column). Each is exported like the
 * built-in views to the lake table `custom_<name>`, partitioned by cluster and day, with the
 * columns its result had on the first run (recorded in the state store, see `TableSchema`).
 */

/** The prefix that keeps custom tables apart from the registry's: no built-in table starts with it. */
export const CUSTOM_TABLE_PREFIX = 'custom_';

export type CustomTableName = `custom_${string}`;

/** A table an export writes: one of the registry's, or a custom one. */
export type ExportTable = ExportTableName | CustomTableName;

/** A custom export as configured, already validated (`config/validate-custom-exports.ts`). */
export interface CustomExport {
  /** As written in the configuration; the lake table is `custom_<name>`. */
  readonly name: string;
  /** One SELECT (or WITH ... SELECT) using `:slot_start` and `:slot_end`. */
  readonly sql: string;
  /** The result column that decides a row's slot: its completion time. */
  readonly timeColumn: string;
}

/** A column of a custom table: its lake type, and the database type it was learned from. */
export interface CustomColumn {
  readonly name: string;
  readonly type: LakeType;
  /** The result's type name as the database gave it (`int4`, `varchar`), for messages. */
  readonly sourceType: string;
}

/** The columns of a custom table as recorded by the run that learned them. */
export interface TableSchema {
  readonly table: CustomTableName;
  readonly columns: readonly CustomColumn[];
  readonly timeColumn: string;
  /** 0 before anything is stored; every stored change adds one. */
  readonly version: number;
  readonly updatedAt: Date;
}

export function customTableName(name: string): CustomTableName {
  return `${CUSTOM_TABLE_PREFIX}${name}`;
}

export function isCustomTableName(value: unknown): value is CustomTableName {
  return typeof value === 'string' && value.startsWith(CUSTOM_TABLE_PREFIX) && value.length > CUSTOM_TABLE_PREFIX.length;
}

/**
 * Result type names (PostgreSQL's internal names, which both the wire protocol and the Data
 * API's column metadata give) that a custom column may have, and their lake type. Others (date,
 * timestamptz, super, ...) are refused with a hint to cast them: their values have no exact
 * form in the SqlValue convention every runner follows.
 */
const LAKE_TYPES: Readonly<Record<string, LakeType>> = {
  int2: 'SMALLINT',
  int4: 'INTEGER',
  int8: 'BIGINT',
  float4: 'DOUBLE',
  float8: 'DOUBLE',
  numeric: 'DOUBLE',
  bool: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  varchar: 'VARCHAR',
  bpchar: 'VARCHAR',
  text: 'VARCHAR',
  name: 'VARCHAR',
  char: 'VARCHAR',
};

/** The lake type of a result column, or undefined when its type cannot be exported as is. */
export function lakeTypeOfResult(typeName: string): LakeType | undefined {
  return Object.hasOwn(LAKE_TYPES, typeName) ? LAKE_TYPES[typeName] : undefined;
}

/** Lake columns of a custom table, in file order: the result's, then `exported_at`. */
export function customColumns(schema: Pick<TableSchema, 'columns'>): readonly LakeColumn[] {
  return [
    ...schema.columns.map((column) => ({
      name: column.name,
      type: column.type,
      description: `Custom export column (${column.sourceType}).`,
    })),
    EXPORTED_AT,
  ];
}

/**
 * The lake table of a custom export (`redshift/custom_<name>`). Its rows have no declared key:
 * a slot's object is rewritten whole on re-export, so rows equal in every column are one row.
 */
export function customLakeTable(schema: Pick<TableSchema, 'table' | 'columns' | 'timeColumn'>): LakeTable<RedshiftPartitionKey> {
  return {
    name: schema.table,
    path: `redshift/${schema.table}`,
    description: `Custom export ${schema.table.slice(CUSTOM_TABLE_PREFIX.length)} (columns learned from its result).`,
    columns: customColumns(schema),
    partitionKeys: REDSHIFT_PARTITION_KEYS,
  };
}

/**
 * Every lake table: the registry's, then those of the custom exports recorded in the state store
 * (their columns are known only there). What compaction and the local queries cover.
 */
export async function lakeTablesWithCustom(state: { listTableSchemas(): Promise<readonly TableSchema[]> }): Promise<LakeTable[]> {
  return [...lakeTables(), ...(await state.listTableSchemas()).map(customLakeTable)];
}
