import { sqlLiteral } from '../duckdb/duckdb-engine.js';
import {
  CLOUDTRAIL_EVENT_COLUMNS,
  CLOUDTRAIL_EVENT_FIELDS,
  CLOUDTRAIL_INSIGHT_COLUMNS,
  CLOUDTRAIL_INSIGHT_FIELDS,
  isGroup,
  SOURCE_KEY_COLUMN,
  UNKNOWN_FIELDS_COLUMN,
  type CloudTrailColumn,
  type CloudTrailGroup,
  type CloudTrailValueKind,
} from '../tables/cloudtrail-tables.js';
import type { CloudTrailTableKind } from './cloudtrail-lake-layout.js';

/**
 * The SQL that turns spooled JSON lines into the columns of a CloudTrail table. Two kinds of
 * spool feed one Parquet file: `raw` lines are CloudTrail records exactly as delivered, which
 * DuckDB flattens itself through typed STRUCT columns (the fast path); `flat` lines are records
 * the flattener in JS has already flattened (unknown members, values of unexpected types).
 * Both selects yield the same columns, in table order.
 */

const TREES: Record<CloudTrailTableKind, CloudTrailGroup> = { events: CLOUDTRAIL_EVENT_FIELDS, insights: CLOUDTRAIL_INSIGHT_FIELDS };
const COLUMNS: Record<CloudTrailTableKind, readonly CloudTrailColumn[]> = {
  events: CLOUDTRAIL_EVENT_COLUMNS,
  insights: CLOUDTRAIL_INSIGHT_COLUMNS,
};

/** `eventTime` as CloudTrail writes it; the fast path only takes records in exactly this form. */
export const EVENT_TIME_FORMAT = '%Y-%m-%dT%H:%M:%SZ';

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function readType(kind: CloudTrailValueKind): string {
  switch (kind) {
    case 'json':
      return 'JSON';
    case 'boolean':
      return 'BOOLEAN';
    case 'double':
      return 'DOUBLE';
    default:
      // timestamps are parsed in the select, from their text
      return 'VARCHAR';
  }
}

function structType(group: CloudTrailGroup): string {
  const fields = Object.entries(group.members).map(
    ([member, node]) => `${quoteIdentifier(member)} ${isGroup(node) ? structType(node) : readType(node.kind)}`,
  );
  return `STRUCT(${fields.join(', ')})`;
}

function objectSize(maxLineBytes: number): number {
  let size = 1 << 20;
  while (size < maxLineBytes + 1) size *= 2;
  return size;
}

function leafExpression(column: CloudTrailColumn): string {
  const access = column.path.map(quoteIdentifier).join('.');
  if (column.kind === 'json') return `${access}::VARCHAR`;
  if (column.kind === 'timestamp') return `strptime(${access}, '${EVENT_TIME_FORMAT}')`;
  return access;
}

/**
 * Every spooled line starts with `"_p"`, the id of its target (input, table, partition): the
 * Parquet writer partitions by it. Both selects keep it as their last column.
 */
export const TARGET_COLUMN = '_p';
const TARGET = quoteIdentifier(TARGET_COLUMN);

/** The type of a record of `table` as DuckDB's JSON reader is to read it (a STRUCT per group). */
export function recordStructType(table: CloudTrailTableKind): string {
  return structType(TREES[table]);
}

/**
 * The table's columns computed from a record read with `recordStructType`, whose members are
 * columns of the FROM clause; `source_key` is `sourceKey` (an SQL expression).
 */
export function recordSelectList(table: CloudTrailTableKind, sourceKey: string): string {
  return COLUMNS[table]
    .map((column) => {
      if (column.name === UNKNOWN_FIELDS_COLUMN) return `NULL::VARCHAR AS ${quoteIdentifier(column.name)}`;
      if (column.name === SOURCE_KEY_COLUMN) return `${sourceKey} AS ${quoteIdentifier(column.name)}`;
      return `${leafExpression(column)} AS ${quoteIdentifier(column.name)}`;
    })
    .join(', ');
}

/** SELECT over a spool of raw records; `source_key` is `sourceKeys[_p]` (a SQL list literal). */
export function rawSelectSql(table: CloudTrailTableKind, spool: string, sourceKeys: string, maxLineBytes: number): string {
  const read = [
    `${TARGET}: 'UINTEGER'`,
    ...Object.entries(TREES[table].members).map(
      ([member, node]) => `${sqlLiteral(member)}: ${sqlLiteral(isGroup(node) ? structType(node) : readType(node.kind))}`,
    ),
  ];
  return (
    `SELECT ${recordSelectList(table, `${sourceKeys}[${TARGET} + 1]`)}, ${TARGET} ` +
    `FROM read_json(${sqlLiteral(spool)}, format = 'newline_delimited', records = 'true', ` +
    `columns = {${read.join(', ')}}, maximum_object_size = ${objectSize(maxLineBytes)})`
  );
}

/** SELECT over a spool of rows the JS flattener wrote (`{"_p":...,"c0":...}`, see FlatRow). */
export function flatSelectSql(table: CloudTrailTableKind, spool: string, maxLineBytes: number): string {
  const columns = COLUMNS[table];
  // Lines use short keys c0, c1, ...: long column names would be most of their bytes.
  const read = [`${TARGET}: 'UINTEGER'`, ...columns.map((column, i) => `c${i}: '${column.kind === 'json' ? 'JSON' : column.type}'`)];
  const select = columns.map((column, i) => `c${i}${column.kind === 'json' ? '::VARCHAR' : ''} AS ${quoteIdentifier(column.name)}`);
  return (
    `SELECT ${select.join(', ')}, ${TARGET} FROM read_json(${sqlLiteral(spool)}, format = 'newline_delimited', records = 'true', ` +
    `columns = {${read.join(', ')}}, maximum_object_size = ${objectSize(maxLineBytes)})`
  );
}
