import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { CancelStatementCommand, RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../../../../pipeline/config/opslake-config.js';
import { ConnectionError, SqlStatementError, ThrottledError } from '../../../../pipeline/errors.js';
import type { SqlRow, SqlStatement } from '../../../../pipeline/ports/sql-runner.js';
import { quoteUnsafeLongValues } from '../../../../pipeline/redshift/sql/data-api-exact-integers.js';
import { DataApiSqlRunner, type DataApiSqlRunnerOptions } from '../../../../pipeline/redshift/sql/data-api-sql-runner.js';
import { startDataApiEmulator, type DataApiEmulator, type DataApiEmulatorOptions } from '../../../harness/data-api-emulator.js';

const ROWS = 2_500;
const BIG_BASE = 9_007_199_254_740_993n; // 2^53 + 1

const provisioned: ClusterConfig = {
  name: 'analytics',
  kind: 'provisioned',
  clusterIdentifier: 'analytics-prod',
  database: 'dev',
  auth: { type: 'db-user', dbUser: 'opslake_reader' },
  tables: ['stl_query'],
  enabled: true,
  connection: { type: 'data-api' },
};

let db: PGlite;
const open: { emulator: DataApiEmulator; client: RedshiftDataClient }[] = [];

beforeAll(async () => {
  db = await PGlite.create();
  await db.exec(`
    CREATE TABLE events (
      id integer, big bigint, safe_big bigint, tiny smallint, at timestamp, label char(8),
      note varchar(40), ratio double precision, amount numeric(12,3), ok boolean
    );
    INSERT INTO events
    SELECT g,
           CASE WHEN g % 100 = 0 THEN NULL ELSE ${BIG_BASE} + g END,
           g * 1000,
           (g % 300)::smallint,
           CASE WHEN g % 250 = 0 THEN NULL
                ELSE timestamp '2024-03-01 00:00:00' + make_interval(secs => g) + (g || ' microseconds')::interval END,
           'r' || g,
           CASE WHEN g % 10 = 0 THEN NULL ELSE 'note ' || g END,
           g / 4.0,
           g * 1.5,
           CASE WHEN g % 3 = 0 THEN NULL ELSE g % 2 = 0 END
    FROM generate_series(1, ${ROWS}) AS g;
  `);
});

afterEach(async () => {
  for (const { emulator, client } of open.splice(0)) {
    client.destroy();
    await emulator.close();
  }
});

afterAll(async () => {
  await db.close();
});

interface Setup {
  emulator: DataApiEmulator;
  client: RedshiftDataClient;
  runner: DataApiSqlRunner;
  sleeps: number[];
}

async function setup(
  emulatorOptions: Omit<DataApiEmulatorOptions, 'db'> = {},
  runnerOptions: Partial<DataApiSqlRunnerOptions> = {},
): Promise<Setup> {
  const emulator = await startDataApiEmulator({ db, pageSize: 1000, describesBeforeFinished: 0, ...emulatorOptions });
  const client = testClient(emulator.endpoint);
  open.push({ emulator, client });
  const sleeps: number[] = [];
  const runner = new DataApiSqlRunner({
    client,
    cluster: provisioned,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...runnerOptions,
  });
  return { emulator, client, runner, sleeps };
}

function testClient(endpoint: string): RedshiftDataClient {
  // One attempt: the runner's own retry is what is under test.
  return new RedshiftDataClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

function statement(text: string, parameters: Record<string, string> = {}): SqlStatement {
  return { text, parameters };
}

async function collect(pages: AsyncIterable<readonly SqlRow[]>): Promise<(readonly SqlRow[])[]> {
  const out: (readonly SqlRow[])[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

function operations(emulator: DataApiEmulator, operation: string) {
  return emulator.requests.filter((request) => request.operation === operation);
}

/** The row generated for `g` above, typed as the SqlValue convention says. */
function expectedRow(g: number): SqlRow {
  const seconds = g;
  const time = `${String(Math.floor(seconds / 3600)).padStart(2, '0')}:${String(Math.floor(seconds / 60) % 60).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
  // PostgreSQL and Redshift print fractional seconds without trailing zeros.
  const fraction = String(g).padStart(6, '0').replace(/0+$/, '');
  return {
    id: g,
    big: g % 100 === 0 ? null : String(BIG_BASE + BigInt(g)),
    safe_big: g * 1000,
    tiny: g % 300,
    at: g % 250 === 0 ? null : `2024-03-01 ${time}.${fraction}`,
    label: `r${g}`.padEnd(8, ' '),
    note: g % 10 === 0 ? null : `note ${g}`,
    ratio: g / 4,
    amount: g * 1.5,
    ok: g % 3 === 0 ? null : g % 2 === 0,
  };
}

describe('DataApiSqlRunner', () => {
  it('streams a 2,500-row result as three pages of typed rows when the page size is 1,000', async () => {
    const { emulator, runner } = await setup();

    const pages = await collect(runner.pages(statement('SELECT * FROM events ORDER BY id')));

    expect(pages.map((page) => page.length)).toEqual([1000, 1000, 500]);
    const rows = pages.flat();
    expect(rows).toEqual(Array.from({ length: ROWS }, (_, i) => expectedRow(i + 1)));
    expect(rows[0]).toMatchObject({ at: '2024-03-01 00:00:01.000001', big: '9007199254740994', label: 'r1      ' });
    expect(typeof rows[0]?.safe_big).toBe('number');
    expect(operations(emulator, 'GetStatementResult')).toHaveLength(3);
  });

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
    const runner = new DataApiSqlRunner({ client, cluster, sleep: async () => undefined });

    await collect(runner.pages(statement('SELECT 1 AS one')));

    const input = operations(emulator, 'ExecuteStatement')[0]?.input ?? {};
    const { Sql: _sql, ClientToken: _token, ...target } = input;
    expect(target).toEqual(expected);
  });

  it('makes no further GetStatementResult call when the consumer stops after the first page', async () => {
    const { emulator, runner } = await setup();

    let seen = 0;
    for await (const page of runner.pages(statement('SELECT * FROM events ORDER BY id'))) {
      seen += page.length;
      break;
    }

    expect(seen).toBe(1000);
    expect(operations(emulator, 'GetStatementResult')).toHaveLength(1);
  });

  it('yields nothing and reads no result when the statement has no result set', async () => {
    const { emulator, runner } = await setup();

    const pages = await collect(runner.pages(statement('UPDATE events SET id = id WHERE id < 0')));

    expect(pages).toEqual([]);
    expect(operations(emulator, 'GetStatementResult')).toHaveLength(0);
  });

  it('yields nothing when the result set is empty', async () => {
    const { runner } = await setup();

    const pages = await collect(runner.pages(statement('SELECT id FROM events WHERE id < 0')));

    expect(pages).toEqual([]);
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
    const runner = new DataApiSqlRunner({ client, cluster: provisioned, sleep: async () => undefined });

    await expect(collect(runner.pages(statement('SELECT xid FROM t')))).rejects.toThrow(/xid \(int8\).*rounded/);
  });

  it('refuses statements after close', async () => {
    const { runner, emulator } = await setup();
    await runner.close();

    await expect(collect(runner.pages(statement('SELECT 1')))).rejects.toBeInstanceOf(SqlStatementError);
    expect(emulator.requests).toHaveLength(0);
  });
});

describe('quoteUnsafeLongValues', () => {
  const decode = (json: string) => new TextDecoder().decode(quoteUnsafeLongValues(new TextEncoder().encode(json)));

  it('quotes a longValue beyond 2^53 and leaves safe ones and string contents alone', () => {
    const body =
      '{"Records":[[{"longValue":9007199254740993},{"longValue": -9223372036854775808 },{"longValue":9007199254740991},{"stringValue":"\\"longValue\\":12345678901234567890"}]]}';

    expect(decode(body)).toBe(
      '{"Records":[[{"longValue":"9007199254740993"},{"longValue":"-9223372036854775808" },{"longValue":9007199254740991},{"stringValue":"\\"longValue\\":12345678901234567890"}]]}',
    );
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
