/**
 * `sys_query_detail` for the export benchmark: its columns, the tables a Serverless-like
 * workgroup holds them in, a generator of N rows in one slot, and the slot's SELECT.
 *
 * The columns are the registry's when it declares `sys_query_detail`, else the benchmark's own
 * from the SYS view reference (§1.3); `columnSource` says which. The SELECT is the exporter's
 * shape (CHAR padding trimmed, the completion time borrowed from `sys_query_history`'s
 * `end_time` through a semi-join, ordered by the natural key), rendered here because the
 * exporter does not render SYS views yet.
 */
import type { SqlStatement } from '../../pipeline/ports/sql-runner.js';
import { renderSlotSelect, slotStatement } from '../../pipeline/redshift/slot-sql.js';
import type { LakeType } from '../../pipeline/tables/column-types.js';
import type { LakeColumn } from '../../pipeline/tables/lake-table.js';
import { EXPORTED_AT, exportColumns, isExportTableName, isSourceViewName } from '../../pipeline/tables/registry.js';

interface BenchColumn {
  readonly name: string;
  /** The column's type in the workgroup (PostgreSQL spelling of the documented Redshift type). */
  readonly sourceType: string;
  readonly lakeType: LakeType;
}

const col = (name: string, sourceType: string, lakeType: LakeType): BenchColumn => ({ name, sourceType, lakeType });

/** The SYS view reference's §1.3, in its order. */
const OWN_COLUMNS: readonly BenchColumn[] = [
  col('user_id', 'integer', 'INTEGER'),
  col('query_id', 'bigint', 'BIGINT'),
  col('child_query_sequence', 'integer', 'INTEGER'),
  col('stream_id', 'integer', 'INTEGER'),
  col('segment_id', 'integer', 'INTEGER'),
  col('step_id', 'integer', 'INTEGER'),
  col('step_name', 'text', 'VARCHAR'),
  col('table_id', 'integer', 'INTEGER'),
  col('table_name', 'character(136)', 'VARCHAR'),
  col('is_rrscan', 'character(1)', 'VARCHAR'),
  col('start_time', 'timestamp', 'TIMESTAMP'),
  col('end_time', 'timestamp', 'TIMESTAMP'),
  col('duration', 'bigint', 'BIGINT'),
  col('alert', 'text', 'VARCHAR'),
  col('input_bytes', 'bigint', 'BIGINT'),
  col('input_rows', 'bigint', 'BIGINT'),
  col('output_bytes', 'bigint', 'BIGINT'),
  col('output_rows', 'bigint', 'BIGINT'),
  col('blocks_read', 'bigint', 'BIGINT'),
  col('blocks_write', 'bigint', 'BIGINT'),
  col('local_read_io', 'bigint', 'BIGINT'),
  col('remote_read_io', 'bigint', 'BIGINT'),
  col('source', 'text', 'VARCHAR'),
  col('data_skewness', 'integer', 'INTEGER'),
  col('time_skewness', 'integer', 'INTEGER'),
  col('is_active', 'character(1)', 'VARCHAR'),
  col('spilled_block_local_disk', 'bigint', 'BIGINT'),
  col('spilled_block_remote_disk', 'bigint', 'BIGINT'),
  col('step_attribute', 'character(64)', 'VARCHAR'),
  col('metrics_level', 'character(64)', 'VARCHAR'),
  col('plan_parent_id', 'integer', 'INTEGER'),
  col('plan_node_id', 'integer', 'INTEGER'),
];

const SOURCE_TYPE_OF: Readonly<Record<LakeType, string>> = {
  SMALLINT: 'smallint',
  INTEGER: 'integer',
  BIGINT: 'bigint',
  DOUBLE: 'double precision',
  BOOLEAN: 'boolean',
  TIMESTAMP: 'timestamp',
  VARCHAR: 'text',
};

const TABLE = 'sys_query_detail';

function registryColumns(): readonly BenchColumn[] | undefined {
  const name: string = TABLE;
  if (!isExportTableName(name)) return undefined;
  return exportColumns(name)
    .filter((column) => column.name !== EXPORTED_AT.name)
    .map((column) => col(column.name, SOURCE_TYPE_OF[column.type], column.type));
}

const fromRegistry = registryColumns();

/** Where the columns came from, for the benchmark's report. */
export const columnSource = fromRegistry
  ? 'the registry (pipeline/tables)'
  : "the benchmark's own definition from the SYS view reference §1.3 (the registry has no sys_query_detail yet)";

export const COLUMNS: readonly BenchColumn[] = fromRegistry ?? OWN_COLUMNS;

/** The lake columns the Parquet file is written with: the view's, then the run's lineage. */
export const LAKE_COLUMNS: readonly LakeColumn[] = [
  ...COLUMNS.map((column) => ({ name: column.name, type: column.lakeType, description: column.name })),
  EXPORTED_AT,
];

const KEY = ['query_id', 'child_query_sequence', 'stream_id', 'segment_id', 'step_id'];

/** DDL of the two tables, both as the workgroup's views would show them. */
export function createTablesSql(): string {
  const detail = COLUMNS.map((column) => `"${column.name}" ${column.sourceType}`).join(', ');
  return [
    'CREATE TABLE sys_query_history (query_id bigint, status character(10), start_time timestamp, end_time timestamp);',
    `CREATE TABLE ${TABLE} (${detail});`,
  ].join('\n');
}

const STEPS = ['scan', 'hash', 'hashjoin', 'aggregate', 'project', 'sort', 'return', 'save', 'distribute', 'window'];

/**
 * A value for one generated row (`r` its number, `q` its statement, `i` its place in the
 * statement's 20 rows); `k` (the column's position) keeps columns of one type apart.
 */
function generated(column: BenchColumn, k: number): string {
  switch (column.name) {
    case 'user_id':
      return '100 + q % 7';
    case 'query_id':
      return 'q';
    case 'child_query_sequence':
      return '1';
    case 'stream_id':
      return 'CASE WHEN i = 0 THEN -1 ELSE (i - 1) / 6 END';
    case 'segment_id':
      return 'CASE WHEN i % 6 = 1 OR i = 0 THEN -1 ELSE (i - 1) % 6 / 2 END';
    case 'step_id':
      return 'CASE WHEN i % 2 = 0 THEN i / 2 ELSE -1 END';
    case 'step_name':
      return `(ARRAY['${STEPS.join("','")}'])[1 + (r * 7) % ${STEPS.length}]`;
    case 'table_name':
      return "CASE WHEN i % 5 = 1 THEN 'public.sales_' || (q % 40) ELSE '' END";
    case 'is_rrscan':
    case 'is_active':
      return "CASE WHEN r % 3 = 0 THEN 't' ELSE 'f' END";
    case 'start_time':
      return "timestamp '2026-11-20 10:00:00' + make_interval(secs => (q % 3000) + (r % 997) / 1000.0 + (r % 13) / 1000000.0)";
    case 'end_time':
      return "timestamp '2026-11-20 10:00:02' + make_interval(secs => (q % 3000) + (r % 991) / 1000.0)";
    case 'alert':
      return "CASE WHEN r % 97 = 0 THEN 'Very selective query filter, \"ratio\"=' || (r % 100) || ', rows=' || r ELSE NULL END";
    case 'source':
      return "CASE WHEN i % 5 = 1 THEN 'Redshift table' ELSE NULL END";
    case 'step_attribute':
      return "CASE WHEN r % 11 = 0 THEN 'multi-dimensional' ELSE '' END";
    case 'metrics_level':
      return "CASE WHEN i = 0 THEN 'Child query' WHEN i % 6 = 1 THEN 'Stream' WHEN i % 2 = 0 THEN 'Step' ELSE 'Segment' END";
    default:
      break;
  }
  switch (column.lakeType) {
    case 'BIGINT':
      return column.name.startsWith('spilled') ? `(r * ${k}) % 3` : `((r + ${k}) * 2654435761) % ${10 ** (4 + (k % 9))}`;
    case 'INTEGER':
    case 'SMALLINT':
      return `((r + ${k}) * 40503) % ${10 ** (1 + (k % 4))}`;
    case 'DOUBLE':
      return '(r % 1000) / 8.0';
    case 'BOOLEAN':
      return 'r % 2 = 0';
    case 'TIMESTAMP':
      return "timestamp '2026-11-20 10:00:00' + make_interval(secs => r % 3000)";
    default:
      return "'v' || (r % 1000)";
  }
}

/**
 * Statements that fill the tables with `rows` detail rows, 20 per statement, every statement
 * finishing within the hour that starts at 2026-11-20 10:00 (the slot).
 */
export function loadSql(rows: number): string[] {
  const statements = Math.ceil(rows / 20);
  const values = COLUMNS.map((column, k) => `(${generated(column, k)})::${column.sourceType}`).join(',\n  ');
  return [
    `INSERT INTO sys_query_history SELECT q, 'success', timestamp '2026-11-20 10:00:00' + make_interval(secs => q % 3000),
       timestamp '2026-11-20 10:00:03' + make_interval(secs => q % 3000) FROM generate_series(1, ${statements}) AS q`,
    `INSERT INTO ${TABLE} SELECT\n  ${values}\n` +
      `FROM (SELECT r, 1 + r / 20 AS q, r % 20 AS i FROM generate_series(0::bigint, ${rows - 1}) AS r) g`,
  ];
}

export const SLOT_START = '2026-11-20 10:00:00';
export const SLOT_END = '2026-11-20 11:00:00';

/**
 * The slot's SELECT: the exporter's own (`renderSlotSelect`) when the registry declares the
 * view, else the same shape rendered here.
 */
export function slotSelect(): SqlStatement {
  const name: string = TABLE;
  if (isSourceViewName(name)) return slotStatement(renderSlotSelect(name), SLOT_START, SLOT_END);
  const select = COLUMNS.map((column) =>
    column.sourceType.startsWith('character') ? `rtrim(v."${column.name}") AS "${column.name}"` : `v."${column.name}"`,
  );
  const text = [
    `SELECT\n  ${select.join(',\n  ')}`,
    `FROM ${TABLE} v`,
    'WHERE EXISTS (SELECT 1 FROM sys_query_history q WHERE q."query_id" = v."query_id"',
    '  AND q."end_time" >= CAST(:slot_start AS timestamp) AND q."end_time" < CAST(:slot_end AS timestamp))',
    `ORDER BY ${KEY.map((name) => `v."${name}"`).join(', ')}`,
  ].join('\n');
  return slotStatement(text, SLOT_START, SLOT_END);
}
