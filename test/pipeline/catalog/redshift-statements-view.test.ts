import NodeSqlParser from 'node-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { glueViewInput, decodePrestoViewText } from '../../../pipeline/catalog/glue-view-input.js';
import { lakeViews } from '../../../pipeline/catalog/lake-views.js';
import { REDSHIFT_STATEMENTS_COLUMNS, redshiftStatementsView } from '../../../pipeline/catalog/redshift-statements-view.js';
import { collectRows, type QueryRow } from '../../../pipeline/ports/query-engine.js';
import type { SqlRunner } from '../../../pipeline/ports/sql-runner.js';
import { openLocalQueries, type LocalQueries } from '../../../pipeline/query/local-queries.js';
import { QueryLibrary } from '../../../pipeline/query/query-library.js';
import type { SimulatedCluster } from '../../../pipeline/simulators/redshift/index.js';
import { duckDbTypeText } from '../../../pipeline/tables/hive-type.js';
import { athenaLakeViewDdl } from '../../../pipeline/tables/lake-view.js';
import { lakeTable } from '../../../pipeline/tables/registry.js';
import {
  clusterConfig,
  exportOnce,
  lakeFixture,
  openRunner,
  readSourceView,
  simulatedCluster,
  type LakeFixture,
} from '../../harness/export-harness.js';
import { readFinalRows, workgroupConfig } from '../../harness/sys-export-harness.js';

const { Parser } = NodeSqlParser;
const VIEW = redshiftStatementsView();

/** The Trino functions the view may call (all documented Trino functions). */
const TRINO_FUNCTIONS = ['cast', 'coalesce', 'date_diff', 'max', 'max_by', 'nullif', 'sum'];

describe('redshift_statements for Athena', () => {
  it('is a lake view of every catalog, over the STL and SYS statement tables and query_text', () => {
    expect(lakeViews().map((view) => view.name)).toContain('redshift_statements');
    for (const table of VIEW.reads) expect(() => lakeTable(table), table).not.toThrow();
  });

  it('is parsed as Trino SQL by a real parser, as the Glue view definition holds it', () => {
    const parse = (sql: string) => new Parser().astify(sql, { database: 'trino' });
    expect(() => parse(VIEW.athenaSql)).not.toThrow();
    expect(() => parse(VIEW.athenaSql.replace('UNION ALL', 'UNION ALL ALL'))).toThrow();
    expect(() => parse(VIEW.athenaSql.replace('GROUP BY "cluster"', 'GROUP "cluster"'))).toThrow();
    expect(athenaLakeViewDdl(VIEW)).toBe(`CREATE OR REPLACE VIEW redshift_statements AS\n${VIEW.athenaSql}`);
  });

  it('calls only Trino functions and names only columns of the tables it reads', () => {
    const sql = VIEW.athenaSql;
    const functions = new Set([...sql.matchAll(/([A-Za-z_]+)\(/g)].map((match) => match[1]?.toLowerCase()));
    expect([...functions].sort()).toEqual(TRINO_FUNCTIONS);
    expect(sql).toContain('date_diff(\'millisecond\', q."starttime", q."endtime") * 1000');
    const known = new Set([
      ...VIEW.reads,
      ...VIEW.reads.flatMap((name) => [...lakeTable(name).columns, ...lakeTable(name).partitionKeys].map((column) => column.name)),
      ...VIEW.columns.map((column) => column.name),
      // Aliases of the aggregates it joins.
      ...['queue_time', 'execution_time', 'blocks_to_disk', 'spilled_blocks'],
    ]);
    const quoted = [...sql.matchAll(/"([a-z0-9_]+)"/g)].map((match) => match[1] ?? '');
    expect(quoted.filter((name) => !known.has(name))).toEqual([]);
  });

  it('declares to Glue the Trino types its SELECT gives, timestamps as Athena reads Parquet ones', () => {
    const input = glueViewInput(VIEW, { database: 'opslake' });
    const definition = decodePrestoViewText(input.ViewOriginalText) as {
      columns: Array<{ name: string; type: string }>;
      originalSql: string;
    };
    expect(definition.originalSql).toBe(VIEW.athenaSql);
    const types = Object.fromEntries(definition.columns.map((column) => [column.name, column.type]));
    expect(types).toMatchObject({ query_id: 'bigint', session_id: 'integer', start_time: 'timestamp(3)', text: 'varchar' });
    expect(input.StorageDescriptor.Columns.find((column) => column.Name === 'spilled_bytes')?.Type).toBe('bigint');
  });
});

/**
 * The view over a lake the exporter wrote: a provisioned cluster (STL) and a Serverless workgroup
 * (SYS) simulated for five hours and exported; the view must hold one row per statement of each,
 * as many as the simulators hold.
 */
describe('redshift_statements over an exported fleet', () => {
  let provisioned: SimulatedCluster;
  let serverless: SimulatedCluster;
  const runners: SqlRunner[] = [];
  let lake: LakeFixture;
  let local: LocalQueries;

  beforeAll(async () => {
    provisioned = await simulatedCluster({ name: 'analytics', historyHours: 5 });
    serverless = await simulatedCluster({ name: 'workgroup', deployment: 'serverless', historyHours: 5, seed: 7 });
    lake = await lakeFixture();
    for (const [sim, config] of [
      [provisioned, clusterConfig('analytics')],
      [serverless, workgroupConfig('workgroup')],
    ] as const) {
      const runner = await openRunner('pg', sim.db, config);
      runners.push(runner);
      expect((await exportOnce(lake, runner, config)).status).toBe('done');
    }
    local = await openLocalQueries({ lakeDir: lake.lakeDir, library: await QueryLibrary.load() });
  }, 300_000);

  afterAll(async () => {
    await local?.close();
    for (const runner of runners) await runner.close();
    await lake?.close();
    await provisioned?.close();
    await serverless?.close();
  });

  const rows = async (sql: string): Promise<QueryRow[]> =>
    (await collectRows(local.engine.pages({ name: 'probe', sql, parameters: [] }))).rows;

  it('has one row per statement of each dialect: every stl_query row and every final sys_query_history row', async () => {
    const counted = await rows(
      'SELECT cluster, kind, dialect, count(*) AS n, count(DISTINCT query_id) AS ids FROM redshift_statements GROUP BY ALL ORDER BY ALL',
    );
    const stl = (await readSourceView(provisioned.db, 'stl_query')).length;
    const sys = (await readFinalRows(serverless.db, 'sys_query_history')).length;
    expect(stl).toBeGreaterThan(100);
    expect(sys).toBeGreaterThan(100);
    expect(counted).toEqual([
      { cluster: 'analytics', kind: 'provisioned', dialect: 'stl', n: stl, ids: stl },
      { cluster: 'workgroup', kind: 'serverless', dialect: 'sys', n: sys, ids: sys },
    ]);
  });

  it('is typed in DuckDB as it is declared', async () => {
    const described = await rows('DESCRIBE redshift_statements');
    expect(described.map((row) => [row.column_name, row.column_type])).toEqual(
      REDSHIFT_STATEMENTS_COLUMNS.map((column) => [column.name, duckDbTypeText(column.type)]),
    );
  });

  it('gives every statement its text and fingerprint, its queue on STL, and the spill where it is known', async () => {
    const [summary] = await rows(
      `SELECT count_if(fingerprint IS NULL OR text IS NULL) AS untexted,
              count_if(dialect = 'stl' AND queue IS NOT NULL) AS queued,
              count_if(spilled_bytes > 0) AS spilled,
              count_if(dialect = 'stl' AND spilled_bytes IS NULL) AS stl_unknown,
              count_if(elapsed_time < 0 OR execution_time < 0) AS negative
       FROM redshift_statements`,
    );
    expect(summary).toMatchObject({ untexted: 0, negative: 0 });
    expect(Number(summary?.queued)).toBeGreaterThan(0);
    expect(Number(summary?.spilled)).toBeGreaterThan(0);
    // Queries outside the user queues (short queries, superuser, maintenance) have no metrics row.
    expect(Number(summary?.stl_unknown)).toBeGreaterThan(0);
    const spill = await rows(
      `SELECT s.spilled_bytes, m.blocks_to_disk FROM redshift_statements s
       JOIN stl_query_metrics m ON m.cluster = s.cluster AND m.query = s.query_id AND m.segment = -1 AND m.step_type = -1
       WHERE s.dialect = 'stl' AND m.blocks_to_disk > 0`,
    );
    expect(spill.length).toBeGreaterThan(0);
    for (const row of spill) expect(Number(row.spilled_bytes)).toBe(Number(row.blocks_to_disk) * 1_048_576);
  });
});
