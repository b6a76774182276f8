import { describe, expect, it } from 'vitest';
import { ClusterExporter } from '../../../pipeline/redshift/cluster-exporter.js';
import { partitionPrefix } from '../../../pipeline/lake/lake-layout.js';
import type { ParquetWriter } from '../../../pipeline/ports/parquet-writer.js';
import type { SqlRunner } from '../../../pipeline/ports/sql-runner.js';
import type { StateStore } from '../../../pipeline/ports/state-store.js';
import { MemoryObjectStore } from '../../fakes/memory-object-store.js';
import { exportLakeTable } from '../../../pipeline/tables/registry.js';
import { clusterConfig, SETTINGS } from '../../harness/export-harness.js';

describe('ClusterExporter', () => {
  it('refuses a Serverless workgroup with a message that says what to do, before touching anything', async () => {
    const untouched = new Proxy(
      {},
      {
        get: () => () => {
          throw new Error('must not be called');
        },
      },
    );
    const exporter = new ClusterExporter({
      runner: untouched as SqlRunner,
      state: untouched as StateStore,
      writer: untouched as ParquetWriter,
      lake: new MemoryObjectStore(),
    });
    const cluster = { ...clusterConfig('wg-one'), kind: 'serverless' as const, workgroupName: 'wg-one' };
    await expect(exporter.export({ cluster, settings: SETTINGS })).rejects.toThrow(/Serverless workgroup.*set enabled: false/);
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
