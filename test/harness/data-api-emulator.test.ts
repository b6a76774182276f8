import {
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
  type ExecuteStatementCommandInput,
} from '@aws-sdk/client-redshift-data';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDataApiEmulator, type DataApiEmulator, type DataApiEmulatorOptions } from './data-api-emulator.js';

let db: PGlite;
const open: { emulator: DataApiEmulator; client: RedshiftDataClient }[] = [];

beforeAll(async () => {
  db = await PGlite.create();
  await db.exec(`
    CREATE TABLE stl_query (query integer, label char(10), starttime timestamp, endtime timestamp, xid bigint);
    CREATE TABLE stl_querytext (query integer, sequence integer, text char(20));
    INSERT INTO stl_query
    SELECT g, 'q' || g, timestamp '2024-05-01 10:00:00' + make_interval(secs => g),
           timestamp '2024-05-01 10:00:00.000001' + make_interval(secs => g + 1), 9223372036854770000 + g
    FROM generate_series(1, 3000) AS g;
    INSERT INTO stl_querytext SELECT g, s, 'chunk ' || s FROM generate_series(1, 3000) AS g, generate_series(0, 1) AS s;
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

async function start(options: Omit<DataApiEmulatorOptions, 'db'> = {}): Promise<{ emulator: DataApiEmulator; client: RedshiftDataClient }> {
  const emulator = await startDataApiEmulator({ db, ...options });
  const client = new RedshiftDataClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  open.push({ emulator, client });
  return { emulator, client };
}

const TARGET = { ClusterIdentifier: 'sim-1', Database: 'dev', DbUser: 'reader' } as const;

async function execute(client: RedshiftDataClient, input: Partial<ExecuteStatementCommandInput>): Promise<string> {
  const output = await client.send(new ExecuteStatementCommand({ ...TARGET, Sql: 'SELECT 1', ...input }));
  return output.Id as string;
}

async function errorOf(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  return promise.then(
    () => ({ name: 'none', message: '' }),
    (error: Error) => ({ name: error.name, message: error.message }),
  );
}

describe('startDataApiEmulator', () => {
  it('reports SUBMITTED, then STARTED, then FINISHED with the result size when described', async () => {
    const { client } = await start({ describesBeforeFinished: 3 });
    const id = await execute(client, { Sql: 'SELECT query FROM stl_query WHERE query <= 5' });

    const described = [];
    for (let i = 0; i < 4; i += 1) described.push(await client.send(new DescribeStatementCommand({ Id: id })));

    expect(described.map((d) => d.Status)).toEqual(['SUBMITTED', 'STARTED', 'STARTED', 'FINISHED']);
    const finished = described[3];
    expect(finished).toMatchObject({
      Id: id,
      HasResultSet: true,
      ResultRows: 5,
      ClusterIdentifier: 'sim-1',
      DbUser: 'reader',
      Database: 'dev',
    });
    expect(finished?.CreatedAt).toBeInstanceOf(Date);
    expect(finished?.Duration).toBeGreaterThanOrEqual(0);
  });

  it('refuses a result before the statement is FINISHED', async () => {
    const { client } = await start({ describesBeforeFinished: 2 });
    const id = await execute(client, {});

    const error = await errorOf(client.send(new GetStatementResultCommand({ Id: id })));

    expect(error.name).toBe('ValidationException');
  });

  it('pages a held result with NextToken and types columns the Redshift way', async () => {
    const { client } = await start({ describesBeforeFinished: 0, pageSize: 1000 });
    const id = await execute(client, {
      Sql: [
        'SELECT q.query, q.label, rtrim(q.label) AS trimmed, q.endtime, q.xid, 1.5::numeric AS amount,',
        '0.25::float8 AS ratio, q.query % 2 = 0 AS even, CAST(NULL AS varchar) AS nothing, 7::smallint AS small',
        'FROM stl_query q',
        'WHERE EXISTS (SELECT 1 FROM stl_querytext t WHERE t.query = q.query AND t.sequence = 1)',
        'AND q.endtime >= CAST(:slot_start AS timestamp) ORDER BY q.query DESC',
      ].join('\n'),
      Parameters: [{ name: 'slot_start', value: '2024-05-01 10:00:00' }],
    });
    await client.send(new DescribeStatementCommand({ Id: id }));

    const pages = [];
    let token: string | undefined;
    do {
      const page = await client.send(new GetStatementResultCommand({ Id: id, NextToken: token }));
      pages.push(page);
      token = page.NextToken;
    } while (token !== undefined);

    expect(pages.map((page) => page.Records?.length)).toEqual([1000, 1000, 1000]);
    expect(pages.every((page) => page.TotalNumRows === 3000)).toBe(true);
    expect(pages[0]?.ColumnMetadata?.map((column) => [column.name, column.typeName])).toEqual([
      ['query', 'int4'],
      ['label', 'bpchar'],
      ['trimmed', 'text'],
      ['endtime', 'timestamp'],
      ['xid', 'int8'],
      ['amount', 'numeric'],
      ['ratio', 'float8'],
      ['even', 'bool'],
      ['nothing', 'varchar'],
      ['small', 'int2'],
    ]);
    expect(pages[0]?.Records?.[0]).toEqual([
      { longValue: 3000 },
      { stringValue: 'q3000     ' },
      { stringValue: 'q3000' },
      { stringValue: '2024-05-01 10:50:01.000001' },
      // Beyond 2^53: the JSON number the emulator writes is exact, the SDK's JSON.parse is not.
      { longValue: Number('9223372036854773000') },
      { stringValue: '1.5' },
      { doubleValue: 0.25 },
      { booleanValue: true },
      { isNull: true },
      { longValue: 7 },
    ]);
    expect(pages[2]?.Records?.at(-1)?.[0]).toEqual({ longValue: 1 });
  });

  it('fails the statement with the database message as Error when the SQL is wrong', async () => {
    const { client } = await start({ describesBeforeFinished: 0 });
    const id = await execute(client, { Sql: 'SELECT * FROM stl_nothing' });

    const described = await client.send(new DescribeStatementCommand({ Id: id }));

    expect(described).toMatchObject({ Status: 'FAILED', Error: 'relation "stl_nothing" does not exist', HasResultSet: false });
  });

  it('fails the next statement with the given message when asked to', async () => {
    const { emulator, client } = await start({ describesBeforeFinished: 0 });
    emulator.failNextStatement('ERROR: disk full');
    const failed = await execute(client, {});
    const next = await execute(client, {});

    expect((await client.send(new DescribeStatementCommand({ Id: failed }))).Error).toBe('ERROR: disk full');
    expect((await client.send(new DescribeStatementCommand({ Id: next }))).Status).toBe('FINISHED');
  });

  it.each([
    { case: 'no Database', input: { Database: undefined } },
    { case: 'both ClusterIdentifier and WorkgroupName', input: { WorkgroupName: 'wg' } },
    { case: 'neither ClusterIdentifier nor WorkgroupName', input: { ClusterIdentifier: undefined } },
    { case: 'a DbUser for a workgroup', input: { ClusterIdentifier: undefined, WorkgroupName: 'wg', DbUser: 'opslake' } },
    { case: 'a parameter with no value given', input: { Sql: 'SELECT :missing' } },
    { case: 'an empty parameter value', input: { Sql: 'SELECT :p', Parameters: [{ name: 'p', value: '' }] } },
  ])('rejects ExecuteStatement with ValidationException when it has $case', async ({ input }) => {
    const { emulator, client } = await start();

    const error = await errorOf(client.send(new ExecuteStatementCommand({ ...TARGET, Sql: 'SELECT 1', ...input })));

    expect(error.name).toBe('ValidationException');
    expect(emulator.requests.map((request) => request.error)).toEqual(['ValidationException']);
  });

  it('records each request with its operation and input, and the statement id it created', async () => {
    const { emulator, client } = await start({ describesBeforeFinished: 0 });
    await client.send(new ExecuteStatementCommand({ WorkgroupName: 'wg', Database: 'dev', SecretArn: 'arn:secret', Sql: 'SELECT 1' }));

    const [request] = emulator.requests;
    expect(request).toMatchObject({ operation: 'ExecuteStatement', input: { WorkgroupName: 'wg', SecretArn: 'arn:secret' } });
    expect(request?.statementId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('throttles the next calls of one operation with the requested error', async () => {
    const { emulator, client } = await start();
    emulator.throttleNext('ExecuteStatement', 1);
    emulator.throttleNext('ExecuteStatement', 1, 'ActiveStatementsExceededException');

    const first = await errorOf(execute(client, {}));
    const second = await errorOf(execute(client, {}));
    const third = await errorOf(execute(client, {}));

    expect([first.name, second.name, third.name]).toEqual(['ThrottlingException', 'ActiveStatementsExceededException', 'none']);
  });

  it('aborts a running statement when cancelled, and refuses to cancel it twice', async () => {
    const { client } = await start({ describesBeforeFinished: 5 });
    const id = await execute(client, {});

    const cancelled = await client.send(new CancelStatementCommand({ Id: id }));
    const again = await errorOf(client.send(new CancelStatementCommand({ Id: id })));

    expect(cancelled.Status).toBe(true);
    expect((await client.send(new DescribeStatementCommand({ Id: id }))).Status).toBe('ABORTED');
    expect(again.name).toBe('ValidationException');
  });

  it('answers ResourceNotFoundException when the statement id is unknown', async () => {
    const { client } = await start();

    const error = await errorOf(client.send(new DescribeStatementCommand({ Id: '00000000-0000-0000-0000-000000000000' })));

    expect(error.name).toBe('ResourceNotFoundException');
  });

  it('reports no result set and the affected rows when the statement is not a query', async () => {
    const { client } = await start({ describesBeforeFinished: 0 });
    const id = await execute(client, { Sql: 'UPDATE stl_querytext SET text = text WHERE query = 1' });

    const described = await client.send(new DescribeStatementCommand({ Id: id }));

    expect(described).toMatchObject({ Status: 'FINISHED', HasResultSet: false, ResultRows: 2 });
  });
});
