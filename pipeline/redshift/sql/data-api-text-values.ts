import type { ColumnMetadata } from '@aws-sdk/client-redshift-data';
import { SqlStatementError } from '../../errors.js';
import type { SqlColumnMeta, SqlValue } from '../../ports/sql-runner.js';

/**
 * The SqlValue rules of `ports/sql-runner.ts` for a value that arrives as text: a CSV field, or
 * a JSON `stringValue` (numeric, an int8 beyond 2^53). One set of rules, so that both result
 * formats of the Data API type a value alike. Errors name the column, never its value.
 */

export type ValueKind = 'integer' | 'number' | 'boolean' | 'text';

const INTEGER_TYPES = new Set(['int2', 'int4', 'int8', 'int', 'smallint', 'integer', 'bigint', 'oid']);
const NUMBER_TYPES = new Set(['float4', 'float8', 'float', 'real', 'double precision', 'numeric', 'decimal']);
const BOOLEAN_TYPES = new Set(['bool', 'boolean']);

/** Decided by the column's Redshift type name, as the wire-protocol runner's parsers are. */
export function valueKindOf(typeName: string): ValueKind {
  if (INTEGER_TYPES.has(typeName)) return 'integer';
  if (NUMBER_TYPES.has(typeName)) return 'number';
  if (BOOLEAN_TYPES.has(typeName)) return 'boolean';
  return 'text';
}

export function columnMetaOf(metadata: readonly ColumnMetadata[]): SqlColumnMeta[] {
  return metadata.map((column, i) => ({
    name: column.name ?? column.label ?? `column_${i + 1}`,
    typeName: (column.typeName ?? '').toLowerCase(),
  }));
}

export function cannotHold(column: SqlColumnMeta, what: string): SqlStatementError {
  return new SqlStatementError(`column ${column.name} (${column.typeName}) came back as ${what}, which it cannot hold`);
}

const INTEGER_TEXT = /^-?\d+$/;

/** A number when it is a safe integer, else its decimal digits (leading zeros dropped). */
export function integerFromText(text: string, column: SqlColumnMeta): SqlValue {
  if (!INTEGER_TEXT.test(text)) throw cannotHold(column, 'text that is not an integer');
  const number = Number(text);
  return Number.isSafeInteger(number) ? number : text.replace(/^(-?)0+(?=\d)/, '$1');
}

export function numberFromText(text: string, column: SqlColumnMeta): SqlValue {
  if (text.trim() !== '') {
    const number = Number(text);
    if (!Number.isNaN(number) || text === 'NaN') return number;
  }
  throw cannotHold(column, 'text that is not a number');
}

/** Redshift prints `t`/`f`; `true`/`false` are taken too. */
export function booleanFromText(text: string, column: SqlColumnMeta): SqlValue {
  if (text === 't' || text === 'true') return true;
  if (text === 'f' || text === 'false') return false;
  throw cannotHold(column, 'text that is not a boolean');
}

/** A CSV column: its name, its kind, and how a field becomes a value (`null` is a field that stands for NULL). */
export interface TextColumn {
  readonly meta: SqlColumnMeta;
  readonly kind: ValueKind;
  readonly decode: (text: string | null) => SqlValue;
}

export function textColumns(metadata: readonly ColumnMetadata[]): TextColumn[] {
  return textColumnsOf(columnMetaOf(metadata));
}

export function textColumnsOf(columns: readonly SqlColumnMeta[]): TextColumn[] {
  return columns.map((meta) => {
    const kind = valueKindOf(meta.typeName);
    if (kind === 'text') return { meta, kind, decode: (text) => text };
    const parse = kind === 'integer' ? integerFromText : kind === 'number' ? numberFromText : booleanFromText;
    return { meta, kind, decode: (text) => (text === null ? null : parse(text, meta)) };
  });
}
