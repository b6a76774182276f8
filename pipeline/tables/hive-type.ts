import { InvalidIdentifierError } from '../errors.js';

/**
 * The nested column types of Hive DDL (`STRING`, `STRUCT<a:STRING>`, `ARRAY<...>`, `MAP<K,V>`),
 * as the CloudTrail table of the AWS documentation spells them, and the same types in the spelling
 * of each engine: Glue keeps the Hive form, Athena views declare Trino types, DuckDB has its own.
 */
export type HiveType =
  | { readonly kind: 'string' }
  | { readonly kind: 'scalar'; readonly name: HiveScalar }
  | { readonly kind: 'struct'; readonly fields: readonly HiveField[] }
  | { readonly kind: 'array'; readonly element: HiveType }
  | { readonly kind: 'map'; readonly key: HiveType; readonly value: HiveType };

/** The other primitive types a lake view declares (its columns computed from the lake's typed columns). */
export type HiveScalar = 'int' | 'bigint' | 'double' | 'boolean' | 'timestamp';

/**
 * Trino's names of the scalars. Athena (engine 3) reads a Parquet timestamp as `timestamp(3)`, and
 * a view whose declared column type differs from what its SELECT gives is refused as stale.
 */
const TRINO_SCALARS: Readonly<Record<HiveScalar, string>> = {
  int: 'integer',
  bigint: 'bigint',
  double: 'double',
  boolean: 'boolean',
  timestamp: 'timestamp(3)',
};

export interface HiveField {
  readonly name: string;
  readonly type: HiveType;
}

const FIELD_NAME = /^[a-z_][a-z0-9_]*$/;

/** Parses a Hive type (`struct<a:string, b:array<string>>`); names are lower-cased as Hive does. */
export function parseHiveType(text: string): HiveType {
  const tokens = text.match(/[A-Za-z_][A-Za-z0-9_]*|[<>:,]/g) ?? [];
  let at = 0;
  const fail = (problem: string): never => {
    throw new InvalidIdentifierError('Hive type', text, problem);
  };
  const take = (expected?: string): string => {
    const token = tokens[at];
    if (token === undefined || (expected !== undefined && token !== expected)) return fail(`expected ${expected ?? 'more'} at token ${at}`);
    at += 1;
    return token;
  };
  const type = (): HiveType => {
    const name = take().toLowerCase();
    if (name === 'string') return { kind: 'string' };
    take('<');
    if (name === 'array') {
      const element = type();
      take('>');
      return { kind: 'array', element };
    }
    if (name === 'map') {
      const key = type();
      take(',');
      const value = type();
      take('>');
      return { kind: 'map', key, value };
    }
    if (name !== 'struct') return fail(`unsupported type ${name}`);
    const fields: HiveField[] = [];
    do {
      const field = take().toLowerCase();
      if (!FIELD_NAME.test(field)) fail(`bad field name ${field}`);
      take(':');
      fields.push({ name: field, type: type() });
    } while (tokens[at] === ',' && take(','));
    take('>');
    return { kind: 'struct', fields };
  };
  const parsed = type();
  if (at !== tokens.length) fail('trailing text');
  return parsed;
}

/** Glue's spelling: `struct<a:string,b:array<string>>`. */
export function hiveTypeText(type: HiveType): string {
  switch (type.kind) {
    case 'string':
      return 'string';
    case 'scalar':
      return type.name;
    case 'array':
      return `array<${hiveTypeText(type.element)}>`;
    case 'map':
      return `map<${hiveTypeText(type.key)},${hiveTypeText(type.value)}>`;
    case 'struct':
      return `struct<${type.fields.map((field) => `${field.name}:${hiveTypeText(field.type)}`).join(',')}>`;
  }
}

/** Trino's spelling, as a view definition declares its columns: `row("a" varchar)`, `array(varchar)`. */
export function trinoTypeText(type: HiveType): string {
  switch (type.kind) {
    case 'string':
      return 'varchar';
    case 'scalar':
      return TRINO_SCALARS[type.name];
    case 'array':
      return `array(${trinoTypeText(type.element)})`;
    case 'map':
      return `map(${trinoTypeText(type.key)},${trinoTypeText(type.value)})`;
    case 'struct':
      return `row(${type.fields.map((field) => `"${field.name}" ${trinoTypeText(field.type)}`).join(',')})`;
  }
}

/** DuckDB's spelling, as `DESCRIBE` prints it: `STRUCT("a" VARCHAR)`, `VARCHAR[]`. */
export function duckDbTypeText(type: HiveType): string {
  switch (type.kind) {
    case 'string':
      return 'VARCHAR';
    case 'scalar':
      return type.name === 'int' ? 'INTEGER' : type.name.toUpperCase();
    case 'array':
      return `${duckDbTypeText(type.element)}[]`;
    case 'map':
      return `MAP(${duckDbTypeText(type.key)}, ${duckDbTypeText(type.value)})`;
    case 'struct':
      return `STRUCT(${type.fields.map((field) => `"${field.name}" ${duckDbTypeText(field.type)}`).join(', ')})`;
  }
}
