import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlRunner } from '../../../pipeline/ports/sql-runner.js';
import { fingerprint } from '../../../pipeline/redshift/fingerprint.js';
import type { SimulatedCluster } from '../../../pipeline/simulators/redshift/index.js';
import { dialectTables, exportColumns, SYS_VIEW_NAMES } from '../../../pipeline/tables/registry.js';
import type { RecordedRequest } from '../../harness/data-api-emulator.js';
import {
  exportOnce,
  lakeFixture,
  openRunner,
  readLakeTable,
  simulatedCluster,
  sortRows,
  type LakeFixture,
  type Transport,
} from '../../harness/export-harness.js';
import { columnIndex, openStatementIds, readFinalRows, workgroupConfig } from '../../harness/sys-export-harness.js';

const DUCKDB_TYPE: Record<string, string> = {
  INTEGER: 'INTEGER',
  BIGINT: 'BIGINT',
  TIMESTAMP: 'TIMESTAMP',
  VARCHAR: 'VARCHAR',
  SMALLINT: 'SMALLINT',
  DOUBLE: 'DOUBLE',
  BOOLEAN: 'BOOLEAN',
};

/**
 * A Serverless workgroup exported through its SYS views, end to end: the simulated workgroup's
 * statement rows change while they run, one statement runs from 12:25 for more than an hour (the
 * slot it started in is sealed while it runs), and the exports run at 12:20, 13:00, 13:22 and 15:02.
 */
describe.each<Transport>(['pg', 'data-api'])('ClusterExporter on a Serverless workgroup through %s', (transport) => {
  const cluster = workgroupConfig('workgroup');
  let sim: SimulatedCluster;
  let runner: SqlRunner & { readonly requests?: readonly RecordedRequest[] };
  let lake: LakeFixture;
  /** The rebuild that started at 12:25, still running at the 13:22 export. */
  let longRunner: string;
  let whileRunning: { sealedThrough: Date | null; historyIds: Set<string>; textIds: Set<string>; explainIds: Set<string> };
  let openAt1322: Set<string>;

  beforeAll(async () => {
    sim = await simulatedCluster({ name: 'workgroup', deployment: 'serverless', historyHours: 5, seed: 7 });
    runner = await openRunner(transport, sim.db, cluster);
    lake = await lakeFixture();
    await exportOnce(lake, runner, cluster);
    await sim.advance(40);
    await exportOnce(lake, runner, cluster);
    await sim.advance(22);
    const third = await exportOnce(lake, runner, cluster);
    expect(third.status).toBe('done');
    const long = await sim.db.query<{ query_id: string; status: string }>(
      `SELECT query_id::text AS query_id, rtrim(status) AS status FROM sys_query_history
       WHERE rtrim(query_label) = 'long_rebuild' AND start_time >= '2026-11-20 12:00'`,
    );
    expect(long.rows).toHaveLength(1);
    longRunner = long.rows[0]?.query_id ?? '';
    expect(long.rows[0]?.status).toBe('running');
    openAt1322 = await openStatementIds(sim.db);
    const ids = async (view: 'sys_query_history' | 'sys_query_text' | 'sys_query_explain') =>
      new Set((await readLakeTable(lake.lakeDir, view)).rows.map((row) => String(row[columnIndex(view, 'query_id')])));
    whileRunning = {
      sealedThrough: third.tables.find((table) => table.table === 'sys_query_history')?.sealedThrough ?? null,
      historyIds: await ids('sys_query_history'),
      textIds: await ids('sys_query_text'),
      explainIds: await ids('sys_query_explain'),
    };
    await sim.advance(100);
    expect((await exportOnce(lake, runner, cluster)).status).toBe('done');
  });

  afterAll(async () => {
    await runner?.close();
    await lake?.close();
    await sim?.close();
  });

  it.each(SYS_VIEW_NAMES)('holds every final row of %s exactly once', async (view) => {
    const source = await readFinalRows(sim.db, view);
    const { rows } = await readLakeTable(lake.lakeDir, view);
    expect(source.length, `${view} has rows in the simulated workgroup`).toBeGreaterThan(0);
    expect(rows).toHaveLength(source.length);
    expect(sortRows(rows)).toEqual(sortRows(source));
  });

  it('exports no row of a statement while it runs, though its text and plan are visible', async () => {
    expect(openAt1322.has(longRunner)).toBe(true);
    expect(openAt1322.size).toBeGreaterThan(0);
    const textVisible = await sim.db.query('SELECT 1 FROM sys_query_text WHERE query_id = $1', [longRunner]);
    expect(textVisible.rows.length).toBeGreaterThan(0);
    for (const ids of [whileRunning.historyIds, whileRunning.textIds, whileRunning.explainIds]) {
      for (const open of openAt1322) expect(ids.has(open), `statement ${open} was running at 13:22`).toBe(false);
    }
    const { rows } = await readLakeTable(lake.lakeDir, 'sys_query_history');
    const statuses = new Set(rows.map((row) => row[columnIndex('sys_query_history', 'status')]));
    expect([...statuses].sort()).toEqual(expect.arrayContaining(['success']));
    for (const status of statuses) expect(['success', 'failed', 'canceled']).toContain(status);
  });

  it('exports a statement that ended after the slot it started in was sealed, once, in the slot it ended in', async () => {
    // The 12:00 slot was sealed at 13:22 while the rebuild that started at 12:25 was running.
    expect(whileRunning.sealedThrough?.toISOString()).toBe('2026-11-20T13:00:00.000Z');
    const { rows, partitions } = await readLakeTable(lake.lakeDir, 'sys_query_history');
    const at = rows.flatMap((row, index) => (String(row[columnIndex('sys_query_history', 'query_id')]) === longRunner ? [index] : []));
    expect(at).toHaveLength(1);
    const row = rows[at[0] ?? -1] ?? [];
    expect(row[columnIndex('sys_query_history', 'status')]).toBe('success');
    const endUs = Number(row[columnIndex('sys_query_history', 'end_time')]);
    expect(endUs).toBeGreaterThan(Date.parse('2026-11-20T13:22:00Z') * 1000);
    expect(partitions[at[0] ?? -1]?.day).toBe('2026-11-20');
    for (const view of ['sys_query_text', 'sys_query_explain', 'sys_query_detail'] as const) {
      const ids = (await readLakeTable(lake.lakeDir, view)).rows.map((r) => String(r[columnIndex(view, 'query_id')]));
      const source = await sim.db.query(`SELECT 1 FROM ${view} WHERE query_id = $1`, [longRunner]);
      expect(
        ids.filter((id) => id === longRunner),
        view,
      ).toHaveLength(source.rows.length);
    }
  });

  it.each(dialectTables('sys', 'serverless'))('writes %s with the registry types and in the partition of its own day', async (table) => {
    const { types, partitions } = await readLakeTable(lake.lakeDir, table);
    for (const column of exportColumns(table)) expect(types[column.name], column.name).toBe(DUCKDB_TYPE[column.type]);
    for (const partition of partitions) {
      expect(partition.cluster).toBe('workgroup');
      if (partition.cursorDay !== null) expect(partition.day).toBe(partition.cursorDay);
    }
  });

  it('stitches one query_text row per final statement from its 4000-character pieces, fingerprinted as STL ones are', async () => {
    const { rows } = await readLakeTable(lake.lakeDir, 'query_text');
    const names = exportColumns('query_text')
      .map((column) => column.name)
      .filter((name) => name !== 'exported_at');
    const byName = rows.map((row) => Object.fromEntries(names.map((name, index) => [name, row[index]])));
    const final = await sim.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM sys_query_history WHERE status IN ('success', 'failed', 'canceled')`,
    );
    expect(byName).toHaveLength(final.rows[0]?.n ?? -1);
    expect(new Set(byName.map((row) => row.query_id)).size).toBe(byName.length);
    for (const row of byName) {
      expect(row.dialect).toBe('sys');
      expect(row.query).toBeNull();
      expect(row.fingerprint).toBe(fingerprint(row.text ?? ''));
    }
    expect(new Set(byName.map((row) => row.statement_kind))).toEqual(new Set(['query', 'ddl', 'utility']));
    // The longest statement spans two pieces; its text begins with the history's query_text (cut at 4000).
    const longest = await sim.db.query<{ query_id: string; query_text: string; pieces: number }>(
      `SELECT h.query_id::text AS query_id, rtrim(h.query_text) AS query_text,
              (SELECT count(*)::int FROM sys_query_text t WHERE t.query_id = h.query_id) AS pieces
       FROM sys_query_history h WHERE h.status = 'success' ORDER BY length(rtrim(h.query_text)) DESC LIMIT 1`,
    );
    const top = longest.rows[0];
    expect(top?.pieces).toBeGreaterThan(1);
    const row = byName.find((candidate) => candidate.query_id === top?.query_id);
    expect(Number(row?.chunks)).toBe(top?.pieces);
    expect(row?.text?.replaceAll('\n', '\\n').startsWith(top?.query_text.slice(0, 300) ?? '\u0000')).toBe(true);
  });

  it.runIf(transport === 'data-api')('reaches the workgroup by name with its IAM identity: no cluster, no database user', () => {
    const executes = (runner.requests ?? []).filter((request) => request.operation === 'ExecuteStatement');
    expect(executes.length).toBeGreaterThan(10);
    for (const request of executes) {
      expect(request.input).toMatchObject({ WorkgroupName: 'workgroup', Database: 'dev' });
      expect(request.input).not.toHaveProperty('ClusterIdentifier');
      expect(request.input).not.toHaveProperty('DbUser');
      expect(request.error).toBeUndefined();
    }
    // SYS only: a workgroup is never asked for an STL view, not even to probe.
    expect(executes.some((request) => String(request.input.Sql).includes('stl_'))).toBe(false);
  });
});
