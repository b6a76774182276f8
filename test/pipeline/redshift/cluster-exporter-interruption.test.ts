import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_LEASE_MS } from '../../../pipeline/state/held-lease.js';
import type { SimulatedCluster } from '../../../pipeline/simulators/redshift/index.js';
import {
  clusterConfig,
  type LakeFixture,
  lakeFixture,
  lakeFiles,
  openRunner,
  SETTINGS,
  simulatedCluster,
} from '../../harness/export-harness.js';

let sim: SimulatedCluster;
let fixture: LakeFixture;
const cluster = clusterConfig('analytics', ['stl_query', 'stl_wlm_query']);

beforeAll(async () => {
  sim = await simulatedCluster({ historyHours: 4 });
  fixture = await lakeFixture();
});
afterAll(async () => {
  await fixture?.close();
  await sim?.close();
});

describe('ClusterExporter interrupted and taken over', () => {
  it('stops before the next slot once its signal is aborted, commits what it wrote, releases its lease; the next run goes on', async () => {
    const runner = await openRunner('pg', sim.db, cluster);
    try {
      const controller = new AbortController();
      let slots = 0;
      const exporter = await fixture.exporter(runner, {
        onEvent: (event) => {
          if (event.type !== 'slot-written') return;
          slots += 1;
          if (slots === 2) controller.abort();
        },
      });
      const stopped = await exporter.export({ cluster, settings: SETTINGS, signal: controller.signal });
      expect(stopped.status).toBe('interrupted');
      expect(stopped.message).toMatch(/interrupted while exporting stl_query; the slots written before are committed/);
      expect(stopped.tables.map((table) => table.slotsExported)).toEqual([2]);
      // The summary's counts are the lake's: one object per slot written, nothing else.
      const objects = [...(await lakeFiles(fixture.lakeDir)).keys()].filter((key) => key.endsWith('.parquet'));
      expect(objects).toHaveLength(stopped.tables.reduce((sum, table) => sum + table.slotsWritten, 0));
      const mark = await fixture.state.getWatermark({ cluster: 'analytics', table: 'stl_query' });
      expect(mark.sealedThrough).toEqual(stopped.tables[0]?.sealedThrough);
      // The lease is free: another owner takes it at once.
      const other = await fixture.state.acquireLease('cluster#analytics', 'someone-else', RUN_LEASE_MS, new Date());
      await fixture.state.releaseLease(other);

      const before = (await lakeFiles(fixture.lakeDir)).size;
      const rest = await (await fixture.exporter(runner)).export({ cluster, settings: SETTINGS });
      expect(rest.status).toBe('done');
      expect((await lakeFiles(fixture.lakeDir)).size).toBeGreaterThan(before);
    } finally {
      await runner.close();
    }
  }, 300_000);

  it('reports lease-held while a killed run lease lasts, and takes it over on purpose, naming the holder first', async () => {
    const runner = await openRunner('pg', sim.db, cluster);
    try {
      await fixture.state.acquireLease('cluster#analytics', 'run-killed', RUN_LEASE_MS, new Date());
      const held = await (await fixture.exporter(runner)).export({ cluster, settings: SETTINGS });
      expect(held.status).toBe('lease-held');
      expect(held.message).toMatch(/another run \(run-killed\) holds the lease on cluster#analytics until .*, last renewed /);
      const shown: unknown[] = [];
      const taken = await (await fixture.exporter(runner, { onEvent: (event) => shown.push(event) })).export({
        cluster,
        settings: SETTINGS,
        takeOverLease: true,
      });
      expect(taken.status).toBe('done');
      expect(shown[0]).toMatchObject({ type: 'lease-taken-over', cluster: 'analytics', holder: 'run-killed' });
    } finally {
      await runner.close();
    }
  }, 300_000);
});
