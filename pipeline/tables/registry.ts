import { glueTypeOf, lakeTypeOf, type GlueType, type LakeType } from './column-types.js';
import type { LakeColumn, LakeTable, PartitionKey, RowIdentity } from './lake-table.js';
import { CLOUDTRAIL_COMPLETENESS } from './cloudtrail-completeness-table.js';
import { CLOUDTRAIL_TABLES } from './cloudtrail-tables.js';
import { QUERY_TEXT_COLUMNS, QUERY_TEXT_TABLE } from './query-text-table.js';
import { SOURCE_VIEW_NAMES, SOURCE_VIEWS, type SourceViewName } from './dialects.js';
import type { SourceView } from './source-view.js';
import { STL_VIEW_NAMES, type StlViewName } from './stl-views.js';

/**
 * The one schema registry. Every lake table, its columns and types are declared here (or in the
 * files this one imports); SQL, Parquet schemas, Glue tables and DuckDB views derive from it.
 */

/**
 * What a source can be asked to export: the STL and SYS views and the derived `query_text`. A
 * source exports those of its dialect (`dialectTables`).
 */
export const EXPORT_TABLE_NAMES = [...SOURCE_VIEW_NAMES, QUERY_TEXT_TABLE] as const;
export type ExportTableName = (typeof EXPORT_TABLE_NAMES)[number];

export function isExportTableName(value: unknown): value is ExportTableName {
  return typeof value === 'string' && (EXPORT_TABLE_NAMES as readonly string[]).includes(value);
}

export function isStlViewName(value: unknown): value is StlViewName {
  return typeof value === 'string' && (STL_VIEW_NAMES as readonly string[]).includes(value);
}

export function isSourceViewName(value: unknown): value is SourceViewName {
  return typeof value === 'string' && (SOURCE_VIEW_NAMES as readonly string[]).includes(value);
}

export function sourceView(name: SourceViewName): SourceView<SourceViewName> {
  return SOURCE_VIEWS[name];
}

/** Lineage column on every Redshift row: the cluster clock at the start of the run that wrote it. */
export const EXPORTED_AT: LakeColumn = {
  name: 'exported_at',
  type: 'TIMESTAMP',
  description: 'Cluster time at the start of the export run that wrote the row (UTC).',
};

/** The partition keys of every Redshift table, in folder order. */
export type RedshiftPartitionKey = 'cluster' | 'day';

export const REDSHIFT_PARTITION_KEYS: readonly PartitionKey<RedshiftPartitionKey>[] = [
  { name: 'cluster', type: 'string', description: 'Source cluster or workgroup (our configured name).' },
  { name: 'day', type: 'string', description: "UTC day (YYYY-MM-DD) of the row's completion time." },
];

/** Lake columns of an export table, in file order. */
export function exportColumns(name: ExportTableName): readonly LakeColumn[] {
  if (name === QUERY_TEXT_TABLE) return [...QUERY_TEXT_COLUMNS, EXPORTED_AT];
  const view = SOURCE_VIEWS[name];
  return [
    ...view.columns.map((column) => ({ name: column.name, type: lakeTypeOf(column.type), description: column.description })),
    EXPORTED_AT,
  ];
}

/** The lake table an export table is written to (`redshift/<name>`, partitioned by cluster and day). */
export function exportLakeTable(name: ExportTableName): LakeTable<RedshiftPartitionKey> {
  const columns = exportColumns(name);
  return {
    name,
    path: `redshift/${name}`,
    description:
      name === QUERY_TEXT_TABLE
        ? 'Full statement text per query, DDL and utility statement, with fingerprints.'
        : SOURCE_VIEWS[name].description,
    columns,
    partitionKeys: REDSHIFT_PARTITION_KEYS,
    identity: exportIdentity(name, columns),
  };
}

/**
 * A Redshift row is identified by its view's key (the statement kind and its ids for
 * `query_text`) and ordered by the time that decides its slot; of rows exported twice (a
 * re-export after lost state), the first export is kept.
 */
function exportIdentity(name: ExportTableName, columns: readonly LakeColumn[]): RowIdentity {
  if (name === QUERY_TEXT_TABLE) {
    // STL statements are identified by query (or xid and pid), SYS ones by query_id.
    const key = ['statement_kind', 'dialect', 'query', 'query_id', 'xid', 'pid', 'starttime'];
    return { time: 'endtime', key, keepFirst: [EXPORTED_AT.name] };
  }
  const view = SOURCE_VIEWS[name];
  const timestamps = columns.filter((column) => column.type === 'TIMESTAMP' && column.name !== EXPORTED_AT.name).map((c) => c.name);
  const time = view.cursor.kind === 'own' ? view.cursor.column : timestamps.includes('endtime') ? 'endtime' : timestamps[0];
  return { ...(time === undefined ? {} : { time }), key: view.key, keepFirst: [EXPORTED_AT.name] };
}

/** Every table in the lake: the catalog creates exactly these. */
export function lakeTables(): readonly LakeTable[] {
  return [...EXPORT_TABLE_NAMES.map(exportLakeTable), ...CLOUDTRAIL_TABLES, CLOUDTRAIL_COMPLETENESS];
}

export function lakeTable(name: string): LakeTable {
  const found = lakeTables().find((table) => table.name === name);
  if (!found) throw new RangeError(`no lake table named ${name}`);
  return found;
}

/** `name TYPE, ...` for DuckDB (`read_json(columns=...)`, CREATE TABLE). */
export function duckdbColumnTypes(columns: readonly LakeColumn[]): Record<string, LakeType> {
  return Object.fromEntries(columns.map((column) => [column.name, column.type]));
}

export function glueColumns(columns: readonly LakeColumn[]): Array<{ name: string; type: GlueType; comment: string }> {
  return columns.map((column) => ({ name: column.name, type: glueTypeOf(column.type), comment: column.description }));
}

export { STL_VIEW_NAMES, type StlViewName } from './stl-views.js';
export { SYS_VIEW_NAMES, type SysViewName } from './sys-views.js';
export type { SourceView } from './source-view.js';
export {
  DIALECTS,
  DIALECT_NAMES,
  dialectOfView,
  dialectTables,
  dialectViews,
  SOURCE_VIEW_NAMES,
  type DialectName,
  type SourceKind,
  type SourceViewName,
} from './dialects.js';
export { QUERY_TEXT_TABLE } from './query-text-table.js';
