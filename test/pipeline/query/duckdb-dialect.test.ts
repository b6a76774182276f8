import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import { DUCKDB_FUNCTION_NAMES, toDuckDbSql } from '../../../pipeline/query/duckdb-dialect.js';

let instance: DuckDBInstance;
let connection: DuckDBConnection;
beforeAll(async () => ({ instance, connection } = await openDuckDb()));
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

describe('toDuckDbSql', () => {
  it('renames the Trino functions DuckDB spells differently, where they are called', () => {
    expect(toDuckDbSql(`SELECT json_extract_scalar(a, '$.MFAUsed'), REGEXP_LIKE(b, '^x') , approx_percentile (c, 0.9) FROM t`)).toBe(
      `SELECT json_extract_string(a, '$.MFAUsed'), regexp_matches(b, '^x') , approx_quantile (c, 0.9) FROM t`,
    );
  });

  it('leaves the same words alone in literals, comments, quoted identifiers and as plain names', () => {
    const sql = `SELECT 'json_extract_scalar(x)' AS s, "regexp_like" AS q, regexp_like AS column_named_so -- json_extract_scalar(\nFROM t`;
    expect(toDuckDbSql(sql)).toBe(sql);
  });

  it('gives DuckDB functions that return what Trino returns for each renamed call', async () => {
    const trino = `SELECT
      json_extract_scalar('{"MFAUsed":"No","n":{"k":"v"}}', '$.MFAUsed') AS mfa,
      json_extract_scalar('{"n":{"k":"v"}}', '$.n.k') AS nested,
      json_extract_scalar('{"a":1}', '$.missing') AS missing,
      regexp_like('PutBucketPolicy', '^(Put|Delete)Bucket') AS matched,
      regexp_like('GetObject', '^(Put|Delete)Bucket') AS unmatched,
      approx_percentile(x, 0.5) AS median,
      approx_distinct(x) AS distinct_values
    FROM range(1, 102) AS t(x)`;
    const [row] = (await connection.runAndReadAll(toDuckDbSql(trino))).getRowObjectsJson();
    expect(row).toMatchObject({ mfa: 'No', nested: 'v', missing: null, matched: true, unmatched: false });
    expect(Number(row?.median)).toBeGreaterThanOrEqual(45);
    expect(Number(row?.median)).toBeLessThanOrEqual(56);
    expect(Number(row?.distinct_values)).toBeGreaterThan(90);
    expect(Object.keys(DUCKDB_FUNCTION_NAMES).every((name) => trino.includes(`${name}(`))).toBe(true);
  });
});
