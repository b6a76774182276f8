import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../../pipeline/config/secret.js';
import { ConfigError, ConnectionError, SqlStatementError } from '../../../../pipeline/errors.js';
import type { SqlRow, SqlStatement } from '../../../../pipeline/ports/sql-runner.js';
import { PgSqlRunner } from '../../../../pipeline/redshift/sql/pg-sql-runner.js';
import { servePglite, type PgliteServer } from '../../../../pipeline/redshift/sql/pglite-server.js';

let server: PgliteServer;
let runner: PgSqlRunner;

beforeAll(async () => {
  server = await servePglite();
  await server.db.exec(`
    CREATE TABLE typed (
      id integer, i2 smallint, i4 integer, i8 bigint, num numeric(12, 3), f4 real, f8 double precision,
      flag boolean, ts timestamp, padded char(5), vc varchar(20), tx text
    );
    INSERT INTO typed VALUES
      (1, 7, 42, 9007199254740991, 1234.5, 0.5, 3.25, true, '2024-03-01 12:34:56.123456', 'ab', 'varchar ', 'text  '),
      (2, -7, -42, 9007199254740993, -0.125, -1.5, 1e-7, false, '2024-03-01 12:34:56', '     ', '', ''),
      (3, NULL, NULL, -9223372036854775808, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    CREATE TABLE events (id integer, at timestamp);
    INSERT INTO events SELECT g, timestamp '2024-01-01 00:00:00' + g * interval '1 minute' FROM generate_series(1, 25000) g;
  `);
  runner = new PgSqlRunner({ url: server.url, pageSize: 10_000, poolSize: 3 });
});

afterAll(async () => {
  await runner?.close();
  await server?.close();
});

async function all(pages: AsyncIterable<readonly SqlRow[]>): Promise<SqlRow[]> {
  const rows: SqlRow[] = [];
  for await (const page of pages) rows.push(...page);
  return rows;
}

const statement = (text: string, parameters: Record<string, string> = {}): SqlStatement => ({ text, parameters });

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function chainText(error: unknown): string {
  const parts: string[] = [String(error), inspect(error, { depth: 10 })];
  for (let link = error; link instanceof Error; link = link.cause) parts.push(link.message, link.stack ?? '');
  return parts.join('\n');
}

describe('PgSqlRunner', () => {
  it('yields every supported type in the SqlValue convention', async () => {
    const rows = await all(runner.pages(statement('SELECT * FROM typed ORDER BY id')));
    expect(rows).toEqual([
      {
        id: 1,
        i2: 7,
        i4: 42,
        i8: 9007199254740991,
        num: 1234.5,
        f4: 0.5,
        f8: 3.25,
        flag: true,
        ts: '2024-03-01 12:34:56.123456',
        padded: 'ab   ',
        vc: 'varchar ',
        tx: 'text  ',
      },
      {
        id: 2,
        i2: -7,
        i4: -42,
        i8: '9007199254740993',
        num: -0.125,
        f4: -1.5,
        f8: 1e-7,
        flag: false,
        ts: '2024-03-01 12:34:56',
        padded: '     ',
        vc: '',
        tx: '',
      },
      {
        id: 3,
        i2: null,
        i4: null,
        i8: '-9223372036854775808',
        num: null,
        f4: null,
        f8: null,
        flag: null,
        ts: null,
        padded: null,
        vc: null,
        tx: null,
      },
    ]);
  });

  it('leaves the pg type parsers of the rest of the process alone', async () => {
    const pg = (await import('pg')).default;
    expect(pg.types.getTypeParser(1114, 'text')('2024-03-01 12:34:56')).toBeInstanceOf(Date);
    expect(pg.types.getTypeParser(20, 'text')('5')).toBe('5');
  });

  it('binds named parameters, timestamps through a CAST in the text', async () => {
    const rows = await all(
      runner.pages(
        statement(
          `SELECT count(*) AS n, min(at) AS first, ':slot_start' AS literal
           FROM events WHERE at >= CAST(:slot_start AS timestamp) AND at < CAST(:slot_end AS timestamp) AND id::text <> :skip`,
          { slot_start: '2024-01-01 01:00:00', slot_end: '2024-01-01 02:00:00', skip: '61' },
        ),
      ),
    );
    expect(rows).toEqual([{ n: 59, first: '2024-01-01 01:00:00', literal: ':slot_start' }]);
  });

  it('never splices a value into the text', async () => {
    const rows = await all(runner.pages(statement('SELECT :v AS v', { v: "x'; DROP TABLE events; --" })));
    expect(rows).toEqual([{ v: "x'; DROP TABLE events; --" }]);
    expect(await all(runner.pages(statement('SELECT count(*) AS n FROM events')))).toEqual([{ n: 25_000 }]);
  });

  it('streams 25,000 rows as pages of 10,000, 10,000 and 5,000 in result order', async () => {
    const sizes: number[] = [];
    let previous = 0;
    for await (const page of runner.pages(statement('SELECT id FROM events ORDER BY id'))) {
      sizes.push(page.length);
      for (const row of page) {
        expect(row.id).toBe(previous + 1);
        previous = row.id as number;
      }
    }
    expect(sizes).toEqual([10_000, 10_000, 5_000]);
  });

  it('yields no page for an empty result', async () => {
    expect(await all(runner.pages(statement('SELECT id FROM events WHERE id < 0')))).toEqual([]);
  });

  it('releases the cursor and the connection when the consumer stops after the first page', async () => {
    const single = new PgSqlRunner({ url: server.url, pageSize: 10_000, poolSize: 1, connectTimeoutMillis: 20_000 });
    try {
      for await (const page of single.pages(statement('SELECT id FROM events ORDER BY id'))) {
        expect(page).toHaveLength(10_000);
        break;
      }
      expect(server.db.isInTransaction()).toBe(false);
      expect(await all(single.pages(statement('SELECT count(*) AS n FROM events')))).toEqual([{ n: 25_000 }]);
    } finally {
      await single.close();
    }
  });

  it('lets a second statement wait for one that is being read, on a pool of three', async () => {
    const first = runner.pages(statement('SELECT id FROM events ORDER BY id'))[Symbol.asyncIterator]();
    const sizes: number[] = [];
    const head = await first.next();
    sizes.push(head.done ? 0 : head.value.length);
    // An explicit transaction is what makes pglite-socket hold other connections back: in the
    // implicit one, their next Sync would end it and drop the open cursor.
    expect(server.db.isInTransaction()).toBe(true);
    // Started while the first statement's cursor is open on another connection of the pool.
    const second = all(runner.pages(statement('SELECT max(id) AS top FROM events')));
    for (let page = await first.next(); !page.done; page = await first.next()) sizes.push(page.value.length);
    expect(sizes).toEqual([10_000, 10_000, 5_000]);
    expect(await second).toEqual([{ top: 25_000 }]);
  }, 30_000);

  it('throws a SqlStatementError with the database message for bad SQL, and recovers', async () => {
    const single = new PgSqlRunner({ url: server.url, poolSize: 1, connectTimeoutMillis: 20_000 });
    try {
      const error = await all(single.pages(statement('SELECT * FROM no_such_table'))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SqlStatementError);
      expect((error as SqlStatementError).databaseMessage).toBe('relation "no_such_table" does not exist');
      expect((error as SqlStatementError).retryable).toBe(false);
      expect(server.db.isInTransaction()).toBe(false);
      expect(await all(single.pages(statement('SELECT 1 AS one')))).toEqual([{ one: 1 }]);
    } finally {
      await single.close();
    }
  });

  it('throws a SqlStatementError for a placeholder without a value', async () => {
    await expect(all(runner.pages(statement('SELECT :missing')))).rejects.toThrow(SqlStatementError);
  });

  it('throws a retryable ConnectionError that never shows the password when the port is closed', async () => {
    const password = 'pw-Zq7!never-printed';
    const closed = new PgSqlRunner({
      url: `postgres://admin@127.0.0.1:${await closedPort()}/dev`,
      password: new Secret(password),
      connectTimeoutMillis: 20_000,
    });
    try {
      const error = await all(closed.pages(statement('SELECT 1'))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as ConnectionError).retryable).toBe(true);
      expect((error as Error).message).toMatch(/^cannot connect to postgres:\/\/admin@127\.0\.0\.1:\d+\/dev: .*ECONNREFUSED/);
      expect(chainText(error)).not.toContain(password);
      expect(inspect(closed, { depth: 10, showHidden: true })).not.toContain(password);
    } finally {
      await closed.close();
    }
  });

  it('refuses a URL with a password inside, naming the parameter and not the password', () => {
    const create = () => new PgSqlRunner({ url: 'postgres://admin:hunter2@127.0.0.1:5432/dev', parameter: 'clusters.a.postgres' });
    expect(create).toThrow(ConfigError);
    expect(create).toThrow(/^clusters\.a\.postgres: contains a password.*password setting/);
    expect(create).not.toThrow(/hunter2/);
  });

  it('refuses a URL that turns TLS off for a remote host, without connecting', () => {
    expect(() => new PgSqlRunner({ url: 'postgres://admin@db.example.com/dev?sslmode=disable', parameter: 'p' })).toThrow(
      /^p: asks for sslmode=disable/,
    );
  });

  it('refuses statements once closed', async () => {
    const closing = new PgSqlRunner({ url: server.url });
    await closing.close();
    await expect(all(closing.pages(statement('SELECT 1')))).rejects.toThrow(/closed/);
  });
});
