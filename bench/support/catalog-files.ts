/**
 * The files a table's view reads, as the local catalog resolves its partitions: a partition the
 * catalog records (`opslake_partitions`, written by a compaction's switch) is read from its
 * generation's folder, every other partition from its live folder. With an empty catalog (an
 * in-memory one) that is the lake before compaction, whatever `_compacted/` holds.
 */
import { join } from 'node:path';
import { tableGlob } from '../../pipeline/catalog/duckdb-catalog.js';
import { sqlLiteral } from '../../pipeline/duckdb/duckdb-engine.js';
import type { LocalQueries } from '../../pipeline/query/local-queries.js';
import type { LakeTable } from '../../pipeline/tables/lake-table.js';
import { rows, type ScanTouch } from './query-profile.js';

/** A connection to the catalog database (`opslake_partitions` in it). */
export type Catalogued = Pick<LocalQueries, 'connection'>;

/** The live or the compacted files the view of `table` reads, by name. */
export async function catalogFiles(local: Catalogued, lakeDir: string, table: LakeTable, which: 'live' | 'compacted'): Promise<string[]> {
  const root = `${join(lakeDir, table.path)}/`;
  const recorded = `SELECT partition_path, location FROM opslake_partitions WHERE table_name = ${sqlLiteral(table.name)}`;
  const sql =
    which === 'live'
      ? `SELECT file FROM glob(${sqlLiteral(tableGlob(table, lakeDir))}) g
         WHERE NOT EXISTS (SELECT 1 FROM (${recorded}) p WHERE starts_with(g.file, ${sqlLiteral(root)} || p.partition_path))`
      : `SELECT file FROM glob(${sqlLiteral(join(root, '_compacted', '**', '*.parquet'))}) g
         WHERE EXISTS (SELECT 1 FROM (${recorded}) p WHERE starts_with(g.file, ${sqlLiteral(`${lakeDir}/`)} || p.location))`;
  return (await rows(local, `${sql} ORDER BY file`)).map((row) => String(row.file));
}

/** The files of the scan's table (those of its kind, live or compacted) that its partition filter keeps. */
export async function touchedCatalogFiles(local: Catalogued, lakeDir: string, scan: ScanTouch): Promise<string[]> {
  const files = await catalogFiles(local, lakeDir, scan.table, scan.compacted ? 'compacted' : 'live');
  if (files.length === 0 || scan.fileFilter === undefined) return files;
  await local.connection.run('CREATE OR REPLACE TEMP TABLE bench_files (file VARCHAR)');
  const appender = await local.connection.createAppender('bench_files', 'main', 'temp');
  for (const file of files) {
    appender.appendVarchar(file);
    appender.endRow();
  }
  appender.closeSync();
  const keys = scan.table.partitionKeys.map((key) => `regexp_extract(file, '/${key.name}=([^/]*)/', 1) AS "${key.name}"`).join(', ');
  const kept = await rows(local, `SELECT file FROM (SELECT file, ${keys} FROM bench_files) WHERE ${scan.fileFilter} ORDER BY file`);
  return kept.map((row) => String(row.file));
}

/** Bytes of every file the view of `table` reads: a full read of the table as the catalog has it. */
export async function catalogTableBytes(local: Catalogued, lakeDir: string, table: LakeTable): Promise<number> {
  const files = [...(await catalogFiles(local, lakeDir, table, 'live')), ...(await catalogFiles(local, lakeDir, table, 'compacted'))];
  if (files.length === 0) return 0;
  const [row] = await rows(
    local,
    `SELECT coalesce(sum(file_size_bytes), 0)::BIGINT AS bytes FROM parquet_file_metadata([${files.map(sqlLiteral).join(', ')}])`,
  );
  return Number(row?.bytes ?? 0);
}
