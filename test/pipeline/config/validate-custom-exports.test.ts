import { describe, expect, it } from 'vitest';
import { SsmConfigSource } from '../../../pipeline/config/ssm-config-source.js';
import { ConfigError } from '../../../pipeline/errors.js';
import { cluster, failure, load, SOURCE } from './validate-config-support.js';
import { client, document, serve, useMockedSsm } from './ssm-config-source-support.js';

const GOOD_SQL =
  'SELECT q.query_id, q.end_time, q.elapsed_time FROM sys_query_history q WHERE q.end_time >= :slot_start AND q.end_time < :slot_end';

function withExport(entry: Record<string, unknown>): unknown {
  return { clusters: [cluster({ exports: [{ name: 'slow_queries', timeColumn: 'end_time', sql: GOOD_SQL, ...entry }] })] };
}

describe('validateCustomExports', () => {
  useMockedSsm();

  it('accepts a SELECT and a WITH ... SELECT, keeping the SQL as written', () => {
    const withClause = `WITH recent AS (SELECT * FROM stl_query WHERE endtime >= :slot_start AND endtime < :slot_end)
      SELECT query, endtime AS end_time, 'a;b' AS literal, "select;x" FROM recent -- a comment; with a semicolon`;
    const config = load({
      clusters: [
        cluster({
          exports: [
            { name: 'slow_queries', sql: GOOD_SQL, timeColumn: 'end_time' },
            { name: 'recent', sql: withClause, timeColumn: 'end_time' },
          ],
        }),
      ],
    });
    expect(config.clusters[0]?.exports).toEqual([
      { name: 'slow_queries', sql: GOOD_SQL, timeColumn: 'end_time' },
      { name: 'recent', sql: withClause, timeColumn: 'end_time' },
    ]);
  });

  it('gives a source without exports an empty list', () => {
    expect(load({ clusters: [cluster()] }).clusters[0]?.exports).toEqual([]);
  });

  const hostile: Array<{ what: string; sql: string; message: RegExp }> = [
    { what: 'two statements', sql: `${GOOD_SQL}; SELECT 1`, message: /semicolon/ },
    { what: 'a trailing semicolon', sql: `${GOOD_SQL};`, message: /semicolon/ },
    { what: 'DDL', sql: 'DROP TABLE stl_query', message: /starts with "DROP"/ },
    { what: 'DML after a SELECT', sql: `${GOOD_SQL} UNION ALL SELECT * FROM (DELETE FROM t RETURNING *)`, message: /DELETE/ },
    { what: 'a data-modifying WITH', sql: `WITH d AS (INSERT INTO t VALUES (1) RETURNING *) ${GOOD_SQL}`, message: /INSERT/ },
    { what: 'SELECT INTO', sql: GOOD_SQL.replace('FROM sys_query_history', 'INTO copy_of FROM sys_query_history'), message: /INTO/ },
    { what: 'a locking SELECT', sql: `${GOOD_SQL} FOR UPDATE`, message: /UPDATE/ },
    { what: 'a function that acts on other sessions', sql: `${GOOD_SQL} AND pg_terminate_backend(1)`, message: /pg_terminate_backend/ },
    { what: 'a comment hiding nothing but unterminated', sql: `${GOOD_SQL} /* ; DROP TABLE t`, message: /never closed/ },
    { what: 'a nested comment', sql: `${GOOD_SQL} /* /* */ ; DROP TABLE t -- */`, message: /inside a \/\* comment/ },
    { what: 'a second statement after a line comment', sql: `${GOOD_SQL} --x\n; DROP TABLE t`, message: /semicolon/ },
    {
      what: 'a backslash-escaped quote that hides code from one reader',
      sql: `${GOOD_SQL} AND 'a\\'' = ''; DROP TABLE t; --'`,
      message: /backslash/,
    },
    { what: 'an unterminated string literal', sql: `${GOOD_SQL} AND q.label = 'x`, message: /never closed/ },
    { what: 'dollar quoting', sql: `${GOOD_SQL} AND q.label = $$x$$`, message: /\$/ },
    { what: 'no :slot_start', sql: 'SELECT end_time FROM sys_query_history WHERE end_time < :slot_end', message: /:slot_start/ },
    {
      what: ':slot_start only inside a string',
      sql: "SELECT end_time, ':slot_start' FROM sys_query_history WHERE end_time < :slot_end",
      message: /:slot_start/,
    },
    { what: 'another parameter', sql: `${GOOD_SQL} AND q.user_id = :user`, message: /:user/ },
    { what: 'an empty text', sql: '   ', message: /empty/ },
    { what: 'a time column it never mentions', sql: GOOD_SQL.replaceAll('end_time', 'start_time'), message: /never mentions/ },
  ];

  it.each(hostile)('refuses $what, naming the sql parameter', ({ sql, message }) => {
    const error = failure(withExport({ sql }));
    expect(error.parameter).toBe(`${SOURCE}: clusters[0].exports[0].sql`);
    expect(error.message).toMatch(message);
  });

  it.each([
    { name: 'stl_query', message: /built-in/ },
    { name: 'query_text', message: /built-in/ },
    { name: 'Slow', message: /not a table name/ },
    { name: 'a-b', message: /not a table name/ },
    { name: 'x'.repeat(64), message: /not a table name/ },
  ])('refuses the name $name', ({ name, message }) => {
    const error = failure(withExport({ name }));
    expect(error.parameter).toBe(`${SOURCE}: clusters[0].exports[0].name`);
    expect(error.message).toMatch(message);
  });

  it('refuses a name used twice, a bad time column and unknown keys', () => {
    const twice = failure({ clusters: [cluster({ exports: [withEntry(), withEntry()] })] });
    expect(twice.parameter).toBe(`${SOURCE}: clusters[0].exports[1].name`);
    expect(failure(withExport({ timeColumn: 'End Time' })).parameter).toBe(`${SOURCE}: clusters[0].exports[0].timeColumn`);
    expect(failure(withExport({ query: 'x' })).message).toMatch(/unknown key "query"/);
    expect(failure({ clusters: [cluster({ exports: 'SELECT 1' })] }).parameter).toBe(`${SOURCE}: clusters[0].exports`);
  });

  it('refuses hostile SQL in an SSM document, naming the parameter, before anything is connected', async () => {
    const sql = `${GOOD_SQL} /* */; DROP TABLE stl_query`;
    const body = { kind: 'provisioned', dbUser: 'opslake', exports: [{ name: 'x', sql, timeColumn: 'end_time' }] };
    serve([document('/opslake/clusters/analytics', body)]);
    const error = await new SsmConfigSource({ client, lake: 's3://b/l', state: 'dynamodb://t' }).load().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).parameter).toBe('/opslake/clusters/analytics: exports[0].sql');
  });
});

function withEntry(): Record<string, unknown> {
  return { name: 'slow_queries', timeColumn: 'end_time', sql: GOOD_SQL };
}
