import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlLiteral } from '../../../pipeline/duckdb/duckdb-engine.js';
import { lakeTable } from '../../../pipeline/tables/registry.js';
import { CompactionWorld } from './compaction-world.js';

const STL_QUERY = lakeTable('stl_query');

/**
 * Redshift partitions (cluster, day) are closed by the export's watermark: a day is compacted
 * once every slot of it is sealed, and rows a re-export wrote twice are one row (the view's key).
 */
describe('compactLake over a Redshift table', () => {
  let world: CompactionWorld;

  /** One slot object of stl_query: queries `first`..`first + rows - 1`, ending in `hour` of `day`. */
  async function slot(day: string, hour: number, first: number, rows: number, exportedAt: string, name = `T${hour}`): Promise<void> {
    const folder = join(world.lakeDir, 'redshift', 'stl_query', 'cluster=prod', `day=${day}`);
    await mkdir(folder, { recursive: true });
    const columns = STL_QUERY.columns.map((column) => {
      if (column.name === 'query') return `(${first} + i)::INTEGER AS query`;
      if (column.name === 'xid') return `(${first} + i)::BIGINT AS xid`;
      if (column.name === 'endtime') return `TIMESTAMP '${day} ${String(hour).padStart(2, '0')}:59:00' - to_seconds(i::BIGINT) AS endtime`;
      if (column.name === 'exported_at') return `TIMESTAMP '${exportedAt}' AS exported_at`;
      return `CAST(NULL AS ${column.type}) AS "${column.name}"`;
    });
    const path = join(folder, `stl_query__prod__${day.replaceAll('-', '')}${name}.parquet`);
    await world.catalogConnection.run(
      `COPY (SELECT ${columns.join(', ')} FROM range(${rows}) t(i)) TO ${sqlLiteral(path)} (FORMAT parquet)`,
    );
  }

  beforeAll(async () => {
    world = await CompactionWorld.create();
    await slot('2024-03-04', 10, 0, 5, '2024-03-04 11:00:00');
    await slot('2024-03-04', 11, 100, 5, '2024-03-04 12:00:00');
    // Exported again after the state was lost: the same rows, a later exported_at, an object of its own.
    await slot('2024-03-04', 10, 0, 5, '2024-03-08 09:00:00', 'T10again');
    await slot('2024-03-05', 9, 200, 3, '2024-03-05 10:00:00');
    await slot('2024-03-06', 9, 300, 3, '2024-03-06 10:00:00');
    await world.state.putWatermark(
      { cluster: 'prod', table: 'stl_query' },
      { sealedThrough: new Date('2024-03-06T00:00:00Z'), gaps: [] },
      0,
    );
    await world.catalog.ensureTables([STL_QUERY]);
  });

  afterAll(async () => {
    await world.close();
    await world.remove();
  });

  it('compacts the days every slot of which is sealed, keeping the first export of a row exported twice', async () => {
    const summary = await world.compact({}, [STL_QUERY]);
    expect(summary.toJSON()).toMatchObject({ compacted: 2, failed: 0, rowsIn: 18, rowsOut: 13, duplicatesRemoved: 5 });
    expect(summary.results.map((result) => result.path)).toEqual(['cluster=prod/day=2024-03-04/', 'cluster=prod/day=2024-03-05/']);
    const rows = await world.readerRows(
      "SELECT day, count(*)::INT AS n, max(exported_at)::VARCHAR AS last FROM stl_query WHERE cluster = 'prod' GROUP BY day ORDER BY day",
    );
    expect(rows).toEqual([
      { day: '2024-03-04', n: 10, last: '2024-03-04 12:00:00' },
      { day: '2024-03-05', n: 3, last: '2024-03-05 10:00:00' },
      { day: '2024-03-06', n: 3, last: '2024-03-06 10:00:00' },
    ]);
    expect(await world.state.getCompactionWatermark('stl_query', 'prod')).toMatchObject({ day: '2024-03-05' });

    // Sealed through the next day: 2024-03-06 is compacted by the next run, the others are left alone.
    await world.state.putWatermark(
      { cluster: 'prod', table: 'stl_query' },
      { sealedThrough: new Date('2024-03-07T03:00:00Z'), gaps: [] },
      1,
    );
    const next = await world.compact({}, [STL_QUERY]);
    expect(next.results.filter((result) => result.status === 'compacted').map((result) => result.path)).toEqual([
      'cluster=prod/day=2024-03-06/',
    ]);
  });
});
