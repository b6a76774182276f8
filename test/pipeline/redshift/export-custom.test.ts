import { describe, expect, it } from 'vitest';
import { DuckDbCatalog } from '../../../pipeline/catalog/duckdb-catalog.js';
import type { ClusterConfig } from '../../../pipeline/config/opslake-config.js';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import { ConfigError } from '../../../pipeline/errors.js';
import { type CustomExport, customLakeTable } from '../../../pipeline/tables/custom-tables.js';
import { clusterConfig, lakeFixture, openRunner, SETTINGS, simulatedCluster, type Transport } from '../../harness/export-harness.js';

/**
 * A custom export end to end, through the wire protocol and the Data API emulator: the first run
 * learns the columns and the catalog table is created from them, later runs are incremental
 * with every row exactly once, a changed type is refused and an added column accepted.
 */

const SQL = `SELECT q.query, q.userid, q.endtime, trim(q.querytxt) AS text
FROM stl_query q
WHERE q.endtime >= :slot_start AND q.endtime <= :slot_end`;

function withExport(custom: Partial<CustomExport> = {}): ClusterConfig {
  const entry: CustomExport = { name: 'statements', sql: SQL, timeColumn: 'endtime', ...custom };
  return { ...clusterConfig('analytics', ['stl_query']), exports: [entry] };
}

/** The custom table as the DuckDB catalog declares it: its rows' query ids, in order. */
async function catalogRows(lakeDir: string, schema: Parameters<typeof customLakeTable>[0], select = 'query'): Promise<string[][]> {
  const { instance, connection } = await openDuckDb();
  try {
    await new DuckDbCatalog({ connection, lakeDir }).ensureTables([customLakeTable(schema)]);
    const result = await connection.runAndReadAll(`SELECT ${select} FROM custom_statements ORDER BY query`);
    return result.getRows().map((row) => row.map((value) => (value === null ? 'null' : String(value))));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe.each<Transport>(['pg', 'data-api'])('a custom export through %s', (transport) => {
  it('learns its columns, exports every row once across runs, refuses a type change and accepts an added column', async () => {
    const sim = await simulatedCluster({ historyHours: 3, seed: 21 });
    const lake = await lakeFixture();
    const runner = await openRunner(transport, sim.db, withExport());
    try {
      const exporter = await lake.exporter(runner);
      const first = await exporter.export({ cluster: withExport(), settings: SETTINGS });
      expect(first.status).toBe('done');
      expect(first.customTables?.map(({ table, change }) => [table.name, change])).toEqual([['custom_statements', 'created']]);
      const schema = await lake.state.getTableSchema('custom_statements');
      expect(schema?.columns.map((column) => `${column.name} ${column.type} ${column.sourceType}`)).toEqual([
        'query INTEGER int4',
        'userid INTEGER int4',
        'endtime TIMESTAMP timestamp',
        'text VARCHAR text',
      ]);
      if (!schema) throw new Error('no schema recorded');
      const custom = first.tables.find((table) => table.table === 'custom_statements');
      expect(custom?.rows).toBeGreaterThan(0);
      expect(custom?.slotsSealed).toBeGreaterThan(0);

      // Later runs: the clock moves on, new statements complete; each row is in the lake once,
      // although the SQL's own filter (<= :slot_end) also lets through rows of the next slot.
      await sim.advance(150);
      const second = await exporter.export({ cluster: withExport(), settings: SETTINGS });
      expect(second.customTables?.map(({ change }) => change)).toEqual(['unchanged']);
      const source = await sim.db.query<{ query: number }>('SELECT query FROM stl_query ORDER BY query');
      const lakeRows = await catalogRows(lake.lakeDir, schema);
      expect(lakeRows.map(([query]) => Number(query))).toEqual(source.rows.map((row) => row.query));
      const builtIn = second.tables.find((table) => table.table === 'stl_query');
      expect(builtIn?.sealedThrough).toEqual(second.tables.find((table) => table.table === 'custom_statements')?.sealedThrough);

      // A changed type is refused, naming the column, both types and what to do; nothing is recorded.
      const widened = withExport({ sql: SQL.replace('q.userid,', 'CAST(q.userid AS bigint) AS userid,') });
      const refused = await exporter.export({ cluster: widened, settings: SETTINGS }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ConfigError);
      expect((refused as ConfigError).message).toMatch(
        /analytics\.exports\.statements\.sql: returns userid as BIGINT \(int8\), but custom_statements holds it as INTEGER \(int4\); cast/,
      );
      expect((await lake.state.getTableSchema('custom_statements'))?.version).toBe(schema.version);

      // An added column extends the table; older files read it as NULL.
      await sim.advance(60);
      const extended = withExport({ sql: SQL.replace('q.endtime,', 'q.endtime, q.xid,') });
      const third = await exporter.export({ cluster: extended, settings: SETTINGS });
      expect(third.customTables?.map(({ change }) => change)).toEqual(['added']);
      const grown = await lake.state.getTableSchema('custom_statements');
      expect(grown?.columns.map((column) => column.name)).toEqual(['query', 'userid', 'endtime', 'text', 'xid']);
      if (!grown) throw new Error('no schema recorded');
      const withXid = await catalogRows(lake.lakeDir, grown, 'query, xid');
      const all = await sim.db.query<{ query: number }>('SELECT query FROM stl_query ORDER BY query');
      expect(withXid.map(([query]) => Number(query))).toEqual(all.rows.map((row) => row.query));
      expect(withXid.some(([, xid]) => xid !== 'null')).toBe(true);
    } finally {
      await runner.close();
      await lake.close();
      await sim.close();
    }
  }, 240_000);
});
