import { CancelStatementCommand, type RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { describe, expect, it } from 'vitest';
import { ConnectionError, SqlStatementError, ThrottledError } from '../../../../pipeline/errors.js';
import { DataApiSqlRunner } from '../../../../pipeline/redshift/sql/data-api-sql-runner.js';
import { startDataApiEmulator } from '../../../harness/data-api-emulator.js';
import {
  closedPort,
  collect,
  db,
  open,
  operations,
  provisioned,
  setup,
  statement,
  testClient,
  useEventsDatabase,
} from './data-api-sql-runner-support.js';

useEventsDatabase();

describe('DataApiSqlRunner failures', () => {
  it('raises SqlStatementError with the statement id and the database message when the statement FAILED', async () => {
    const { emulator, runner } = await setup({ describesBeforeFinished: 1 });

    const error = await collect(runner.pages(statement('SELECT * FROM no_such_table'))).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SqlStatementError);
    const failure = error as SqlStatementError;
    const id = operations(emulator, 'ExecuteStatement')[0]?.statementId;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(failure.statementId).toBe(id);
    expect(failure.databaseMessage).toBe('relation "no_such_table" does not exist');
    expect(failure.message).toContain(id as string);
    expect(failure.message).toContain('relation "no_such_table" does not exist');
    expect(failure.retryable).toBe(false);
    expect(operations(emulator, 'GetStatementResult')).toHaveLength(0);
  });

  it('keeps parameter values out of the error when the database message quotes one', async () => {
    const { runner } = await setup();

    const error = await collect(
      runner.pages(statement('SELECT CAST(:slot_start AS timestamp) AS t', { slot_start: 'yesterday-ish-value' })),
    ).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SqlStatementError);
    expect((error as SqlStatementError).message).toContain('invalid input syntax for type timestamp');
    expect((error as SqlStatementError).message).toContain(':slot_start');
    expect((error as SqlStatementError).message).not.toContain('yesterday-ish-value');
    expect((error as SqlStatementError).databaseMessage).not.toContain('yesterday-ish-value');
  });

  it('raises a retryable SqlStatementError when the statement was ABORTED', async () => {
    const emulator = await startDataApiEmulator({ db, describesBeforeFinished: 2 });
    const client = testClient(emulator.endpoint);
    open.push({ emulator, client });
    // Someone else cancels the statement while the runner waits for it.
    const runner = new DataApiSqlRunner({
      client,
      cluster: provisioned,
      sleep: async () => {
        const id = operations(emulator, 'ExecuteStatement')[0]?.statementId;
        if (operations(emulator, 'CancelStatement').length === 0) await client.send(new CancelStatementCommand({ Id: id }));
      },
    });

    const error = await collect(runner.pages(statement('SELECT 1 AS one'))).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SqlStatementError);
    expect((error as SqlStatementError).message).toContain('aborted');
    expect((error as SqlStatementError).retryable).toBe(true);
  });

  it('cancels the statement and raises a retryable SqlStatementError when it runs past the timeout', async () => {
    const { emulator, runner, sleeps } = await setup({ describesBeforeFinished: 1_000 }, { statementTimeoutMs: 2_000 });

    const error = await collect(runner.pages(statement('SELECT 1 AS one'))).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SqlStatementError);
    const id = operations(emulator, 'ExecuteStatement')[0]?.statementId;
    expect((error as SqlStatementError).statementId).toBe(id);
    expect((error as SqlStatementError).retryable).toBe(true);
    expect(sleeps).toEqual([250, 500, 1000, 2000]);
    expect(operations(emulator, 'CancelStatement').map((request) => request.input)).toEqual([{ Id: id }]);
  });

  it('retries a throttled call with growing waits and then succeeds', async () => {
    const { emulator, runner, sleeps } = await setup();
    emulator.throttleNext('DescribeStatement', 2);
    emulator.throttleNext('GetStatementResult', 1, 'ActiveStatementsExceededException');

    const rows = (await collect(runner.pages(statement('SELECT 2 AS two')))).flat();

    expect(rows).toEqual([{ two: 2 }]);
    // One poll wait, two throttling waits before DescribeStatement, one before GetStatementResult.
    expect(sleeps).toEqual([250, 250, 500, 250]);
    expect(operations(emulator, 'DescribeStatement').map((request) => request.error)).toEqual([
      'ThrottlingException',
      'ThrottlingException',
      undefined,
    ]);
  });

  it('raises ThrottledError after the retry limit when the service keeps throttling', async () => {
    const { emulator, runner, sleeps } = await setup();
    emulator.throttleNext('ExecuteStatement', 7);

    const error = await collect(runner.pages(statement('SELECT 1 AS one'))).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as ThrottledError).retryable).toBe(true);
    expect((error as ThrottledError).message).toContain('ExecuteStatement');
    expect(sleeps).toEqual([250, 500, 1000, 2000, 4000, 5000]);
    expect(operations(emulator, 'ExecuteStatement')).toHaveLength(7);
    expect(operations(emulator, 'ExecuteStatement').every((request) => request.error === 'ThrottlingException')).toBe(true);
  });

  it('treats an SDK error flagged as throttling like a throttling exception', async () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'SomethingNew', $retryable: { throttling: true } });
    const sleeps: number[] = [];
    let calls = 0;
    const client = {
      send: async () => {
        calls += 1;
        throw throttled;
      },
    } as unknown as RedshiftDataClient;
    const runner = new DataApiSqlRunner({ client, cluster: provisioned, maxThrottleRetries: 2, sleep: async (ms) => void sleeps.push(ms) });

    const error = await collect(runner.pages(statement('SELECT 1'))).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as ThrottledError).cause).toBe(throttled);
    expect(calls).toBe(3);
    expect(sleeps).toEqual([250, 500]);
  });

  it('raises a non-retryable SqlStatementError naming the parameter when a value is missing', async () => {
    const { runner } = await setup();

    const error = await collect(runner.pages(statement('SELECT :slot_start AS s'))).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SqlStatementError);
    expect((error as SqlStatementError).message).toContain('ValidationException');
    expect((error as SqlStatementError).message).toContain(':slot_start');
    expect((error as SqlStatementError).retryable).toBe(false);
    expect((error as SqlStatementError).cause).toBeDefined();
  });

  it('raises ConnectionError when the service cannot be reached', async () => {
    const port = await closedPort();
    const client = testClient(`http://127.0.0.1:${port}`);
    const runner = new DataApiSqlRunner({ client, cluster: provisioned, sleep: async () => undefined });

    const error = await collect(runner.pages(statement('SELECT 1'))).catch((caught: unknown) => caught);
    client.destroy();

    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).retryable).toBe(true);
    expect((error as ConnectionError).message).toContain('analytics');
  });

  it.each([
    { name: 'AccessDeniedException', retryable: false, hint: 'check that the role may redshift-data:ExecuteStatement on analytics' },
    { name: 'ExpiredTokenException', retryable: false, hint: 'redshift:GetClusterCredentials for a dbUser' },
    { name: 'DatabaseConnectionException', retryable: true, hint: 'could not connect to the database of analytics' },
  ])('raises ConnectionError (retryable: $retryable) with what to check for $name', async ({ name, retryable, hint }) => {
    const refused = Object.assign(new Error(`${name} from the Data API`), { name, $metadata: { httpStatusCode: 400 } });
    const client = {
      send: async () => {
        throw refused;
      },
    } as unknown as RedshiftDataClient;
    const runner = new DataApiSqlRunner({ client, cluster: provisioned, sleep: async () => undefined });

    const error = await collect(runner.pages(statement('SELECT 1'))).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ retryable, cause: refused });
    expect((error as ConnectionError).hint).toContain(hint);
    expect((error as ConnectionError).message).toContain(`Redshift Data API ExecuteStatement on analytics failed: ${name} (400)`);
  });
});
