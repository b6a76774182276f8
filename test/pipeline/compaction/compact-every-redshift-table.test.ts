import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlLiteral } from '../../../pipeline/duckdb/duckdb-engine.js';
import type { LakeColumn } from '../../../pipeline/tables/lake-table.js';
import { EXPORT_TABLE_NAMES, lakeTable } from '../../../pipeline/tables/registry.js';
import { CompactionWorld } from './compaction-world.js';

const TABLES = EXPORT_TABLE_NAMES.map((name) => lakeTable(name));
const DAY = '2024-03-04';

/** A value of the column's type: every column set, so two copies of the row are duplicates under any key. */
function sampleValue(column: LakeColumn): string {
  const type = column.type.toUpperCase();
  if (type.startsWith('TIMESTAMP')) return `TIMESTAMP '${DAY} 10:00:00'`;
  if (type === 'DATE') return `DATE '${DAY}'`;
  if (type === 'BOOLEAN') return 'true';
  return `CAST(1 AS ${column.type})`;
}

/**
 * Compaction reads its inputs with the file name and row number of every row; a view's own
 * column of the same name (`stl_load_errors.filename`) must not clash with them. Every exported
 * table, with the same row in two slot objects, compacts to that row once.
 */
describe('compactLake over every exported Redshift table', () => {
  let world: CompactionWorld;

  beforeAll(async () => {
    world = await CompactionWorld.create();
    for (const table of TABLES) {
      const folder = join(world.lakeDir, table.path, 'cluster=prod', `day=${DAY}`);
      await mkdir(folder, { recursive: true });
      const select = table.columns.map((column) => `${sampleValue(column)} AS "${column.name}"`).join(', ');
      for (const hour of ['T1000', 'T1100']) {
        const path = join(folder, `${table.name}__prod__${DAY.replaceAll('-', '')}${hour}.parquet`);
        await world.catalogConnection.run(`COPY (SELECT ${select}) TO ${sqlLiteral(path)} (FORMAT parquet)`);
      }
      await world.state.putWatermark(
        { cluster: 'prod', table: table.name },
        { sealedThrough: new Date('2024-03-06T00:00:00Z'), gaps: [] },
        0,
      );
    }
    await world.catalog.ensureTables(TABLES);
  });

  afterAll(async () => {
    await world.close();
    await world.remove();
  });

  it('compacts each to one row, whatever its columns are called', async () => {
    const summary = await world.compact({}, TABLES);
    const failures = summary.results.filter((result) => result.status === 'failed').map((result) => result.error?.message);
    expect(failures).toEqual([]);
    expect(summary.toJSON()).toMatchObject({ compacted: TABLES.length, rowsIn: 2 * TABLES.length, rowsOut: TABLES.length });
    expect(TABLES.map((table) => table.name)).toContain('stl_load_errors');
  });
});
