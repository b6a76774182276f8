/** Redshift column types as the system-table reference spells them (normalised to lower case). */
export type RedshiftType =
  | 'smallint'
  | 'integer'
  | 'bigint'
  | 'double precision'
  | 'boolean'
  | 'timestamp'
  | 'text'
  | `char(${number})`
  | `varchar(${number})`;

/** Column types in the lake: DuckDB's names, which are also the Parquet logical types written. */
export type LakeType = 'SMALLINT' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMP' | 'VARCHAR';

/** Athena / Glue (Hive DDL) type names. */
export type GlueType = 'smallint' | 'int' | 'bigint' | 'double' | 'boolean' | 'timestamp' | 'string';

export function lakeTypeOf(type: RedshiftType): LakeType {
  switch (type) {
    case 'smallint':
      return 'SMALLINT';
    case 'integer':
      return 'INTEGER';
    case 'bigint':
      return 'BIGINT';
    case 'double precision':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'timestamp':
      return 'TIMESTAMP';
    default:
      return 'VARCHAR';
  }
}

export function glueTypeOf(type: LakeType): GlueType {
  const map: Record<LakeType, GlueType> = {
    SMALLINT: 'smallint',
    INTEGER: 'int',
    BIGINT: 'bigint',
    DOUBLE: 'double',
    BOOLEAN: 'boolean',
    TIMESTAMP: 'timestamp',
    VARCHAR: 'string',
  };
  return map[type];
}

/** True for blank-padded CHAR(n): its padding is trimmed on export unless the column says otherwise. */
export function isPaddedChar(type: RedshiftType): boolean {
  return type.startsWith('char(');
}
