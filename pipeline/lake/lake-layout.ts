import { InvalidIdentifierError } from '../errors.js';
import type { LakeTable } from '../tables/lake-table.js';

/**
 * Where things are in the lake (DESIGN.md §2). Every object key, partition value and partition
 * prefix of every lake table is made here, from the table's `path` and `partitionKeys` in the
 * schema registry: the writers name their objects through it, and the catalog registers the
 * partitions the writers report, so what is written and what is registered cannot drift apart.
 * It is also the one place that says where a partition's objects live (`partitionPrefix`).
 */

/**
 * Values of a table's partition keys as they appear in keys (escaped, see
 * `escapePartitionValue`), e.g. `{ cluster: 'prod', day: '2024-03-05' }`. `K` names the keys.
 */
export type PartitionValuesOf<K extends string = string> = Readonly<Record<K, string>>;

/** An object of a lake table: which table, which partition, which key. */
export interface LakeObject<K extends string = string> {
  /** Catalog name of the table, e.g. `stl_query` or `cloudtrail_events`. */
  readonly table: string;
  /** The partition the object is in (escaped values, as in the key). */
  readonly partition: PartitionValuesOf<K>;
  /** Object key, relative to the lake root. */
  readonly key: string;
}

/** An object a writer put in the lake: what the catalog registers and a run reports. */
export interface WrittenObject<K extends string = string> extends LakeObject<K> {
  readonly rows: number;
  readonly bytes: number;
}

/** A value that is safe as it is in a key: escaped bytes or `[A-Za-z0-9._-]`, never `.` or `..`. */
const KEY_VALUE = /^(?:[A-Za-z0-9._-]|%[0-9A-F]{2})+$/;
/** Object names: one segment, no leading dot (no hidden or temp files, no `.`/`..`). */
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._=-]*$/;

/**
 * A partition value as it appears in a key: kept as delivered, with every byte outside
 * `[A-Za-z0-9._-]` written `%XX` (Hive's escaping, which Athena and DuckDB undo when they read
 * the path). A 12-digit account id, `us-east-1` or `2024-03-05` comes out unchanged; a
 * `redacted`, 13-digit or empty-looking value stays distinct and can never add a `/`.
 */
export function escapePartitionValue(value: string): string {
  if (value === '') return '__HIVE_DEFAULT_PARTITION__';
  if (/^[A-Za-z0-9._-]+$/.test(value) && value !== '.' && value !== '..') return value;
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out +=
      /[A-Za-z0-9_-]/.test(c) || (c === '.' && value !== '.' && value !== '..')
        ? c
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The key values of raw partition values (each escaped); refuses a missing or an extra key. */
export function partitionValues<K extends string>(table: LakeTable<K>, raw: Readonly<Record<K, string>>): PartitionValuesOf<K> {
  checkKeys(table, raw);
  const values = {} as Record<K, string>;
  for (const key of table.partitionKeys) values[key.name] = escapePartitionValue(raw[key.name]);
  return values;
}

/** `<table path>/`: where every partition of the table lives. */
export function tablePrefix(table: LakeTable): string {
  return `${table.path}/`;
}

/**
 * `<table path>/<key>=<value>/.../`: where the objects of one partition live, and the one
 * place that says so (the catalog's partition location is this prefix under the lake root).
 * `partition` holds key values (see `partitionValues`); a value that is not is refused.
 */
export function partitionPrefix<K extends string>(table: LakeTable<K>, partition: PartitionValuesOf<K>): string {
  checkKeys(table, partition);
  let prefix = tablePrefix(table);
  for (const key of table.partitionKeys) {
    const value = partition[key.name];
    if (!KEY_VALUE.test(value) || value === '.' || value === '..') {
      throw new InvalidIdentifierError(`${table.name} partition ${key.name}`, value, 'escape it with escapePartitionValue first');
    }
    prefix += `${key.name}=${value}/`;
  }
  return prefix;
}

/** The key of the object `fileName` in a partition of `table`. */
export function objectKey<K extends string>(table: LakeTable<K>, partition: PartitionValuesOf<K>, fileName: string): string {
  if (!FILE_NAME.test(fileName)) {
    throw new InvalidIdentifierError(`${table.name} object name`, fileName, 'use letters, digits, . _ = -, not starting with a dot');
  }
  return `${partitionPrefix(table, partition)}${fileName}`;
}

/** The object `fileName` in a partition of `table`, with its table and partition beside its key. */
export function lakeObject<K extends string>(table: LakeTable<K>, partition: PartitionValuesOf<K>, fileName: string): LakeObject<K> {
  return { table: table.name, partition, key: objectKey(table, partition, fileName) };
}

/** Refuses values that do not name exactly the table's partition keys. */
function checkKeys(table: LakeTable, values: Readonly<Record<string, string>>): void {
  const expected = table.partitionKeys.map((key) => key.name);
  const given = Object.keys(values);
  const missing = expected.filter((name) => typeof values[name] !== 'string');
  const extra = given.filter((name) => !expected.includes(name));
  if (missing.length > 0 || extra.length > 0) {
    throw new InvalidIdentifierError(
      `partition of ${table.name}`,
      given.join(', '),
      `expected values for exactly ${expected.join(', ')}` +
        (missing.length > 0 ? `; missing ${missing.join(', ')}` : '') +
        (extra.length > 0 ? `; not a partition key: ${extra.join(', ')}` : ''),
    );
  }
}

/** The folder under a table's path where compacted generations live; `_` keeps Athena from listing it as data. */
export const COMPACTED_FOLDER = '_compacted';
/** A generation's manifest: written last, so a generation folder without one is incomplete. */
export const GENERATION_MANIFEST = '_manifest.json';
const GENERATION = /^[0-9a-f]{16,64}$/;

/** `<key>=<value>/.../`: a partition's path under its table (the state store names partitions by it). */
export function partitionPath<K extends string>(table: LakeTable<K>, partition: PartitionValuesOf<K>): string {
  return partitionPrefix(table, partition).slice(tablePrefix(table).length);
}

/** `<table path>/_compacted/<key>=<value>/.../`: where every generation of a partition lives. */
export function compactedPrefix<K extends string>(table: LakeTable<K>, partition: PartitionValuesOf<K>): string {
  return `${tablePrefix(table)}${COMPACTED_FOLDER}/${partitionPath(table, partition)}`;
}

/**
 * `<table path>/_compacted/<key>=<value>/.../gen=<generation>/`: one compacted generation of a
 * partition, the location the catalog points the partition at once it is compacted.
 */
export function generationPrefix<K extends string>(table: LakeTable<K>, partition: PartitionValuesOf<K>, generation: string): string {
  if (!GENERATION.test(generation)) throw new InvalidIdentifierError(`${table.name} generation`, generation, 'expected 16-64 hex digits');
  return `${compactedPrefix(table, partition)}gen=${generation}/`;
}

/** The key of a file of a generation (`part-<n>.parquet`, or the manifest). */
export function generationObjectKey<K extends string>(
  table: LakeTable<K>,
  partition: PartitionValuesOf<K>,
  generation: string,
  fileName: string,
): string {
  if (!FILE_NAME.test(fileName) && fileName !== GENERATION_MANIFEST) {
    throw new InvalidIdentifierError(`${table.name} object name`, fileName, 'use letters, digits, . _ = -, not starting with a dot');
  }
  return `${generationPrefix(table, partition, generation)}${fileName}`;
}

/** The generation a partition location names, or undefined when it is the live location (or another place). */
export function generationOf<K extends string>(table: LakeTable<K>, partition: PartitionValuesOf<K>, location: string): string | undefined {
  const prefix = compactedPrefix(table, partition);
  if (!location.startsWith(`${prefix}gen=`) || !location.endsWith('/')) return undefined;
  const generation = location.slice(prefix.length + 'gen='.length, -1);
  return GENERATION.test(generation) ? generation : undefined;
}

/** Partition values from a partition path (`k=v/.../`), checked against the table's keys; undefined when it is not one. */
export function partitionFromPath<K extends string>(table: LakeTable<K>, path: string): PartitionValuesOf<K> | undefined {
  const segments = path.split('/').filter((segment) => segment !== '');
  if (segments.length !== table.partitionKeys.length || !path.endsWith('/')) return undefined;
  const values = {} as Record<K, string>;
  for (const [index, key] of table.partitionKeys.entries()) {
    const segment = segments[index] ?? '';
    const value = segment.startsWith(`${key.name}=`) ? segment.slice(key.name.length + 1) : undefined;
    if (value === undefined || !KEY_VALUE.test(value) || value === '.' || value === '..') return undefined;
    values[key.name] = value;
  }
  return values;
}
