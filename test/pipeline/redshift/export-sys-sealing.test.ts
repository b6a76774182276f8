import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterExportResult } from '../../../pipeline/redshift/cluster-exporter.js';
import type { SqlRunner } from '../../../pipeline/ports/sql-runner.js';
import type { SimulatedCluster } from '../../../pipeline/simulators/redshift/index.js';
import { exportOnce, lakeFixture, openRunner, readLakeTable, simulatedCluster, type LakeFixture } from '../../harness/export-harness.js';
import { columnIndex, workgroupConfig } from '../../harness/sys-export-harness.js';

/**
 * What holds SYS slots back besides lateness (DESIGN.md §3). A notebook on the simulated
 * workgroup finishes running at about 10:50 and then returns its rows to a slow client for half an
 * hour: its end time is 10:50 but its row becomes final after 11:15, when the 10:00 slot is past
 * its lateness. A rebuild runs from 09:25 for more than an hour (with seed 17, until about 11:34),
 * and the usage of the minutes it runs in is charged only when it ends.
 */
const START = new Date('2026-11-20T11:16:00Z');
const sealed = (result: ClusterExportResult, table: string) =>
  result.tables.find((candidate) => candidate.table === table)?.sealedThrough?.toISOString() ?? null;

describe('ClusterExporter on SYS views: slots held back by statements not final yet', () => {
  const cluster = workgroupConfig('workgroup');
  let sim: SimulatedCluster;
  let runner: SqlRunner;
  let lake: LakeFixture;
  let first: ClusterExportResult;
  let second: ClusterExportResult;
  let notebook: { query_id: string; status: string; end_time: string; final_pending: boolean };
  let rebuild: { query_id: string; status: string; start_time: string; end_time: string };

  beforeAll(async () => {
    sim = await simulatedCluster({ name: 'workgroup', deployment: 'serverless', historyHours: 3, seed: 17, start: START });
    runner = await openRunner('pg', sim.db, cluster);
    lake = await lakeFixture();
    const found = await sim.db.query<typeof notebook>(
      `SELECT h.query_id::text AS query_id, rtrim(h.status) AS status, to_char(h.end_time, 'YYYY-MM-DD HH24:MI:SS') AS end_time,
              EXISTS (SELECT 1 FROM opslake_sim_pending.sys_query_history p
                      WHERE p.query_id = h.query_id AND p.status = 'success') AS final_pending
       FROM sys_query_history h WHERE rtrim(h.query_label) = 'notebook' AND h.start_time >= '2026-11-20 10:00'`,
    );
    notebook = found.rows[0] ?? { query_id: '', status: '', end_time: '', final_pending: false };
    const running = await sim.db.query<typeof rebuild>(
      `SELECT query_id::text AS query_id, rtrim(status) AS status, to_char(start_time, 'YYYY-MM-DD HH24:MI') AS start_time,
              to_char(end_time, 'YYYY-MM-DD HH24:MI') AS end_time
       FROM sys_query_history WHERE rtrim(query_label) = 'long_rebuild' AND start_time >= '2026-11-20 09:00'`,
    );
    rebuild = running.rows[0] ?? { query_id: '', status: '', start_time: '', end_time: '' };
    first = await exportOnce(lake, runner, cluster);
    await sim.advance(45);
    second = await exportOnce(lake, runner, cluster);
  });

  afterAll(async () => {
    await runner?.close();
    await lake?.close();
    await sim?.close();
  });

  it('finds the notebook returning rows at 11:16, its end time in the 10:00 slot and its final row not visible yet', () => {
    expect(notebook).toMatchObject({ status: 'returning', final_pending: true });
    expect(notebook.end_time >= '2026-11-20 10:00:00' && notebook.end_time < '2026-11-20 11:00:00').toBe(true);
  });

  it('keeps the 10:00 slot open though it is past its lateness, while other views seal it', () => {
    expect(sealed(first, 'sys_query_history')).toBe('2026-11-20T10:00:00.000Z');
    expect(sealed(first, 'sys_query_text')).toBe('2026-11-20T10:00:00.000Z');
    expect(sealed(first, 'query_text')).toBe('2026-11-20T10:00:00.000Z');
    expect(sealed(first, 'sys_connection_log')).toBe('2026-11-20T11:00:00.000Z');
  });

  it('seals it once the notebook is over, with the notebook exported exactly once', async () => {
    expect(sealed(second, 'sys_query_history')).toBe('2026-11-20T11:00:00.000Z');
    const { rows } = await readLakeTable(lake.lakeDir, 'sys_query_history');
    const mine = rows.filter((row) => String(row[columnIndex('sys_query_history', 'query_id')]) === notebook.query_id);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.[columnIndex('sys_query_history', 'status')]).toBe('success');
  });

  it('keeps usage slots open while a statement that ran in them is open, and exports the charged minutes', async () => {
    expect(rebuild).toMatchObject({ status: 'running', start_time: expect.stringMatching(/^2026-11-20 09:2/) });
    // The rebuild began in the 09:00 slot: no usage slot from there on may be sealed while it runs.
    expect(sealed(first, 'sys_serverless_usage')).toBe('2026-11-20T09:00:00.000Z');
    const after = await sim.db.query<{ status: string }>('SELECT rtrim(status) AS status FROM sys_query_history WHERE query_id = $1', [
      rebuild.query_id,
    ]);
    expect(after.rows[0]?.status).toBe('success');
    expect(sealed(second, 'sys_serverless_usage')).toBe('2026-11-20T11:00:00.000Z');
    // Every minute the rebuild ran in was charged, and the lake holds the charged rows, not the first ones.
    const usage = await readLakeTable(lake.lakeDir, 'sys_serverless_usage');
    const at = (name: string) => columnIndex('sys_serverless_usage', name);
    const busy = usage.rows.filter((row) => {
      const minute = Number(row[at('start_time')]) / 1000;
      return minute >= Date.parse('2026-11-20T09:30:00Z') && minute < Date.parse('2026-11-20T10:30:00Z');
    });
    expect(busy).toHaveLength(60);
    for (const row of busy) expect(Number(row[at('charged_seconds')])).toBeGreaterThan(0);
  });
});
