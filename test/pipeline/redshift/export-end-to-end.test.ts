import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlRunner } from '../../../pipeline/ports/sql-runner.js';
import type { SimulatedCluster } from '../../../pipeline/simulators/redshift/index.js';
import { EXPORT_TABLE_NAMES, exportColumns } from '../../../pipeline/tables/registry.js';
import { STL_VIEW_NAMES } from '../../../pipeline/tables/stl-views.js';
import {
  clusterConfig,
  exportOnce,
  lakeFixture,
  openRunner,
  readLakeTable,
  readSourceView,
  simulatedCluster,
  sortRows,
  type LakeFixture,
  type Transport,
} from '../../harness/export-harness.js';
import { defined } from '../../harness/defined.js';

const DUCKDB_TYPE: Record<string, string> = {
  INTEGER: 'INTEGER',
  BIGINT: 'BIGINT',
  TIMESTAMP: 'TIMESTAMP',
  VARCHAR: 'VARCHAR',
  SMALLINT: 'SMALLINT',
  DOUBLE: 'DOUBLE',
  BOOLEAN: 'BOOLEAN',
};

describe.each<Transport>(['pg', 'data-api'])('ClusterExporter end to end through %s', (transport) => {
  const cluster = clusterConfig('analytics');
  let sim: SimulatedCluster;
  let runner: SqlRunner;
  let lake: LakeFixture;

  beforeAll(async () => {
    sim = await simulatedCluster({ historyHours: 5 });
    runner = await openRunner(transport, sim.db, cluster);
    lake = await lakeFixture();
    // Three runs with the clock moving in between: sealed slots, re-exported open slots, late rows.
    await exportOnce(lake, runner, cluster);
    await sim.advance(40);
    await exportOnce(lake, runner, cluster);
    await sim.advance(25);
    const last = await exportOnce(lake, runner, cluster);
    expect(last.status).toBe('done');
  });

  afterAll(async () => {
    await runner?.close();
    await lake?.close();
    await sim?.close();
  });

  it.each(STL_VIEW_NAMES)('holds every visible source row of %s exactly once', async (view) => {
    const source = await readSourceView(sim.db, view);
    const { rows } = await readLakeTable(lake.lakeDir, view);
    expect(source.length).toBeGreaterThan(0);
    expect(rows).toHaveLength(source.length);
    expect(sortRows(rows)).toEqual(sortRows(source));
  });

  it.each(EXPORT_TABLE_NAMES)('writes %s with the registry types and in the partition of its own day', async (table) => {
    const { types, partitions } = await readLakeTable(lake.lakeDir, table);
    for (const column of exportColumns(table)) expect(types[column.name], column.name).toBe(DUCKDB_TYPE[column.type]);
    expect(types.cluster).toBe('VARCHAR');
    for (const partition of partitions) {
      expect(partition.cluster).toBe('analytics');
      if (partition.cursorDay !== null) expect(partition.day).toBe(partition.cursorDay);
    }
  });

  it('stitches one query_text row per statement, with its hash and fingerprint', async () => {
    const { rows } = await readLakeTable(lake.lakeDir, 'query_text');
    const names = exportColumns('query_text')
      .map((column) => column.name)
      .filter((name) => name !== 'exported_at');
    const byName = rows.map((row) => Object.fromEntries(names.map((name, index) => [name, row[index]])));
    const statements = await sim.db.query<{ kind: string; n: number }>(
      `SELECT 'query' AS kind, count(DISTINCT (query, xid))::int AS n FROM stl_querytext
       UNION ALL SELECT 'ddl', count(DISTINCT (xid, pid, starttime))::int FROM stl_ddltext
       UNION ALL SELECT 'utility', count(DISTINCT (xid, pid, starttime))::int FROM stl_utilitytext`,
    );
    for (const { kind, n } of statements.rows) {
      expect(
        byName.filter((row) => row.statement_kind === kind),
        kind,
      ).toHaveLength(n);
    }
    const { createHash } = await import('node:crypto');
    for (const row of byName) {
      const text = defined(row.text, 'the text of a statement');
      expect(row.sha256).toBe(createHash('sha256').update(text).digest('hex'));
      expect(Number(row.text_length)).toBe([...text].length);
      expect(row.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(row.text).not.toMatch(/ $/);
    }
    // The full text of the longest statement begins with its querytxt (cut at 4000 characters).
    const longest = await sim.db.query<{ query: number; querytxt: string }>(
      'SELECT query, rtrim(querytxt) AS querytxt FROM stl_query ORDER BY length(rtrim(querytxt)) DESC LIMIT 1',
    );
    const statement = defined(longest.rows[0], 'the longest statement');
    const row = byName.find((candidate) => candidate.statement_kind === 'query' && Number(candidate.query) === statement.query);
    expect(row?.text?.replaceAll('\n', '\\n').startsWith(statement.querytxt.slice(0, 300))).toBe(true);
  });
});
