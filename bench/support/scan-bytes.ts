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

/**
 * What a query reads from the lake, from DuckDB's own profile of one run: for each Parquet scan,
 * the columns it read or filtered on and the partition filter it pruned files with; then, from
 * the Parquet metadata of the files that filter keeps, the compressed bytes of those column
 * chunks (what Athena would scan) and of the footers. Follows the SQL as it is, views included.
 */
export interface ScanTouch {
  readonly table: LakeTable;
  readonly columns: readonly string[];
  readonly fileFilter: string | undefined;
}

export interface ScanBytes {
  readonly rows: number;
  readonly scans: readonly ScanTouch[];
  readonly files: number;
  /** Files of the tables scanned, before pruning. */
  readonly filesInTables: number;
  readonly columnBytes: number;
  readonly footerBytes: number;
  /** DuckDB's own count of bytes read from disk. */
  readonly bytesRead: number;
}

export async function scanBytes(local: LocalQueries, lakeDir: string, prepared: PreparedQuery): Promise<ScanBytes> {
  await local.connection.run('SET enable_external_file_cache = false');
  try {
    const profile = await profiled(local, prepared);
    const scans = scansOf(profile.tree, lakeDir);
    let files = 0;
    let filesInTables = 0;
    let columnBytes = 0;
    let footerBytes = 0;
    for (const scan of scans) {
      const touched = await touchedFiles(local, lakeDir, scan, scan.fileFilter);
      filesInTables += (await touchedFiles(local, lakeDir, scan, undefined)).length;
      if (touched.length === 0) continue;
      files += touched.length;
      const list = `[${touched.map(sqlLiteral).join(', ')}]`;
      const columns = `[${scan.columns.map(sqlLiteral).join(', ')}]`;
      const [chunks] = await rows(
        local,
        `SELECT coalesce(sum(total_compressed_size), 0)::BIGINT AS bytes FROM parquet_metadata(${list}) ` +
          `WHERE list_contains(${columns}, path_in_schema)`,
      );
      const [footers] = await rows(local, `SELECT coalesce(sum(footer_size), 0)::BIGINT AS bytes FROM parquet_file_metadata(${list})`);
      columnBytes += Number(chunks?.bytes ?? 0);
      footerBytes += Number(footers?.bytes ?? 0);
    }
    return { rows: profile.rows, scans, files, filesInTables, columnBytes, footerBytes, bytesRead: profile.bytesRead };
  } finally {
    await local.connection.run('RESET enable_external_file_cache');
  }
}

interface ProfileNode {
  readonly extra_info?: Record<string, unknown>;
  readonly children?: readonly ProfileNode[];
  readonly total_bytes_read?: number;
}

async function profiled(local: LocalQueries, prepared: PreparedQuery): Promise<{ tree: ProfileNode; bytesRead: number; rows: number }> {
  const folder = await mkdtemp(join(tmpdir(), 'opslake-profile-'));
  const output = join(folder, 'profile.json');
  const { sql, order } = toPositional(toDuckDbSql(prepared.sql));
  const values = order.map((name) => {
    const parameter = prepared.parameters.find((candidate) => candidate.name === name);
    return parameter?.type === 'integer' ? BigInt(parameter.value) : (parameter?.value ?? '');
  });
  try {
    await local.connection.run(`SET enable_profiling = 'json'`);
    await local.connection.run(`SET profiling_output = ${sqlLiteral(output)}`);
    const result = await local.connection.runAndReadAll(sql, values);
    await local.connection.run("SET enable_profiling = 'no_output'");
    const tree = JSON.parse(readFileSync(output, 'utf8')) as ProfileNode;
    return { tree, bytesRead: Number(tree.total_bytes_read ?? 0), rows: result.currentRowCount };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** Every Parquet scan of the plan: its table (from the files it read), the columns it read or filtered on, its partition filter. */
function scansOf(node: ProfileNode, lakeDir: string): ScanTouch[] {
  const found: ScanTouch[] = [];
  const info = node.extra_info ?? {};
  if (info.Function === 'READ_PARQUET') {
    const file = String(info['Filename(s)'] ?? '').split(',')[0] ?? '';
    const path = relative(lakeDir, file.trim()).split('/').join('/');
    const table = lakeTables().find((candidate) => path.startsWith(`${candidate.path}/`));
    if (table) {
      const dataColumns = new Set(table.columns.map((column) => column.name));
      const projected = (info.Projections as string[] | string | undefined) ?? [];
      const filterText = [info.Filters].flat().filter(Boolean).join(' ');
      const filtered = [...dataColumns].filter((column) => new RegExp(`\\b${column}\\b`).test(filterText));
      const columns = [...new Set([...[projected].flat(), ...filtered])].filter((column) => dataColumns.has(column));
      const fileFilter = typeof info['File Filters'] === 'string' ? allOf(info['File Filters']) : undefined;
      found.push({ table, columns, fileFilter });
    }
  }
  for (const child of node.children ?? []) found.push(...scansOf(child, lakeDir));
  return found;
}

/** The profile prints several partition filters side by side, `(a = 'x')(b = 'y')`: all of them apply. */
function allOf(filters: string): string {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let index = 0; index < filters.length; index += 1) {
    const char = filters.charAt(index);
    if (char === "'") quoted = !quoted;
    if (quoted) continue;
    if (char === '(') depth += 1;
    else if (char === ')' && --depth === 0) {
      parts.push(filters.slice(start, index + 1).trim());
      start = index + 1;
    }
  }
  const rest = filters.slice(start).trim();
  return [...parts, ...(rest ? [rest] : [])].join(' AND ');
}

/** The files of a table that a partition filter keeps, found by evaluating that filter over the folder names. */
async function touchedFiles(local: LocalQueries, lakeDir: string, scan: ScanTouch, filter: string | undefined): Promise<string[]> {
  const keys = scan.table.partitionKeys.map((key) => `regexp_extract(file, '/${key.name}=([^/]*)/', 1) AS "${key.name}"`).join(', ');
  const glob = sqlLiteral(tableGlob(scan.table, lakeDir));
  const found = await rows(local, `SELECT file FROM (SELECT file, ${keys} FROM glob(${glob})) WHERE ${filter ?? 'true'} ORDER BY file`);
  return found.map((row) => String(row.file));
}

async function rows(local: LocalQueries, sql: string): Promise<Record<string, unknown>[]> {
  return (await local.connection.runAndReadAll(sql)).getRowObjectsJson();
}
