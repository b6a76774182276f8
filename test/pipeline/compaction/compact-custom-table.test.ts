import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDbCatalog } from '../../../pipeline/catalog/duckdb-catalog.js';
import { runCompaction } from '../../../pipeline/compaction/run-compaction.js';
import { DEFAULT_COMPACTION_SETTINGS } from '../../../pipeline/config/compaction-settings.js';
import type { ClusterConfig } from '../../../pipeline/config/opslake-config.js';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import { lakeTablesWithCustom } from '../../../pipeline/tables/custom-tables.js';
import { FileStateStore } from '../../../pipeline/state/file-state-store.js';
import { LocalObjectStore } from '../../../pipeline/store/local-object-store.js';
import { clusterConfig, exportOnce, lakeFixture, openRunner, simulatedCluster } from '../../harness/export-harness.js';

/**
 * A custom export's table is compacted like the built-in ones: its columns come from the schema
 * the export recorded in the state store, its days close when their slots are sealed, and readers
 * see the same rows before and after (rows equal in every column are one row: its slots'
 * objects are rewritten whole on a re-export, so no row is there twice).
 */

const CLUSTER: ClusterConfig = {
  ...clusterConfig('analytics', ['stl_query']),
  exports: [
    {
      name: 'statements',
      sql: `SELECT q.query, q.userid, q.endtime, trim(q.querytxt) AS text FROM stl_query q
WHERE q.endtime >= :slot_start AND q.endtime < :slot_end`,
      timeColumn: 'endtime',
    },
  ],
};

describe('compaction of a custom export table', () => {
  it('compacts its closed days from the recorded schema and readers see the same rows', async () => {
    const sim = await simulatedCluster({ historyHours: 40, seed: 5, start: new Date('2024-03-04T06:00:00Z') });
    const lake = await lakeFixture();
    const runner = await openRunner('pg', sim.db, CLUSTER);
    const { instance, connection } = await openDuckDb({ path: join(lake.dir, 'catalog.duckdb') });
    try {
      const exported = await exportOnce(lake, runner, CLUSTER);
      expect(exported.status).toBe('done');
      const tables = await lakeTablesWithCustom(lake.state);
      const custom = tables.filter((table) => table.name === 'custom_statements');
      expect(custom).toHaveLength(1);
      const catalog = new DuckDbCatalog({ connection, lakeDir: lake.lakeDir });
      await catalog.ensureTables(custom);
      const read = async () =>
        (await connection.runAndReadAll('SELECT query, userid, endtime, text, day FROM custom_statements ORDER BY query')).getRows();
      const before = await read();
      const source = await sim.db.query<{ query: number }>('SELECT query FROM stl_query ORDER BY query');
      expect(before.map(([query]) => Number(query))).toEqual(source.rows.map((row) => row.query));

      const state = lake.state;
      if (!(state instanceof FileStateStore)) throw new Error('the fixture keeps its state in files');
      const now = new Date(`${(await sim.now()).replace(' ', 'T').replace(/Z?$/, 'Z')}`);
      const summary = await runCompaction({
        lake: new LocalObjectStore(lake.lakeDir),
        catalog,
        state,
        tables,
        settings: { ...DEFAULT_COMPACTION_SETTINGS, graceMinutes: 0 },
        tempDirectory: join(lake.dir, 'tmp'),
        clock: () => now,
      });
      const compacted = summary.results.filter((result) => result.table === 'custom_statements' && result.status === 'compacted');
      expect(summary.failed).toEqual([]);
      expect(compacted.length).toBeGreaterThan(0);
      expect(compacted.every((result) => result.outputs === 1 && result.inputs > 1)).toBe(true);
      expect(await read()).toEqual(before);
      const locations = await connection.runAndReadAll(
        "SELECT location FROM opslake_partitions WHERE table_name = 'custom_statements' ORDER BY partition_path",
      );
      expect(locations.getRows().map(([location]) => String(location))).toEqual(
        compacted.map((result) => expect.stringContaining(`redshift/custom_statements/_compacted/${result.path}`)),
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
      await runner.close?.();
      await lake.close();
    }
  });
});
