import type { ColumnMetadata, Field } from '@aws-sdk/client-redshift-data';
import { SqlStatementError } from '../../errors.js';
import type { SqlColumnMeta, SqlRow, SqlValue } from '../../ports/sql-runner.js';
import { booleanFromText, cannotHold, columnMetaOf, integerFromText, numberFromText, valueKindOf } from './data-api-text-values.js';

/**
 * Data API fields (GetStatementResult's typed JSON) as the SqlValue convention of
 * `ports/sql-runner.ts` types them, decided by the column's Redshift type name so that rows
 * match those of the wire-protocol runner and of CSV results.
 */

type Decode = (field: Field, column: SqlColumnMeta) => SqlValue;

export interface ColumnDecoder {
  readonly meta: SqlColumnMeta;
  readonly decode: (field: Field) => SqlValue;
}

export function columnDecoders(metadata: readonly ColumnMetadata[]): ColumnDecoder[] {
  return columnMetaOf(metadata).map((meta) => {
    const decode = DECODERS[valueKindOf(meta.typeName)];
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

function unexpected(field: Field, column: SqlColumnMeta): SqlStatementError {
  // Names the kind of field, never its value.
  const kind = Object.keys(field).find((key) => (field as unknown as Record<string, unknown>)[key] !== undefined) ?? 'empty';
  return cannotHold(column, `a ${kind} field`);
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
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return integerFromText(value, column);
  throw unexpected(field, column);
}

/** numeric arrives as a decimal string; float as a double. */
function numberValue(field: Field, column: SqlColumnMeta): SqlValue {
  const value: unknown = field.doubleValue ?? field.longValue ?? field.stringValue;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return numberFromText(value, column);
  throw unexpected(field, column);
}

function booleanValue(field: Field, column: SqlColumnMeta): SqlValue {
  if (typeof field.booleanValue === 'boolean') return field.booleanValue;
  if (typeof field.stringValue === 'string' && /^(t|f|true|false)$/.test(field.stringValue))
    return booleanFromText(field.stringValue, column);
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

const DECODERS: Readonly<Record<ReturnType<typeof valueKindOf>, Decode>> = {
  integer: integerValue,
  number: numberValue,
  boolean: booleanValue,
  text: textValue,
};
