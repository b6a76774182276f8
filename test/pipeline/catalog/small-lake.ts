import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import { type LakeRow, ParquetWriter } from '../../../pipeline/lake/parquet-writer.js';
import type { LakeTable } from '../../../pipeline/tables/lake-table.js';
import { lakeTable } from '../../../pipeline/tables/registry.js';
import { cloudTrailRows } from './small-lake-cloudtrail.js';
import type { Row } from './small-lake-facts.js';
import { redshiftRows } from './small-lake-redshift.js';

export { SMALL_LAKE } from './small-lake-facts.js';

/**
 * Writes a small lake under `lakeDir` the way the exporter and the CloudTrail ingester write
 * theirs (the registry's columns and types, zstd Parquet through the same writer, hive folders,
 * one file per table and partition), with a few rows chosen so that every question of
 * `queries/` has an answer that a test can check (SMALL_LAKE).
 */
export async function buildSmallLake(lakeDir: string): Promise<void> {
  const { instance, connection } = await openDuckDb();
  try {
    const writer = new ParquetWriter(connection);
    const all = new Map([...redshiftRows(), ...cloudTrailRows()]);
    for (const [name, rows] of all) await writeTable(writer, lakeDir, lakeTable(name), rows);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Writes rows of one table, one file per partition, under `lakeDir` (rows name their partition values). */
export async function writeTable(
  writer: ParquetWriter,
  lakeDir: string,
  table: LakeTable,
  rows: readonly Row[],
  fileName = 'part-0.parquet',
): Promise<void> {
  const byPartition = new Map<string, Row[]>();
  for (const row of rows) {
    const folder = table.partitionKeys.map((key) => `${key.name}=${String(row[key.name])}`).join('/');
    byPartition.set(folder, [...(byPartition.get(folder) ?? []), row]);
  }
  for (const [folder, partitionRows] of byPartition) {
    const file = await writer.write(
      table.columns,
      (async function* () {
        yield partitionRows.map((row) => row as LakeRow);
      })(),
    );
    if (!file) continue;
    await mkdir(join(lakeDir, table.path, folder), { recursive: true });
    await copyFile(file.path, join(lakeDir, table.path, folder, fileName));
    await writer.discard(file);
  }
}
