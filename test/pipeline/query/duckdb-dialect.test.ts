import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import { UnsupportedSqlError } from '../../../pipeline/errors.js';
import { toDuckDbSql } from '../../../pipeline/query/duckdb-dialect.js';
import { prepareDuckDbForTrino } from '../../../pipeline/query/duckdb-trino-macros.js';
import { TRINO_FUNCTIONS } from '../../../pipeline/query/trino-functions.js';

let instance: DuckDBInstance;
let connection: DuckDBConnection;
beforeAll(async () => {
  ({ instance, connection } = await openDuckDb());
  await prepareDuckDbForTrino(connection);
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

/** The value of a Trino expression, run on DuckDB through the dialect layer. */
async function value(trino: string): Promise<unknown> {
  const [row] = (await connection.runAndReadAll(toDuckDbSql(`SELECT ${trino} AS v`))).getRowObjectsJson();
  return row?.v;
}

async function rows(trino: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(toDuckDbSql(trino))).getRowObjectsJson() as Record<string, unknown>[];
}

/**
 * Each Trino function of the layer with results Trino gives for the same call (Trino's
 * documentation and its semantics: NULL where DuckDB would give '', whole units in date_diff).
 */
const KNOWN: ReadonlyArray<readonly [string, string, unknown]> = [
  ['json_extract', `json_extract('{"a":{"b":1}}', '$.a')`, '{"b":1}'],
  ['json_extract', `json_extract('{"a b":[1,2]}', '$["a b"][1]')`, '2'],
  ['json_extract_scalar', `json_extract_scalar('{"MFAUsed":"No"}', '$.MFAUsed')`, 'No'],
  ['json_extract_scalar', `json_extract_scalar('{"a":{"b":1}}', '$.a')`, null],
  ['json_extract_scalar', `json_extract_scalar('{"n":2.5,"t":true}', '$.n') || json_extract_scalar('{"t":true}', '$.t')`, '2.5true'],
  ['json_parse', `json_format(json_parse('{"a": [1, 2]}'))`, '{"a":[1,2]}'],
  ['json_format', `json_format(json_extract('{"a": {"b": "c"}}', '$.a'))`, '{"b":"c"}'],
  ['from_iso8601_timestamp', `from_iso8601_timestamp('2024-03-05T14:07:31Z')`, '2024-03-05 14:07:31'],
  ['from_iso8601_timestamp', `from_iso8601_timestamp('2024-03-05T14:07:31.250+02:00')`, '2024-03-05 12:07:31.25'],
  ['from_iso8601_date', `from_iso8601_date('2024-03-05')`, '2024-03-05'],
  ['date_parse', `date_parse('2024-03-05 14:07:31', '%Y-%m-%d %H:%i:%s')`, '2024-03-05 14:07:31'],
  ['date_parse', `date_parse('5/3/2024', '%e/%c/%Y')`, '2024-03-05 00:00:00'],
  ['date_format', `date_format(TIMESTAMP '2024-03-05 14:07:31', '%Y-%m-%dT%H:%i:%sZ')`, '2024-03-05T14:07:31Z'],
  ['date_format', `date_format(TIMESTAMP '2024-03-05 14:07:31', '%W %M %e, %Y %r')`, 'Tuesday March 5, 2024 02:07:31 PM'],
  ['to_unixtime', `to_unixtime(TIMESTAMP '2024-03-05 14:07:31')`, 1709647651],
  ['from_unixtime', `from_unixtime(1709647651)`, '2024-03-05 14:07:31'],
  ['date_add', `date_add('day', 2, TIMESTAMP '2024-03-05 14:07:31')`, '2024-03-07 14:07:31'],
  ['date_add', `date_add('hour', -3, TIMESTAMP '2024-03-05 01:00:00')`, '2024-03-04 22:00:00'],
  ['date_add', `date_add('quarter', 1, TIMESTAMP '2024-03-05 00:00:00')`, '2024-06-05 00:00:00'],
  ['date_add', `date_add('millisecond', 500, TIMESTAMP '2024-03-05 00:00:00')`, '2024-03-05 00:00:00.5'],
  ['date_diff', `date_diff('day', TIMESTAMP '2024-03-01 23:00:00', TIMESTAMP '2024-03-02 01:00:00')`, '0'],
  ['date_diff', `date_diff('hour', TIMESTAMP '2024-03-01 23:00:00', TIMESTAMP '2024-03-02 01:30:00')`, '2'],
  ['date_diff', `date_diff('month', TIMESTAMP '2024-01-15 00:00:00', TIMESTAMP '2024-03-14 00:00:00')`, '1'],
  ['now', `date_diff('second', now(), current_timestamp) = 0 AND typeof(now()) = 'TIMESTAMP'`, true],
  ['day_of_week', `day_of_week(DATE '2024-03-03')`, '7'],
  ['dow', `dow(DATE '2024-03-04')`, '1'],
  ['day_of_year', `day_of_year(DATE '2024-02-01')`, '32'],
  ['doy', `doy(DATE '2024-12-31')`, '366'],
  ['regexp_like', `regexp_like('AccessDenied', 'Denied$')`, true],
  ['regexp_like', `regexp_like('GetObject', '^(Put|Delete)')`, false],
  ['regexp_extract', `regexp_extract('arn:aws:iam::123456789012:user/alice', '::(\\d+):', 1)`, '123456789012'],
  ['regexp_extract', `regexp_extract('arn:aws:iam::123456789012:user/alice', 'user/\\w+')`, 'user/alice'],
  ['regexp_extract', `regexp_extract('arn:aws:iam::123456789012:root', 'user/\\w+')`, null],
  ['regexp_replace', `regexp_replace('a1b22c333', '\\d+')`, 'abc'],
  ['regexp_replace', `regexp_replace('alice@example.com', '(\\w+)@(.+)', '$2/$1')`, 'example.com/alice'],
  ['split_part', `split_part('arn:aws:iam::123456789012:root', ':', 5)`, '123456789012'],
  ['split_part', `split_part('a:b', ':', 4)`, null],
  ['replace', `replace('arn:aws:s3:::example/datafile.txt', 'arn:aws:s3:::')`, 'example/datafile.txt'],
  ['replace', `replace('a-b-c', '-', '/')`, 'a/b/c'],
  ['cardinality', `cardinality(ARRAY['a', 'b', 'c'])`, '3'],
  ['cardinality', `cardinality(MAP(ARRAY['a', 'b'], ARRAY[1, 2]))`, '2'],
  ['contains', `contains(ARRAY['s3.amazonaws.com', 'iam.amazonaws.com'], 'iam.amazonaws.com')`, true],
  ['contains', `contains(ARRAY[1, 2], 3)`, false],
  ['element_at', `element_at(ARRAY['a', 'b', 'c'], 2) || element_at(ARRAY['a', 'b', 'c'], -1)`, 'bc'],
  ['element_at', `element_at(ARRAY['a'], 5)`, null],
  ['element_at', `element_at(MAP(ARRAY['k'], ARRAY['v']), 'k')`, 'v'],
  ['array_join', `array_join(ARRAY['a', 'b'], ',')`, 'a,b'],
  ['approx_distinct', `(SELECT approx_distinct(x) BETWEEN 95 AND 105 FROM range(1, 101) AS t(x))`, true],
  ['approx_percentile', `(SELECT approx_percentile(x, 0.5) BETWEEN 45 AND 56 FROM range(1, 102) AS t(x))`, true],
  ['approx_percentile', `(SELECT cardinality(approx_percentile(x, ARRAY[0.1, 0.9])) FROM range(1, 102) AS t(x))`, '2'],
  ['arbitrary', `(SELECT arbitrary(x) FROM (VALUES ('only')) AS t(x))`, 'only'],
];

describe('toDuckDbSql', () => {
  it('has a known result for every Trino function it rewrites', () => {
    expect(new Set(KNOWN.map(([name]) => name))).toEqual(new Set(Object.keys(TRINO_FUNCTIONS)));
  });

  it.each(KNOWN.map(([name, trino, expected]) => ({ name, trino, expected })))('$name: $trino', async ({ trino, expected }) => {
    expect(await value(trino)).toEqual(expected);
  });

  it('keeps the functions that mean the same in both engines: count_if, try, try_cast', async () => {
    expect(await value('(SELECT count_if(x > 50) FROM range(1, 101) AS t(x))')).toBe('50');
    expect(await value(`try(CAST('x' AS integer))`)).toBeNull();
    expect(await value(`try(CAST('12' AS integer)) + 1`)).toBe(13);
    expect(await value(`try_cast('x' AS bigint)`)).toBeNull();
    expect(await value(`try_cast('2024-03-05' AS date)`)).toBe('2024-03-05');
  });

  it('spells CAST targets as DuckDB types, casts to JSON as Trino does, and a JSON string to VARCHAR as its value', async () => {
    expect(await value(`CAST('abc' AS JSON)`)).toBe('"abc"');
    expect(await value('CAST(ARRAY[1, 2] AS JSON)')).toBe('[1,2]');
    expect(await value(`CAST(MAP(ARRAY['a'], ARRAY[1]) AS JSON)`)).toBe('{"a":1}');
    expect(await value(`CAST(json_extract('{"bucketName":"logs"}', '$.bucketName') AS varchar)`)).toBe('logs');
    expect(await value(`CAST(json_extract('{"a":[1,2]}', '$.a') AS ARRAY(integer))`)).toEqual([1, 2]);
    expect(await value(`CAST(json_parse('{"a":"1"}') AS MAP(varchar, varchar))['a']`)).toBe('1');
    expect(await value(`CAST(ROW('x', 2) AS ROW(name varchar, n bigint)).name`)).toBe('x');
    expect(await value(`CAST('2024-03-05 14:07:31.123' AS timestamp(3))`)).toBe('2024-03-05 14:07:31.123');
    expect(await value(`CAST(7 AS double) / 2`)).toBe(3.5);
  });

  it('divides integers as Trino does', async () => {
    expect(await value('7 / 2')).toBe(3);
  });

  it('does interval arithmetic on timestamps as Trino does', async () => {
    expect(await value(`TIMESTAMP '2024-03-05 14:00:00' - INTERVAL '90' MINUTE`)).toBe('2024-03-05 12:30:00');
    expect(await value(`date_trunc('hour', TIMESTAMP '2024-03-05 14:35:00') + interval '1' day`)).toBe('2024-03-06 14:00:00');
    expect(await value(`from_iso8601_timestamp('2024-03-05T14:07:31Z') > now() - INTERVAL '7' DAY`)).toBe(false);
    expect(await value(`current_timestamp - INTERVAL '1' HOUR < localtimestamp`)).toBe(true);
  });

  it('reads ROW fields with dots, through table aliases and nested rows, whatever their case', async () => {
    const found = await rows(`
      SELECT t.useridentity.sessioncontext.sessionissuer.arn AS arn, useridentity.TYPE AS type
      FROM (SELECT CAST(ROW('AssumedRole', ROW(ROW('arn:aws:iam::1:role/r'))) AS
        ROW(type varchar, sessioncontext ROW(sessionissuer ROW(arn varchar)))) AS useridentity) t`);
    expect(found).toEqual([{ arn: 'arn:aws:iam::1:role/r', type: 'AssumedRole' }]);
  });

  it('unnests as Trino does: one array, with ordinality, arrays of rows into columns, several arrays side by side', async () => {
    const resources = `CAST(ARRAY[ROW('a1', '111'), ROW('a2', '222')] AS ARRAY(ROW(arn varchar, account varchar)))`;
    const from = `(SELECT 1 AS id, ${resources} AS resources, ARRAY['x', 'y', 'z'] AS names) t`;
    expect(await rows(`SELECT n FROM ${from} CROSS JOIN UNNEST(t.names) AS u(n) ORDER BY n`)).toEqual([{ n: 'x' }, { n: 'y' }, { n: 'z' }]);
    expect(await rows(`SELECT n, i FROM ${from} CROSS JOIN UNNEST(names) WITH ORDINALITY AS u(n, i) ORDER BY i`)).toEqual([
      { n: 'x', i: '1' },
      { n: 'y', i: '2' },
      { n: 'z', i: '3' },
    ]);
    const expanded = await rows(`SELECT arn, account FROM ${from} CROSS JOIN UNNEST(resources) AS r(arn, account) ORDER BY 1`);
    expect(expanded).toEqual([
      { arn: 'a1', account: '111' },
      { arn: 'a2', account: '222' },
    ]);
    expect(await rows(`SELECT x, n FROM ${from}, UNNEST(ARRAY[1, 2], names) AS z(x, n) ORDER BY n`)).toEqual([
      { x: 1, n: 'x' },
      { x: 2, n: 'y' },
      { x: null, n: 'z' },
    ]);
    const entry = await rows(`SELECT e.arn FROM ${from} CROSS JOIN UNNEST(t.resources) unnested (e) ORDER BY 1`);
    expect(entry).toEqual([{ arn: 'a1' }, { arn: 'a2' }]);
  });

  it('leaves the same words alone in literals, comments, quoted identifiers and as plain names', () => {
    const sql = `SELECT 'json_extract_scalar(x)' AS s, "regexp_like" AS q, regexp_like AS plain, t.contains -- replace(a, b)\nFROM t`;
    expect(toDuckDbSql(sql)).toBe(sql);
  });

  it('keeps every line on its line, so errors point at the line written', async () => {
    const trino = [
      'SELECT',
      '  date_format(',
      "    from_iso8601_timestamp('2024-03-05T14:07:31Z'),",
      "    '%Y-%m-%d'",
      '  ) AS day,',
      "  split_part('a:b', ':', 2) AS part,",
      '  missing_column',
    ].join('\n');
    const duck = toDuckDbSql(trino);
    expect(duck.split('\n')).toHaveLength(7);
    await expect(connection.run(duck)).rejects.toThrow(/LINE 7:/);
  });

  it('refuses what it cannot translate, naming the function and its line', () => {
    const refused = (sql: string) => {
      try {
        toDuckDbSql(sql);
      } catch (error) {
        if (error instanceof UnsupportedSqlError) return [error.functionName, error.line, error.message];
        throw error;
      }
      return undefined;
    };
    expect(refused(`SELECT\n  eventname,\n  format_datetime(eventtime, 'yyyy-MM-dd')\nFROM t`)).toEqual([
      'format_datetime',
      3,
      expect.stringMatching(/^line 3: format_datetime: Joda-style formats are not translated: use date_format/),
    ]);
    expect(refused(`SELECT date_format(x, '%U') FROM t`)).toEqual(['date_format', 1, expect.stringContaining('%U has no DuckDB')]);
    expect(refused(`SELECT\ndate_format(x, fmt) FROM t`)).toEqual(['date_format', 2, expect.stringContaining('string literal')]);
    expect(refused(`SELECT date_add('fortnight', 1, x) FROM t`)).toEqual(['date_add', 1, expect.stringContaining('unit literal')]);
    expect(refused(`SELECT approx_percentile(x, w, 0.5) FROM t`)).toEqual(['approx_percentile', 1, expect.stringContaining('weight')]);
    expect(refused(`SELECT CAST(x AS ipaddress) FROM t`)).toEqual(['cast', 1, expect.stringContaining('ipaddress')]);
    expect(refused('SELECT * FROM t CROSS JOIN UNNEST(a, b) WITH ORDINALITY AS u(x, y, i)')?.[0]).toBe('unnest');
  });
});
