/** What a query touched, read from DuckDB's own profile of its run. */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { tableGlob } from '../../pipeline/catalog/duckdb-catalog.js';
import { sqlLiteral } from '../../pipeline/duckdb/duckdb-engine.js';
import type { PreparedQuery } from '../../pipeline/ports/query-engine.js';
import { toDuckDbSql } from '../../pipeline/query/duckdb-dialect.js';
import type { LocalQueries } from '../../pipeline/query/local-queries.js';
import { toPositional } from '../../pipeline/query/sql-tokens.js';
import type { LakeTable } from '../../pipeline/tables/lake-table.js';
import { lakeTables } from '../../pipeline/tables/registry.js';

export interface ScanTouch {
  readonly table: LakeTable;
  readonly columns: readonly string[];
  readonly fileFilter: string | undefined;
  /** The scan reads compacted generations (`_compacted/`), not live folders: a view reads each apart. */
  readonly compacted: boolean;
}

export interface ProfileNode {
  readonly operator_name?: string;
  readonly extra_info?: Record<string, unknown>;
  readonly children?: readonly ProfileNode[];
  readonly total_bytes_read?: number;
}

export async function profiled(
  local: LocalQueries,
  prepared: PreparedQuery,
): Promise<{ tree: ProfileNode; bytesRead: number; rows: number }> {
  const output = join(await mkdtemp(join(tmpdir(), 'opslake-profile-')), 'profile.json');
  const { sql, order } = toPositional(toDuckDbSql(prepared.sql));
  const values = order.map((name) => {
    const parameter = prepared.parameters.find((candidate) => candidate.name === name);
    return parameter?.type === 'integer' ? BigInt(parameter.value) : (parameter?.value ?? '');
  });
  await local.connection.run(`SET enable_profiling = 'json'`);
  await local.connection.run(`SET profiling_output = ${sqlLiteral(output)}`);
  const result = await local.connection.runAndReadAll(sql, values);
  await local.connection.run("SET enable_profiling = 'no_output'");
  const tree = JSON.parse(readFileSync(output, 'utf8')) as ProfileNode;
  await rm(join(output, '..'), { recursive: true, force: true });
  return { tree, bytesRead: Number(tree.total_bytes_read ?? 0), rows: result.currentRowCount };
}

/** Every Parquet scan of the plan: its table (from the files it read), the columns it read or filtered on, its partition filter. */
export function scansOf(node: ProfileNode, lakeDir: string): ScanTouch[] {
  const found: ScanTouch[] = [];
  const info = node.extra_info ?? {};
  if (info.Function === 'READ_PARQUET') {
    const file =
      String(info['Filename(s)'] ?? '')
        .split(',')[0]
        ?.trim() ?? '';
    const path = relative(lakeDir, file).split('/');
    const table = lakeTables().find((candidate) => path.join('/').startsWith(`${candidate.path}/`));
    if (table) {
      const dataColumns = new Set(table.columns.map((column) => column.name));
      const projected = (info.Projections as string[] | string | undefined) ?? [];
      const filterText = [info.Filters].flat().filter(Boolean).join(' ');
      const filtered = [...dataColumns].filter((column) => new RegExp(`\\b${column}\\b`).test(filterText));
      const columns = [...new Set([...[projected].flat(), ...filtered])].filter((column) => dataColumns.has(column));
      const fileFilter = typeof info['File Filters'] === 'string' ? info['File Filters'] : undefined;
      found.push({ table, columns, fileFilter, compacted: file.includes('/_compacted/') });
    }
  }
  for (const child of node.children ?? []) found.push(...scansOf(child, lakeDir));
  return found;
}

/** The files of a table that the scan's partition filter keeps, found by evaluating that filter over the folder names. */
export async function touchedFiles(local: LocalQueries, lakeDir: string, scan: ScanTouch): Promise<string[]> {
  const keys = scan.table.partitionKeys.map((key) => `regexp_extract(file, '/${key.name}=([^/]*)/', 1) AS "${key.name}"`).join(', ');
  const files = `SELECT file, ${keys} FROM glob(${sqlLiteral(tableGlob(scan.table, lakeDir))})`;
  const found = await rows(local, `SELECT file FROM (${files}) WHERE ${scan.fileFilter ?? 'true'} ORDER BY file`);
  return found.map((row) => String(row.file));
}

export async function tableBytes(local: LocalQueries, lakeDir: string, table: LakeTable): Promise<number> {
  const [row] = await rows(
    local,
    `SELECT coalesce(sum(file_size_bytes), 0)::BIGINT AS bytes FROM parquet_file_metadata(${sqlLiteral(tableGlob(table, lakeDir))})`,
  );
  return Number(row?.bytes ?? 0);
}

export async function rows(local: Pick<LocalQueries, 'connection'>, sql: string): Promise<Record<string, unknown>[]> {
  return (await local.connection.runAndReadAll(sql)).getRowObjectsJson();
}
