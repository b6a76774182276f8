import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import { QueryFailedError, UnsupportedSqlError } from '../../../pipeline/errors.js';
import { DuckDbQueryEngine } from '../../../pipeline/query/duckdb-query-engine.js';
import { collectRows } from '../../../pipeline/ports/query-engine.js';

let instance: DuckDBInstance;
let connection: DuckDBConnection;
beforeAll(async () => ({ instance, connection } = await openDuckDb()));
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

describe('DuckDbQueryEngine', () => {
  it('runs Athena SQL with its parameters bound by position and values typed as the contract says', async () => {
    const engine = new DuckDbQueryEngine({ connection });
    const result = await collectRows(
      engine.pages({
        name: 'probe',
        sql: `SELECT :who AS who, CAST(:at AS timestamp) + INTERVAL '1' HOUR AS later, :n + 1 AS next, 9007199254740993 AS big,
                     CAST(2.5 AS decimal(10, 2)) AS amount, 0.25 AS ratio, true AS flag, NULL AS nothing,
                     json_extract_scalar('{"MFAUsed":"No"}', '$.MFAUsed') AS mfa, :who = 'x''y' AS quoted`,
        parameters: [
          { name: 'who', type: 'string', value: "x'y" },
          { name: 'at', type: 'timestamp', value: '2024-03-05 10:00:00' },
          { name: 'n', type: 'integer', value: '41' },
        ],
      }),
    );
    expect(result.rows).toEqual([
      {
        who: "x'y",
        later: '2024-03-05 11:00:00',
        next: 42,
        big: '9007199254740993',
        amount: 2.5,
        ratio: 0.25,
        flag: true,
        nothing: null,
        mfa: 'No',
        quoted: true,
      },
    ]);
    expect(result.columns.map((column) => column.type)).toEqual([
      'VARCHAR',
      'TIMESTAMP',
      'HUGEINT',
      'BIGINT',
      'DECIMAL(10,2)',
      'DECIMAL(3,2)',
      'BOOLEAN',
      'INTEGER',
      'VARCHAR',
      'BOOLEAN',
    ]);
  });

  it('streams a large result in pages of one DuckDB chunk', async () => {
    const engine = new DuckDbQueryEngine({ connection });
    const sizes: number[] = [];
    for await (const page of engine.pages({ name: 'range', sql: 'SELECT x FROM range(5000) AS t(x)', parameters: [] }))
      sizes.push(page.rows.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2048);
  });

  it('yields the columns of an empty result and names the query when DuckDB refuses it', async () => {
    const engine = new DuckDbQueryEngine({ connection });
    expect(await collectRows(engine.pages({ name: 'empty', sql: 'SELECT 1 AS x WHERE false', parameters: [] }))).toEqual({
      columns: [{ name: 'x', type: 'INTEGER' }],
      rows: [],
    });
    const error = await collectRows(engine.pages({ name: 'broken', sql: 'SELECT nope FROM nowhere', parameters: [] })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(QueryFailedError);
    expect((error as Error).message).toMatch(/^broken failed in DuckDB: Catalog Error: Table with name nowhere does not exist/);
  });

  it('names a Trino function that DuckDB lacks and the layer does not translate, with its line, before or while it runs', async () => {
    const engine = new DuckDbQueryEngine({ connection });
    const run = (sql: string) => collectRows(engine.pages({ name: 'adhoc.sql', sql, parameters: [] })).catch((caught: unknown) => caught);
    const missing = await run(`SELECT\n  1 AS x,\n  url_extract_host('https://example.com/a') AS host`);
    expect(missing).toBeInstanceOf(UnsupportedSqlError);
    expect(missing).toMatchObject({ functionName: 'url_extract_host', line: 3 });
    expect((missing as Error).message).toMatch(/^adhoc\.sql: line 3: url_extract_host: is not a DuckDB function .*--engine athena/);
    const refused = await run(`SELECT\n  format_datetime(now(), 'yyyy')`);
    expect(refused).toMatchObject({ name: 'UnsupportedSqlError', functionName: 'format_datetime', line: 2 });
    expect((refused as Error).message).toMatch(/^adhoc\.sql: line 2: format_datetime: /);
  });
});
