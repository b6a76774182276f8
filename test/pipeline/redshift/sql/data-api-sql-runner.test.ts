import { describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../../../../pipeline/config/opslake-config.js';
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { SqlStatementError } from '../../../../pipeline/errors.js';
import { DataApiSqlRunner } from '../../../../pipeline/redshift/sql/data-api-sql-runner.js';
import { ROWS, collect, expectedRow, operations, provisioned, setup, statement, useEventsDatabase } from './data-api-sql-runner-support.js';

useEventsDatabase();

const READS = [
  { resultFormat: 'json', read: 'GetStatementResult', other: 'GetStatementResultV2' },
  { resultFormat: 'csv', read: 'GetStatementResultV2', other: 'GetStatementResult' },
] as const;

describe.each(READS)('DataApiSqlRunner reading $resultFormat results', ({ resultFormat, read, other }) => {
  it(`streams a 2,500-row result as three pages of typed rows through ${read} when the page size is 1,000`, async () => {
    const { emulator, runner } = await setup({}, { resultFormat });

    const pages = await collect(runner.pages(statement('SELECT * FROM events ORDER BY id')));

    expect(pages.map((page) => page.length)).toEqual([1000, 1000, 500]);
    const rows = pages.flat();
    expect(rows).toEqual(Array.from({ length: ROWS }, (_, i) => expectedRow(i + 1)));
    expect(rows[0]).toMatchObject({ at: '2024-03-01 00:00:01.000001', big: '9007199254740994', label: 'r1      ' });
    expect(typeof rows[0]?.safe_big).toBe('number');
    expect(operations(emulator, read)).toHaveLength(3);
    expect(operations(emulator, other)).toHaveLength(0);
  });

  it('makes no further page call when the consumer stops after the first page', async () => {
    const { emulator, runner } = await setup({}, { resultFormat });

    let seen = 0;
    for await (const page of runner.pages(statement('SELECT * FROM events ORDER BY id'))) {
      seen += page.length;
      break;
    }

    expect(seen).toBe(1000);
    expect(operations(emulator, read)).toHaveLength(1);
  });

  it('yields nothing and reads no result when the statement has no result set', async () => {
    const { emulator, runner } = await setup({}, { resultFormat });

    const pages = await collect(runner.pages(statement('UPDATE events SET id = id WHERE id < 0')));

    expect(pages).toEqual([]);
    expect(operations(emulator, read)).toHaveLength(0);
  });

  it('yields nothing when the result set is empty', async () => {
    const { runner } = await setup({}, { resultFormat });

    const pages = await collect(runner.pages(statement('SELECT id FROM events WHERE id < 0')));

    expect(pages).toEqual([]);
  });
});

describe('DataApiSqlRunner', () => {
  it('binds named parameters, including a timestamp cast in the SQL, when the statement has them', async () => {
    const { emulator, runner } = await setup();
    const sql = [
      "SELECT id, at, ':not_a_parameter' AS literal, id::text AS id_text FROM events",
      'WHERE at >= CAST(:slot_start AS timestamp) AND at < CAST(:slot_end AS timestamp) AND id <> :skip',
      'ORDER BY id',
    ].join('\n');
    const parameters = { slot_start: '2024-03-01 00:00:10', slot_end: '2024-03-01 00:00:14.5', skip: '12' };

    const rows = (await collect(runner.pages(statement(sql, parameters)))).flat();

    expect(rows).toEqual([
      { id: 10, at: '2024-03-01 00:00:10.00001', literal: ':not_a_parameter', id_text: '10' },
      { id: 11, at: '2024-03-01 00:00:11.000011', literal: ':not_a_parameter', id_text: '11' },
      { id: 13, at: '2024-03-01 00:00:13.000013', literal: ':not_a_parameter', id_text: '13' },
      { id: 14, at: '2024-03-01 00:00:14.000014', literal: ':not_a_parameter', id_text: '14' },
    ]);
    expect(operations(emulator, 'ExecuteStatement')[0]?.input).toMatchObject({
      Sql: sql,
      Parameters: [
        { name: 'slot_start', value: '2024-03-01 00:00:10' },
        { name: 'slot_end', value: '2024-03-01 00:00:14.5' },
        { name: 'skip', value: '12' },
      ],
    });
  });

  it('polls with growing waits while the statement is SUBMITTED then STARTED, until it is FINISHED', async () => {
    const { emulator, runner, sleeps } = await setup({ describesBeforeFinished: 6 }, { pollMaxDelayMs: 1000 });

    const rows = (await collect(runner.pages(statement('SELECT 1 AS one')))).flat();

    expect(rows).toEqual([{ one: 1 }]);
    expect(operations(emulator, 'DescribeStatement')).toHaveLength(7);
    expect(sleeps).toEqual([250, 500, 1000, 1000, 1000, 1000, 1000]);
  });

  it.each([
    {
      case: 'a provisioned cluster with a database user',
      cluster: provisioned,
      expected: { ClusterIdentifier: 'analytics-prod', Database: 'dev', DbUser: 'opslake_reader' },
    },
    {
      case: 'a provisioned cluster with a secret, named like the source',
      cluster: {
        ...provisioned,
        name: 'finance',
        clusterIdentifier: undefined,
        auth: { type: 'secret', secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rs-AbCdEf' },
      } as ClusterConfig,
      expected: {
        ClusterIdentifier: 'finance',
        Database: 'dev',
        SecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rs-AbCdEf',
      },
    },
    {
      case: 'a serverless workgroup with IAM',
      cluster: {
        ...provisioned,
        name: 'adhoc',
        kind: 'serverless',
        clusterIdentifier: undefined,
        workgroupName: 'adhoc-wg',
        database: 'sales',
        auth: { type: 'iam' },
      } as ClusterConfig,
      expected: { WorkgroupName: 'adhoc-wg', Database: 'sales' },
    },
  ])('sends the right target and credentials fields for $case', async ({ cluster, expected }) => {
    const { emulator, client } = await setup();
    const runner = new DataApiSqlRunner({ client, cluster, resultFormat: 'json', sleep: async () => undefined });

    await collect(runner.pages(statement('SELECT 1 AS one')));

    const input = operations(emulator, 'ExecuteStatement')[0]?.input ?? {};
    const { Sql: _sql, ClientToken: _token, ...target } = input;
    expect(target).toEqual(expected);
  });

  it('refuses an int8 that reached it already rounded rather than pass on wrong digits', async () => {
    const client = {
      send: async (command: object) => {
        switch (command.constructor.name) {
          case 'ExecuteStatementCommand':
            return { Id: 'statement-1' };
          case 'DescribeStatementCommand':
            return { Id: 'statement-1', Status: 'FINISHED', HasResultSet: true };
          default:
            return { ColumnMetadata: [{ name: 'xid', typeName: 'int8' }], Records: [[{ longValue: 2 ** 60 }]] };
        }
      },
    } as unknown as RedshiftDataClient;
    const runner = new DataApiSqlRunner({ client, cluster: provisioned, resultFormat: 'json', sleep: async () => undefined });

    await expect(collect(runner.pages(statement('SELECT xid FROM t')))).rejects.toThrow(/xid \(int8\).*rounded/);
  });

  it('refuses statements after close', async () => {
    const { runner, emulator } = await setup();
    await runner.close();

    await expect(collect(runner.pages(statement('SELECT 1')))).rejects.toBeInstanceOf(SqlStatementError);
    expect(emulator.requests).toHaveLength(0);
  });
});
