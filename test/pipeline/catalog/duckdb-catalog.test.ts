import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbCatalog, duckDbViewSql } from '../../../pipeline/catalog/duckdb-catalog.js';
import { glueTableInput } from '../../../pipeline/catalog/glue-table-input.js';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import { ParquetWriter } from '../../../pipeline/lake/parquet-writer.js';
import type { LakeTable } from '../../../pipeline/tables/lake-table.js';
import { lakeTable, lakeTables } from '../../../pipeline/tables/registry.js';
import { compareGlueTypesWithFiles } from './lake-file-types.js';
import { buildSmallLake, SMALL_LAKE, writeTable } from './small-lake.js';

let root: string;
let lakeDir: string;
let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-duckdb-catalog-'));
  lakeDir = join(root, 'lake');
  await buildSmallLake(lakeDir);
  ({ instance, connection } = await openDuckDb());
});

afterAll(async () => {
  connection.closeSync();
  instance.closeSync();
  await rm(root, { recursive: true, force: true });
});

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson();
}

describe('DuckDbCatalog', () => {
  it('declares one view per lake table with the Glue table name and columns, partition keys last', async () => {
    await new DuckDbCatalog({ connection, lakeDir }).ensureTables(lakeTables());
    for (const table of lakeTables()) {
      const glue = glueTableInput(table, { lakeLocation: 's3://bucket/lake' });
      const described = await rows(`DESCRIBE "${table.name}"`);
      expect(described.map((row) => row.column_name)).toEqual([
        ...glue.StorageDescriptor.Columns.map((c) => c.Name),
        ...glue.PartitionKeys.map((k) => k.Name),
      ]);
      expect(described.slice(-table.partitionKeys.length).every((row) => row.column_type === 'VARCHAR')).toBe(true);
    }
  });

  it('reads the files of every partition, partition values as strings (an account keeps its leading zero)', async () => {
    const [counted] = await rows(
      `SELECT count(DISTINCT cluster) AS clusters, count(DISTINCT day) AS days, min(day) AS first FROM stl_query`,
    );
    expect(counted).toEqual({ clusters: '2', days: '2', first: SMALL_LAKE.days[0] });
    const [account] = await rows(`SELECT DISTINCT account FROM cloudtrail_events`);
    expect(account).toEqual({ account: SMALL_LAKE.account });
  });

  it('agrees with Glue on the type of every column of every file of every table', async () => {
    const { mismatches, files } = await compareGlueTypesWithFiles(lakeDir, lakeTables());
    expect(mismatches).toEqual([]);
    for (const table of lakeTables()) expect(files[table.name], table.name).toBeGreaterThan(0);
  });

  it('gives a table without files an empty view with the same typed columns', async () => {
    const empty = join(root, 'empty-lake');
    await new DuckDbCatalog({ connection, lakeDir: empty }).ensureTables([lakeTable('stl_scan')]);
    expect(await rows('SELECT count(*) AS n FROM stl_scan')).toEqual([{ n: '0' }]);
    const types = await rows(
      `SELECT column_type FROM (DESCRIBE stl_scan) WHERE column_name IN ('rows', 'endtime', 'perm_table_name', 'day') ORDER BY column_name`,
    );
    expect(types.map((row) => row.column_type)).toEqual(['VARCHAR', 'TIMESTAMP', 'VARCHAR', 'BIGINT']);
    await new DuckDbCatalog({ connection, lakeDir }).ensureTables([lakeTable('stl_scan')]);
  });

  it('reads older files without a column added to the registry as NULL in it, and newer files with it', async () => {
    const base = lakeTable('stl_utilitytext');
    const grown: LakeTable = {
      ...base,
      name: 'grown_utilitytext',
      path: 'evolving/utilitytext',
      columns: [...base.columns, { name: 'extra_note', type: 'VARCHAR', description: 'A column added later.' }],
    };
    const lake = join(root, 'evolving-lake');
    const writer = new ParquetWriter(connection);
    const row = {
      cluster: 'alpha',
      userid: 1,
      xid: 1,
      pid: 1,
      label: '',
      starttime: '2024-03-04 10:00:00',
      endtime: '2024-03-04 10:00:01',
      sequence: 0,
      text: 'SET x TO 1',
      exported_at: '2024-03-04 11:00:00',
    };
    await writeTable(writer, lake, { ...base, path: grown.path }, [{ ...row, day: '2024-03-04' }]);
    const catalog = new DuckDbCatalog({ connection, lakeDir: lake });

    // Only old files so far: the new column exists and is NULL.
    await catalog.ensureTables([grown]);
    expect(await rows('SELECT day, extra_note FROM grown_utilitytext')).toEqual([{ day: '2024-03-04', extra_note: null }]);

    await writeTable(writer, lake, grown, [{ ...row, day: '2024-03-05', extra_note: 'written later' }]);
    await catalog.ensureTables([grown]);
    expect(await rows('SELECT day, extra_note, text FROM grown_utilitytext ORDER BY day')).toEqual([
      { day: '2024-03-04', extra_note: null, text: 'SET x TO 1' },
      { day: '2024-03-05', extra_note: 'written later', text: 'SET x TO 1' },
    ]);

    // The only object written again with the column (a replay): its footer is read again, not remembered.
    const later: Record<string, unknown> = { ...row, day: '2024-03-05' };
    await rm(join(lake, grown.path, ...grown.partitionKeys.map((key) => `${key.name}=${String(later[key.name])}`)), { recursive: true });
    await writeTable(writer, lake, grown, [{ ...row, day: '2024-03-04', extra_note: 'replayed', text: 'SET y TO 2' }]);
    await catalog.ensureTables([grown]);
    expect(await rows('SELECT day, extra_note, text FROM grown_utilitytext')).toEqual([
      { day: '2024-03-04', extra_note: 'replayed', text: 'SET y TO 2' },
    ]);
  });

  it('reads files by name only when their columns differ, and never lets an identifier reach SQL unchecked', () => {
    const table = lakeTable('stl_query');
    const folders = { live: ['/lake/redshift/stl_query/cluster=a/day=2024-03-04/*.parquet'], compacted: [] };
    const same = duckDbViewSql(table, folders, { columns: new Set(table.columns.map((c) => c.name)), mixed: false });
    expect(same).toContain(
      "read_parquet(['/lake/redshift/stl_query/cluster=a/day=2024-03-04/*.parquet'], hive_partitioning = true, " +
        "hive_types = {'cluster': 'VARCHAR', 'day': 'VARCHAR'}, hive_types_autocast = false)",
    );
    expect(same).not.toContain('union_by_name');
    expect(same).not.toContain('UNION ALL');
    expect(duckDbViewSql(table, folders, { columns: new Set(['query']), mixed: true })).toContain('union_by_name = true');
    const both = duckDbViewSql(table, { ...folders, compacted: ["/it's/gen=ab/*.parquet"] }, { columns: new Set(['query']), mixed: false });
    expect(both).toContain(' UNION ALL SELECT ');
    expect(both).toContain("read_parquet(['/it''s/gen=ab/*.parquet']");
    expect(duckDbViewSql(table, { live: [], compacted: [] }, undefined)).not.toContain('read_parquet');
    const hostile: LakeTable = { ...table, columns: [{ name: 'x"; DROP TABLE y; --', type: 'VARCHAR', description: '' }] };
    expect(() => duckDbViewSql(hostile, folders, undefined)).toThrow(/invalid catalog identifier/);
  });
});
