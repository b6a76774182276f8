import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClusterExporter } from '../../../pipeline/redshift/cluster-exporter.js';
import { partitionPrefix } from '../../../pipeline/lake/lake-layout.js';
import type { ParquetWriter } from '../../../pipeline/ports/parquet-writer.js';
import type { SqlRunner } from '../../../pipeline/ports/sql-runner.js';
import type { StateStore } from '../../../pipeline/ports/state-store.js';
import { FileStateStore } from '../../../pipeline/state/file-state-store.js';
import { MemoryObjectStore } from '../../fakes/memory-object-store.js';
import { exportLakeTable, isExportTableName } from '../../../pipeline/tables/registry.js';
import { clusterConfig, SETTINGS } from '../../harness/export-harness.js';

describe('ClusterExporter', () => {
  it('refuses, before writing anything, a source whose configured tables are all of the dialect it is not read through', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opslake-exporter-'));
    const state = new FileStateStore(join(dir, 'state'));
    // An earlier run found that this provisioned cluster refuses STL (a Multi-AZ cluster).
    await state.recordSourceDialect({ cluster: 'multi', dialect: 'sys', reason: 'stl_query is refused', detectedAt: new Date() });
    const asked: string[] = [];
    const runner: SqlRunner = {
      async *pages(statement) {
        asked.push(statement.text);
        if (statement.text.includes('getdate')) yield [{ now: '2026-11-20 12:00:00' }];
        else throw new Error('must not be called');
      },
      close: async () => undefined,
    };
    const untouched = new Proxy(
      {},
      {
        get: () => () => {
          throw new Error('must not be called');
        },
      },
    );
    const lake = new MemoryObjectStore();
    const exporter = new ClusterExporter({ runner, state, writer: untouched as ParquetWriter, lake });
    const cluster = clusterConfig('multi', ['stl_query', 'stl_scan']);
    await expect(exporter.export({ cluster, settings: SETTINGS })).rejects.toThrow(
      /multi\.tables: lists none of the tables multi can export: it is read through the SYS views \(stl_query is refused\)/,
    );
    expect(asked).toEqual(['SELECT getdate() AS now']);
    expect(lake.objects.size).toBe(0);
    expect(await state.listWatermarks()).toEqual([]);
  });
});

describe('ClusterExporter lease', () => {
  it('renews its lease during a long export so that a second run cannot start', async () => {
    const { simulatedCluster, openRunner, lakeFixture } = await import('../../harness/export-harness.js');
    const sim = await simulatedCluster({ historyHours: 3, seed: 13 });
    const cluster = clusterConfig('analytics', ['stl_query']);
    const runner = await openRunner('pg', sim.db, cluster);
    const lake = await lakeFixture();
    try {
      // A wall clock that moves 10 minutes per reading: the 15-minute lease would lapse mid-run.
      let minutes = 0;
      const clock = () => {
        minutes += 10;
        return new Date(Date.UTC(2026, 10, 20, 12, 0) + minutes * 60_000);
      };
      const acquired: Array<{ owner: string; expiresAt: Date }> = [];
      const state = lake.state;
      const watching: StateStore = {
        ...state,
        getWatermark: (key) => state.getWatermark(key),
        putWatermark: (key, update, version) => state.putWatermark(key, update, version),
        listWatermarks: () => state.listWatermarks(),
        releaseLease: (lease) => state.releaseLease(lease),
        getSourceDialect: (cluster) => state.getSourceDialect(cluster),
        recordSourceDialect: (dialect) => state.recordSourceDialect(dialect),
        listSourceDialects: () => state.listSourceDialects(),
        getTableSchema: (table) => state.getTableSchema(table),
        putTableSchema: (schema, version) => state.putTableSchema(schema, version),
        listTableSchemas: () => state.listTableSchemas(),
        recordSourceAccess: (access) => state.recordSourceAccess(access),
        listSourceAccess: () => state.listSourceAccess(),
        acquireLease: async (scope, owner, ttl, now) => {
          const lease = await state.acquireLease(scope, owner, ttl, now);
          acquired.push({ owner, expiresAt: lease.expiresAt });
          return lease;
        },
      };
      const exporter = await lake.exporter(runner, { clock, state: watching, owner: 'long-run' });
      const result = await exporter.export({ cluster, settings: SETTINGS });
      expect(result.status).toBe('done');
      expect(acquired.length).toBeGreaterThan(1);
      expect(acquired.every((entry) => entry.owner === 'long-run')).toBe(true);
      const [first] = acquired;
      expect(acquired.at(-1)?.expiresAt.getTime()).toBeGreaterThan(first?.expiresAt.getTime() ?? Number.POSITIVE_INFINITY);
    } finally {
      await runner.close();
      await lake.close();
      await sim.close();
    }
  });
});

describe('ClusterExporter objects', () => {
  it('reports each object it wrote with its table and partition: together, exactly the objects in the lake', async () => {
    const { simulatedCluster, openRunner, lakeFixture, lakeFiles, exportOnce } = await import('../../harness/export-harness.js');
    const sim = await simulatedCluster({ historyHours: 3, seed: 13 });
    const cluster = clusterConfig('analytics', ['stl_query', 'query_text']);
    const runner = await openRunner('pg', sim.db, cluster);
    const lake = await lakeFixture();
    try {
      const result = await exportOnce(lake, runner, cluster);
      const files = await lakeFiles(lake.lakeDir);
      const objects = result.tables.flatMap((table) => table.objects);
      expect(objects.length).toBeGreaterThan(2);
      expect(objects.map((object) => object.key).sort()).toEqual([...files.keys()].sort());
      for (const table of result.tables) {
        if (!isExportTableName(table.table)) throw new Error(`${table.table} is not a registry table`);
        expect(table.objects).toHaveLength(table.slotsWritten);
        expect(table.objects.reduce((sum, object) => sum + object.rows, 0)).toBe(table.rows);
        for (const object of table.objects) {
          expect(object.table).toBe(table.table);
          expect(object.partition.cluster).toBe('analytics');
          expect(object.key.startsWith(partitionPrefix(exportLakeTable(table.table), object.partition)), object.key).toBe(true);
          expect(object.bytes).toBe(files.get(object.key)?.length);
        }
      }
    } finally {
      await runner.close();
      await lake.close();
      await sim.close();
    }
  });
});
