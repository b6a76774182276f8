import {
  CLOUDTRAIL_EVENT_FIELDS,
  CLOUDTRAIL_EVENTS_TABLE,
  cloudTrailColumnName,
  isGroup,
  UNKNOWN_FIELDS_COLUMN,
  type CloudTrailGroup,
  type CloudTrailNode,
} from '../tables/cloudtrail-tables.js';
import {
  CLOUDTRAIL_LOGS_COLUMNS,
  CLOUDTRAIL_LOGS_PARTITIONS,
  CLOUDTRAIL_LOGS_VIEW,
  type CloudTrailLogsPartition,
} from '../tables/cloudtrail-logs-table.js';
import type { HiveType } from '../tables/hive-type.js';
import type { LakeView } from '../tables/lake-view.js';
import { DUCKDB_VIEW_SQL, TRINO_VIEW_SQL, type ViewSqlDialect } from './view-sql-dialects.js';

/**
 * `cloudtrail_logs`: the documentation's CloudTrail table (pipeline/tables/cloudtrail-logs-table.ts)
 * as a view over `cloudtrail_events`. Each of its fields is found in the record tree of the
 * registry by name, regardless of case, as the documentation's JSON SerDe finds it in the raw
 * record; what the lake typed is turned back into the text the SerDe gives:
 *
 * - a flattened object (userIdentity, sessionContext, tlsDetails, ...) becomes a struct again. It
 *   is NULL when the record had no such object: when none of its members has a value, in a column
 *   or in `unknown_fields`. An object delivered empty (`"webIdFederationData": {}`) leaves no trace
 *   in the lake, so it reads as NULL where the documentation's table has a struct of NULLs;
 * - `eventTime` is printed back in CloudTrail's form (`2024-03-05T14:07:31Z`);
 * - booleans are `true`/`false` text; free-form objects are their JSON text as delivered (a bare
 *   JSON string in their place is its text, as the SerDe gives it);
 * - `resources`, `addendum` and `webIdFederationData.attributes`, kept as JSON text, are parsed
 *   into the documentation's array, struct and map;
 * - an eventTime or a boolean the lake could not type (kept in `unknown_fields`) is given as the
 *   SerDe would: its text. A text member delivered as an object or array (not seen in
 *   CloudTrail) reads NULL here; it is in `unknown_fields`.
 *
 * Partition columns are computed from ours (see CLOUDTRAIL_LOGS_PARTITIONS) by expressions on our
 * partition keys alone, so that a filter on them can prune partitions: DuckDB evaluates them on
 * the folder names (tested, and measured by bench/compat-queries.bench.ts); Trino can evaluate
 * them on partition values too, which is not verified here (no Athena to run it on).
 */
export function cloudTrailLogsView(): LakeView {
  return {
    name: CLOUDTRAIL_LOGS_VIEW,
    description:
      "CloudTrail events in the shape of the AWS documentation's cloudtrail_logs table, over cloudtrail_events, " +
      'so that existing Athena queries for CloudTrail run unchanged.',
    reads: [CLOUDTRAIL_EVENTS_TABLE],
    columns: [
      ...CLOUDTRAIL_LOGS_COLUMNS,
      ...CLOUDTRAIL_LOGS_PARTITIONS.map((partition) => ({ name: partition.name, type: { kind: 'string' } as const })),
    ],
    athenaSql: viewSql(TRINO_VIEW_SQL),
    duckDbSql: viewSql(DUCKDB_VIEW_SQL),
  };
}

/** The partition columns from ours: the same SQL in both engines. */
const PARTITION_SQL: Readonly<Record<CloudTrailLogsPartition, string>> = {
  account: '"account"',
  region: '"region"',
  year: `substr("day", 1, 4)`,
  month: `substr("day", 6, 2)`,
  day: `substr("day", 9, 2)`,
  timestamp: `replace("day", '-', '/')`,
};

function viewSql(dialect: ViewSqlDialect): string {
  const unknown = `"${UNKNOWN_FIELDS_COLUMN}"`;
  const select = [
    ...CLOUDTRAIL_LOGS_COLUMNS.map((column) => {
      const [member, node] = memberOf(CLOUDTRAIL_EVENT_FIELDS, column.name);
      return `  ${fieldSql(column.type, node, [member], dialect, unknown)} AS "${column.name}"`;
    }),
    ...CLOUDTRAIL_LOGS_PARTITIONS.map((partition) => `  ${PARTITION_SQL[partition.name]} AS "${partition.name}"`),
  ];
  return `SELECT\n${select.join(',\n')}\nFROM "${CLOUDTRAIL_EVENTS_TABLE}"`;
}

/** The member of a record object that a documented field reads: names are compared regardless of case, as the SerDe does. */
function memberOf(group: CloudTrailGroup, field: string): [string, CloudTrailNode] {
  const found = Object.entries(group.members).find(([member]) => member.toLowerCase() === field);
  // The declaration and the registry describe the same record: a documented field with no member is a defect of either.
  if (!found) throw new RangeError(`the documentation's field ${field} has no member in the CloudTrail record tree of the registry`);
  return found;
}

function fieldSql(type: HiveType, node: CloudTrailNode, path: readonly string[], dialect: ViewSqlDialect, unknown: string): string {
  if (isGroup(node)) {
    if (type.kind !== 'struct') throw new RangeError(`${path.join('.')} is an object in the record, not a ${type.kind}`);
    const values = type.fields.map((field) => {
      const [member, child] = memberOf(node, field.name);
      return fieldSql(field.type, child, [...path, member], dialect, unknown);
    });
    const present = [...leafColumns(node, path).map((column) => `"${column}" IS NOT NULL`), dialect.jsonHas(unknown, path)];
    return `CASE WHEN ${present.join(' OR ')} THEN ${dialect.struct(type, values)} END`;
  }
  const column = `"${cloudTrailColumnName(path)}"`;
  if (type.kind !== 'string') {
    if (node.kind !== 'json') throw new RangeError(`${path.join('.')} is a ${node.kind} in the lake, not JSON to read as ${type.kind}`);
    return dialect.parseJson(column, type);
  }
  // An eventTime or a boolean the flattener could not type stays in unknown_fields, where the
  // SerDe would have given its text: it is taken from there. Text members are not: one that is
  // not text (an object where a name is expected) does not occur in CloudTrail, and the plain
  // column lets a filter on it reach the Parquet scan and skip row groups.
  const untyped = dialect.jsonText(unknown, path);
  switch (node.kind) {
    case 'json':
      return dialect.jsonValueText(column);
    case 'timestamp':
      return `coalesce(${dialect.timestampText(column)}, ${untyped})`;
    case 'boolean':
      return `coalesce(${dialect.booleanText(column)}, ${untyped})`;
    default:
      return column;
  }
}

/** Every lake column under an object of the record, at any depth. */
function leafColumns(group: CloudTrailGroup, path: readonly string[]): string[] {
  return Object.entries(group.members).flatMap(([member, node]) =>
    isGroup(node) ? leafColumns(node, [...path, member]) : [cloudTrailColumnName([...path, member])],
  );
}
