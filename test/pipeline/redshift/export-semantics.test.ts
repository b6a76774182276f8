import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateConflictError } from '../../../pipeline/errors.js';
import { ClusterExporter, type ClusterExportResult } from '../../../pipeline/redshift/cluster-exporter.js';
import { slotFloor, parseUtc } from '../../../pipeline/redshift/slot-time.js';
import { ParquetWriter } from '../../../pipeline/lake/parquet-writer.js';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import type { SqlRunner } from '../../../pipeline/ports/sql-runner.js';
import type { SimulatedCluster } from '../../../pipeline/simulators/redshift/index.js';
import { DynamoDbStateStore } from '../../../pipeline/state/dynamodb-state-store.js';
import { LocalObjectStore } from '../../../pipeline/store/local-object-store.js';
import { startDynalite, type DynaliteServer } from '../../harness/dynalite-server.js';
import {
  clusterConfig,
  exportOnce,
  lakeFixture,
  openRunner,
  readLakeTable,
  readSourceView,
  SETTINGS,
  simulatedCluster,
  sortRows,
} from '../../harness/export-harness.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defined } from '../../harness/defined.js';

const cluster = clusterConfig('analytics', ['stl_query', 'stl_scan']);

describe('ClusterExporter lateness', () => {
  /** The same cluster, clock steps and runs each time; only the lateness differs. */
  async function exportWithLateness(latenessMinutes: number): Promise<{ lake: number; source: number }> {
    const sim = await simulatedCluster({ historyHours: 3, seed: 19 });
    const runner = await openRunner('pg', sim.db, cluster);
    const lake = await lakeFixture();
    try {
      const exporter = await lake.exporter(runner);
      // The simulator makes rows visible up to 10 minutes after their completion time.
      const run = () => exporter.export({ cluster, settings: { ...SETTINGS, latenessMinutes } });
      // Runs at 12:20, just after 13:00 (when slot 12:00-13:00 ends) and at 13:22.
      await run();
      await sim.advance(42);
      await run();
      await sim.advance(20);
      await run();
      const { rows } = await readLakeTable(lake.lakeDir, 'stl_query');
      return { lake: rows.length, source: (await readSourceView(sim.db, 'stl_query')).length };
    } finally {
      await runner.close();
      await lake.close();
      await sim.close();
    }
  }

  it('loses late rows when slots are sealed without waiting (lateness 0), which the comparison detects', async () => {
    const counts = await exportWithLateness(0);
    expect(counts.lake).toBeLessThan(counts.source);
  });

  it('never loses a row that appears late within the lateness (15 minutes)', async () => {
    const counts = await exportWithLateness(15);
    expect(counts.lake).toBe(counts.source);
  });
});

describe('ClusterExporter with DynamoDB state (dynalite)', () => {
  let dynalite: DynaliteServer;
  let sim: SimulatedCluster;
  let runner: SqlRunner;
  let dir: string;

  beforeAll(async () => {
    dynalite = await startDynalite();
    sim = await simulatedCluster({ historyHours: 2, seed: 3 });
    runner = await openRunner('pg', sim.db, cluster);
    dir = await mkdtemp(join(tmpdir(), 'opslake-dynamo-'));
  });
  afterAll(async () => {
    await runner.close();
    await sim.close();
    await dynalite.close();
  });

  async function exporter(owner: string, state: DynamoDbStateStore, onStep?: ConstructorParameters<typeof ClusterExporter>[0]['onStep']) {
    const { connection } = await openDuckDb();
    return new ClusterExporter({
      runner,
      lake: new LocalObjectStore(join(dir, owner)),
      state,
      writer: new ParquetWriter(connection),
      owner,
      ...(onStep ? { onStep } : {}),
    });
  }

  it('lets one of two concurrent exports of a cluster run and tells the other who holds the lease', async () => {
    const tableName = `state-${Date.now()}`;
    await dynalite.createStateTable(tableName);
    const state = new DynamoDbStateStore({ client: dynalite.documentClient(), tableName });
    let second: ClusterExportResult | undefined;
    const first = await (
      await exporter('run-a', state, async (step) => {
        // The second export starts while the first holds the lease.
        if (step === 'lease-acquired' && !second) second = await (await exporter('run-b', state)).export({ cluster, settings: SETTINGS });
      })
    ).export({ cluster, settings: SETTINGS });
    expect(first.status).toBe('done');
    expect(second?.status).toBe('lease-held');
    expect(second?.message).toContain('run-a');
    // Once the first is done, the lease is free again.
    expect((await (await exporter('run-b', state)).export({ cluster, settings: SETTINGS })).status).toBe('done');
  });

  it('rejects a stale watermark write and moves nothing', async () => {
    const tableName = `state-stale-${Date.now()}`;
    await dynalite.createStateTable(tableName);
    const state = new DynamoDbStateStore({ client: dynalite.documentClient(), tableName });
    const key = { cluster: 'analytics', table: 'stl_query' };
    const run = await exporter('run-c', state, async (step) => {
      // Another writer (one that ignored the lease) moves the watermark after this run read it.
      if (step === 'planned:stl_query') {
        const current = await state.getWatermark(key);
        await state.putWatermark(key, { sealedThrough: new Date('2026-11-20T08:00:00Z'), gaps: [] }, current.version);
      }
    });
    await expect(run.export({ cluster, settings: SETTINGS })).rejects.toBeInstanceOf(StateConflictError);
    const after = await state.getWatermark(key);
    expect(after.version).toBe(1);
    expect(after.sealedThrough).toEqual(new Date('2026-11-20T08:00:00Z'));
  });
});

describe('ClusterExporter and retention', () => {
  it('records a gap when a paused export finds its rows aged out, and goes on', async () => {
    const sim = await simulatedCluster({ historyHours: 3, seed: 29, retentionDays: 1 });
    const runner = await openRunner('pg', sim.db, cluster);
    const lake = await lakeFixture();
    try {
      const first = await exportOnce(lake, runner, cluster);
      const sealed = defined(first.tables.find((table) => table.table === 'stl_query')?.sealedThrough, 'the sealed slot');
      // The exporter is paused for 27 hours; the cluster keeps one day.
      await sim.advance(27 * 60);
      const oldest = await sim.db.query<{ oldest: string }>(
        "SELECT to_char(min(endtime), 'YYYY-MM-DD HH24:MI:SS') AS oldest FROM stl_query",
      );
      const resume = slotFloor(parseUtc(defined(oldest.rows[0], 'the oldest row').oldest), SETTINGS.slotMinutes);
      const second = await exportOnce(lake, runner, cluster);
      const table = defined(
        second.tables.find((candidate) => candidate.table === 'stl_query'),
        'the stl_query result',
      );
      expect(table.newGaps).toHaveLength(1);
      expect(table.newGaps[0]).toMatchObject({ from: sealed, to: resume });
      expect((await lake.state.getWatermark({ cluster: 'analytics', table: 'stl_query' })).gaps).toMatchObject([
        { from: sealed, to: resume },
      ]);
      // Everything the cluster still holds was exported after the gap.
      const { rows } = await readLakeTable(lake.lakeDir, 'stl_query');
      const source = await readSourceView(sim.db, 'stl_query');
      const lakeKeys = new Set(sortRows(rows));
      for (const row of sortRows(source)) expect(lakeKeys.has(row)).toBe(true);
      expect(second.status).toBe('done');
    } finally {
      await runner.close();
      await lake.close();
      await sim.close();
    }
  });
});
