import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogFiles, catalogTableBytes, touchedCatalogFiles } from '../../../bench/support/catalog-files.js';
import { openDuckDb, sqlLiteral } from '../../../pipeline/duckdb/duckdb-engine.js';
import { lakeTable } from '../../../pipeline/tables/registry.js';

const table = lakeTable('cloudtrail_events');
const LIVE_D1 = 'account=111122223333/region=us-east-1/day=2026-03-01/';
const LIVE_D2 = 'account=111122223333/region=us-east-1/day=2026-03-02/';
const GEN = `cloudtrail/events/_compacted/${LIVE_D1}gen=b2/`;
const OLD_GEN = `cloudtrail/events/_compacted/${LIVE_D1}gen=a1/`;
let root: string;
let instance: DuckDBInstance;
let connection: DuckDBConnection;

async function parquet(relative: string, rows: number): Promise<void> {
  const path = join(root, relative);
  await mkdir(dirname(path), { recursive: true });
  await connection.run(`COPY (SELECT range AS x FROM range(${rows})) TO ${sqlLiteral(path)} (FORMAT parquet)`);
}

const names = (files: readonly string[]) => files.map((file) => file.slice(root.length + 1));

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-catalog-files-'));
  ({ instance, connection } = await openDuckDb());
  await parquet(`cloudtrail/events/${LIVE_D1}a.parquet`, 1);
  await parquet(`cloudtrail/events/${LIVE_D1}b.parquet`, 2);
  await parquet(`cloudtrail/events/${LIVE_D2}c.parquet`, 3);
  await parquet(`${GEN}part-00000.parquet`, 3);
  await parquet(`${OLD_GEN}part-00000.parquet`, 1);
  await connection.run('CREATE TABLE opslake_partitions (table_name VARCHAR, partition_path VARCHAR, location VARCHAR)');
});

afterAll(async () => {
  connection.closeSync();
  instance.closeSync();
  await rm(root, { recursive: true, force: true });
});

describe('catalogFiles', () => {
  it('reads every live folder when the catalog records no partition (the lake before compaction)', async () => {
    await connection.run('DELETE FROM opslake_partitions');
    expect(names(await catalogFiles({ connection }, root, table, 'live'))).toEqual([
      `cloudtrail/events/${LIVE_D1}a.parquet`,
      `cloudtrail/events/${LIVE_D1}b.parquet`,
      `cloudtrail/events/${LIVE_D2}c.parquet`,
    ]);
    expect(await catalogFiles({ connection }, root, table, 'compacted')).toEqual([]);
  });

  it('reads a switched partition from its current generation only, the others from their live folders', async () => {
    await connection.run(`DELETE FROM opslake_partitions`);
    await connection.run(`INSERT INTO opslake_partitions VALUES ('cloudtrail_events', ${sqlLiteral(LIVE_D1)}, ${sqlLiteral(GEN)})`);
    expect(names(await catalogFiles({ connection }, root, table, 'live'))).toEqual([`cloudtrail/events/${LIVE_D2}c.parquet`]);
    expect(names(await catalogFiles({ connection }, root, table, 'compacted'))).toEqual([`${GEN}part-00000.parquet`]);
    const scan = { table, columns: ['eventid'], fileFilter: `day = '2026-03-01'`, compacted: true };
    expect(names(await touchedCatalogFiles({ connection }, root, scan))).toEqual([`${GEN}part-00000.parquet`]);
    expect(await touchedCatalogFiles({ connection }, root, { ...scan, compacted: false })).toEqual([]);
    const [live, generation] = await Promise.all([
      catalogFiles({ connection }, root, table, 'live'),
      catalogFiles({ connection }, root, table, 'compacted'),
    ]);
    const sizes = await connection.runAndReadAll(
      `SELECT sum(file_size_bytes)::BIGINT AS n FROM parquet_file_metadata([${[...live, ...generation].map(sqlLiteral).join(', ')}])`,
    );
    expect(await catalogTableBytes({ connection }, root, table)).toBe(Number(sizes.getRowObjectsJson()[0]?.n));
  });
});
