import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servePglite, type PgliteServer } from '../../../../pipeline/redshift/sql/pglite-server.js';

let server: PgliteServer;
let scratch: string;

beforeAll(async () => {
  server = await servePglite();
  scratch = await mkdtemp(join(tmpdir(), 'opslake-pglite-'));
});

afterAll(async () => {
  await server?.close();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

async function queryOnce<T>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('servePglite', () => {
  it('serves an in-memory database on a loopback port that pg reaches', async () => {
    expect(server.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    expect(await queryOnce(server.url, 'SELECT 41 + 1 AS answer')).toEqual([{ answer: 42 }]);
  });

  it('serves the database it returns', async () => {
    await server.db.exec('CREATE TABLE shared_rows (n integer); INSERT INTO shared_rows VALUES (1), (2)');
    expect(await queryOnce(server.url, 'SELECT count(*)::int AS n FROM shared_rows')).toEqual([{ n: 2 }]);
  });

  it('accepts a pool of three connections open at once', async () => {
    const pool = new pg.Pool({ connectionString: server.url, max: 3 });
    try {
      const clients = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
      const answers = await Promise.all(clients.map(async (client, i) => (await client.query(`SELECT ${i}::int AS i`)).rows));
      expect(answers).toEqual([[{ i: 0 }], [{ i: 1 }], [{ i: 2 }]]);
      for (const client of clients) client.release();
    } finally {
      await pool.end();
    }
  });

  it('keeps a database it was given open after closing, and stops accepting connections', async () => {
    const second = await servePglite({ db: server.db });
    expect(second.db).toBe(server.db);
    expect(await queryOnce(second.url, 'SELECT count(*)::int AS n FROM shared_rows')).toEqual([{ n: 2 }]);
    await second.close();
    await expect(queryOnce(second.url, 'SELECT 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect((await server.db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('opens a data folder, creating missing parents, and closes the database it opened', async () => {
    const dataDir = join(scratch, 'clusters', 'analytics');
    const first = await servePglite({ dataDir });
    await queryOnce(first.url, 'CREATE TABLE kept (n integer); INSERT INTO kept VALUES (7)');
    await first.close();
    expect(first.db.closed).toBe(true);

    const again = await servePglite({ dataDir });
    try {
      expect(await queryOnce(again.url, 'SELECT n FROM kept')).toEqual([{ n: 7 }]);
    } finally {
      await again.close();
    }
  });

  it('refuses both a folder and a database', async () => {
    await expect(servePglite({ db: server.db, dataDir: scratch })).rejects.toThrow(RangeError);
  });
});
