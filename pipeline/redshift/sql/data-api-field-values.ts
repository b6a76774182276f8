import type { ColumnMetadata, Field } from '@aws-sdk/client-redshift-data';
import { SqlStatementError } from '../../errors.js';
import type { SqlColumnMeta, SqlRow, SqlValue } from '../../ports/sql-runner.js';

/**
 * Data API fields as the SqlValue convention of `ports/sql-runner.ts` types them, decided by
 * the column's Redshift type name so that rows match those of the wire-protocol runner.
 */

type Decode = (field: Field, column: SqlColumnMeta) => SqlValue;

const INTEGER_TYPES = new Set(['int2', 'int4', 'int8', 'int', 'smallint', 'integer', 'bigint', 'oid']);
const NUMBER_TYPES = new Set(['float4', 'float8', 'float', 'real', 'double precision', 'numeric', 'decimal']);
const BOOLEAN_TYPES = new Set(['bool', 'boolean']);

export interface ColumnDecoder {
  readonly meta: SqlColumnMeta;
  readonly decode: (field: Field) => SqlValue;
}

export function columnDecoders(metadata: readonly ColumnMetadata[]): ColumnDecoder[] {
  return metadata.map((column, i) => {
    const meta: SqlColumnMeta = {
      name: column.name ?? column.label ?? `column_${i + 1}`,
      typeName: (column.typeName ?? '').toLowerCase(),
    };
    const decode = decoderFor(meta.typeName);
    return { meta, decode: (field) => (field.isNull === true ? null : decode(field, meta)) };
  });
}

export function rowsOf(records: readonly (readonly Field[])[], columns: readonly ColumnDecoder[]): SqlRow[] {
  return records.map((record) => {
    if (record.length !== columns.length) {
      throw new SqlStatementError(`a result record has ${record.length} fields for ${columns.length} columns`);
    }
    const row: Record<string, SqlValue> = {};
    for (let i = 0; i < columns.length; i += 1) {
      const column = columns[i] as ColumnDecoder;
      row[column.meta.name] = column.decode(record[i] as Field);
    }
    return row;
  });
}

function decoderFor(typeName: string): Decode {
  if (INTEGER_TYPES.has(typeName)) return integerValue;
  if (NUMBER_TYPES.has(typeName)) return numberValue;
  if (BOOLEAN_TYPES.has(typeName)) return booleanValue;
  return textValue;
}

function unexpected(field: Field, column: SqlColumnMeta): SqlStatementError {
  // Names the kind of field, never its value.
  const kind = Object.keys(field).find((key) => (field as unknown as Record<string, unknown>)[key] !== undefined) ?? 'empty';
  return new SqlStatementError(`column ${column.name} (${column.typeName}) came back as a ${kind} field, which it cannot hold`);
}

/** int8 beyond 2^53 arrives as a string of digits (see data-api-exact-integers.ts). */
function integerValue(field: Field, column: SqlColumnMeta): SqlValue {
  const value: unknown = field.longValue ?? field.stringValue;
  if (typeof value === 'number' && Number.isInteger(value)) {
    // A number that is not a safe integer was already rounded by the parser: refuse to pass it on.
    if (Number.isSafeInteger(value)) return value;
    throw new SqlStatementError(
      `column ${column.name} (${column.typeName}) holds an integer beyond 2^53 that was rounded before it could be read`,
    );
  }
  if (typeof value === 'string' && /^-?\d+$/.test(value)) {
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : value.replace(/^(-?)0+(?=\d)/, '$1');
  }
  throw unexpected(field, column);
}

/** numeric arrives as a decimal string; float as a double. */
function numberValue(field: Field, column: SqlColumnMeta): SqlValue {
  const value: unknown = field.doubleValue ?? field.longValue ?? field.stringValue;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value);
    if (!Number.isNaN(number) || value === 'NaN') return number;
  }
  throw unexpected(field, column);
}

function booleanValue(field: Field, column: SqlColumnMeta): SqlValue {
  if (typeof field.booleanValue === 'boolean') return field.booleanValue;
  if (field.stringValue === 't' || field.stringValue === 'true') return true;
  if (field.stringValue === 'f' || field.stringValue === 'false') return false;
  throw unexpected(field, column);
}

/** Timestamps, CHAR (blank-padded), VARCHAR and anything else: the text exactly as returned. */
function textValue(field: Field, column: SqlColumnMeta): SqlValue {
  if (typeof field.stringValue === 'string') return field.stringValue;
  if (typeof field.longValue === 'number' || typeof field.longValue === 'string') return field.longValue;
  if (typeof field.doubleValue === 'number') return field.doubleValue;
  if (typeof field.booleanValue === 'boolean') return field.booleanValue;
  throw unexpected(field, column);
}
