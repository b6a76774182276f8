import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  type ExecuteStatementCommandInput,
  GetStatementResultCommand,
  GetStatementResultV2Command,
  type GetStatementResultV2CommandOutput,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DataApiEmulator, type DataApiEmulatorOptions, startDataApiEmulator } from './data-api-emulator.js';

/** The emulator's CSV results (ResultFormat CSV, GetStatementResultV2), read with the real SDK client. */

let db: PGlite;
const open: { emulator: DataApiEmulator; client: RedshiftDataClient }[] = [];

beforeAll(async () => {
  db = await PGlite.create();
  await db.exec(`
    CREATE TABLE notes (id integer, body varchar(64), big bigint);
    INSERT INTO notes SELECT g, 'note ' || g || CASE WHEN g % 7 = 0 THEN ', "quoted"' || chr(10) || 'é' ELSE '' END,
      9223372036854770000 + g FROM generate_series(1, 500) AS g;
    INSERT INTO notes VALUES (501, NULL, NULL), (502, '', 0);
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

async function start(options: Omit<DataApiEmulatorOptions, 'db'> = {}): Promise<RedshiftDataClient> {
  const emulator = await startDataApiEmulator({ db, describesBeforeFinished: 0, ...options });
  const client = new RedshiftDataClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  open.push({ emulator, client });
  return client;
}

async function execute(client: RedshiftDataClient, input: Partial<ExecuteStatementCommandInput>): Promise<string> {
  const output = await client.send(
    new ExecuteStatementCommand({ ClusterIdentifier: 'sim-1', Database: 'dev', DbUser: 'reader', Sql: 'SELECT 1', ...input }),
  );
  await client.send(new DescribeStatementCommand({ Id: output.Id }));
  return output.Id as string;
}

async function csvPages(client: RedshiftDataClient, id: string): Promise<GetStatementResultV2CommandOutput[]> {
  const pages: GetStatementResultV2CommandOutput[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new GetStatementResultV2Command({ Id: id, NextToken: token }));
    pages.push(page);
    token = page.NextToken;
  } while (token !== undefined);
  return pages;
}

function csvOf(page: GetStatementResultV2CommandOutput): string {
  const records = page.Records ?? [];
  expect(records).toHaveLength(1);
  return records[0]?.CSVRecords ?? '';
}

async function errorOf(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  return promise.then(
    () => ({ name: 'none', message: '' }),
    (error: Error) => ({ name: error.name, message: error.message }),
  );
}

const ALL = 'SELECT id, body, big FROM notes ORDER BY id';

describe('the Data API emulator with ResultFormat CSV', () => {
  it('pages whole CSV records bounded by bytes, column names first on the first page only', async () => {
    const client = await start({ pageSize: Number.POSITIVE_INFINITY, pageBytes: 2048 });
    const id = await execute(client, { Sql: ALL, ResultFormat: 'CSV' });
    const described = await client.send(new DescribeStatementCommand({ Id: id }));
    expect(described).toMatchObject({ Status: 'FINISHED', ResultFormat: 'CSV', HasResultSet: true, ResultRows: 502 });

    const pages = await csvPages(client, id);
    const texts = pages.map(csvOf);
    expect(pages.length).toBeGreaterThan(5);
    for (const text of texts) {
      expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(2048);
      expect(text.endsWith('\n')).toBe(true);
    }
    expect(texts[0]?.startsWith('id,body,big\n')).toBe(true);
    expect(texts.slice(1).some((text) => text.startsWith('id,body,big\n'))).toBe(false);
    expect(pages.every((page) => page.TotalNumRows === 502)).toBe(true);
    expect(pages[0]?.ColumnMetadata?.map((column) => [column.name, column.typeName])).toEqual([
      ['id', 'int4'],
      ['body', 'varchar'],
      ['big', 'int8'],
    ]);
    const all = texts.join('');
    expect(all).toContain('\n7,"note 7, ""quoted""\né",9223372036854770007\n');
    expect(all).toContain('\n8,note 8,9223372036854770008\n');
    // NULL an empty field, '' a quoted empty one, as PostgreSQL's COPY writes them.
    expect(all.endsWith('\n501,,\n502,"",0\n')).toBe(true);
  });

  it('writes NULL as an empty string is written when asked to blur the two, as a service might', async () => {
    const client = await start({ csvNulls: 'quoted', csvHeader: false });
    const id = await execute(client, { Sql: 'SELECT id, body FROM notes WHERE id > 500 ORDER BY id', ResultFormat: 'CSV' });
    expect((await csvPages(client, id)).map(csvOf).join('')).toBe('501,""\n502,""\n');
  });

  it('refuses to read a CSV result with GetStatementResult, and a JSON result with GetStatementResultV2', async () => {
    const client = await start();
    const csv = await execute(client, { Sql: ALL, ResultFormat: 'CSV' });
    const json = await execute(client, { Sql: ALL });

    expect(await errorOf(client.send(new GetStatementResultCommand({ Id: csv })))).toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('GetStatementResultV2'),
    });
    expect(await errorOf(client.send(new GetStatementResultV2Command({ Id: json })))).toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('JSON'),
    });
    expect((await client.send(new GetStatementResultCommand({ Id: json }))).Records).toHaveLength(502);
  });

  it('bounds typed JSON pages by bytes too', async () => {
    const client = await start({ pageSize: Number.POSITIVE_INFINITY, pageBytes: 4096 });
    const id = await execute(client, { Sql: ALL });
    const sizes: number[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new GetStatementResultCommand({ Id: id, NextToken: token }));
      sizes.push(page.Records?.length ?? 0);
      token = page.NextToken;
    } while (token !== undefined);
    expect(sizes.length).toBeGreaterThan(5);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(502);
  });

  it('refuses ResultFormat CSV when it is told the service has no CSV', async () => {
    const client = await start({ resultFormats: ['JSON'] });
    const error = await errorOf(execute(client, { Sql: ALL, ResultFormat: 'CSV' }));
    expect(error).toMatchObject({ name: 'ValidationException', message: expect.stringContaining('ResultFormat') });
  });

  it('answers ResourceNotFoundException for a result it no longer holds', async () => {
    const client = await start({ retainedResults: 1 });
    const first = await execute(client, { Sql: ALL, ResultFormat: 'CSV' });
    const second = await execute(client, { Sql: 'SELECT 2 AS two', ResultFormat: 'CSV' });

    expect(await errorOf(client.send(new GetStatementResultV2Command({ Id: first })))).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(csvOf(await client.send(new GetStatementResultV2Command({ Id: second })))).toBe('two\n2\n');
  });
});
