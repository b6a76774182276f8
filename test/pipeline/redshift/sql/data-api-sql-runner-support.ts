import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ClusterConfig } from '../../../../pipeline/config/opslake-config.js';
import type { SqlRow, SqlStatement } from '../../../../pipeline/ports/sql-runner.js';
import { DataApiSqlRunner, type DataApiSqlRunnerOptions } from '../../../../pipeline/redshift/sql/data-api-sql-runner.js';
import { startDataApiEmulator, type DataApiEmulator, type DataApiEmulatorOptions } from '../../../harness/data-api-emulator.js';

/** What the DataApiSqlRunner tests share: a PGlite table behind the Data API emulator, and helpers. */
export const ROWS = 2_500;
export const BIG_BASE = 9_007_199_254_740_993n; // 2^53 + 1

export const provisioned: ClusterConfig = {
  name: 'analytics',
  kind: 'provisioned',
  clusterIdentifier: 'analytics-prod',
  database: 'dev',
  auth: { type: 'db-user', dbUser: 'opslake_reader' },
  views: 'stl',
  tables: ['stl_query'],
  enabled: true,
  connection: { type: 'data-api' },
};

export let db: PGlite;
export const open: { emulator: DataApiEmulator; client: RedshiftDataClient }[] = [];

/**
 * Creates the PGlite database of ROWS generated rows before the file's tests, closes the
 * emulators each test opened, and the database at the end.
 */
export function useEventsDatabase(): void {
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
}

export interface Setup {
  emulator: DataApiEmulator;
  client: RedshiftDataClient;
  runner: DataApiSqlRunner;
  sleeps: number[];
}

export async function setup(
  emulatorOptions: Omit<DataApiEmulatorOptions, 'db'> = {},
  runnerOptions: Partial<DataApiSqlRunnerOptions> = {},
): Promise<Setup> {
  const emulator = await startDataApiEmulator({ db, pageSize: 1000, describesBeforeFinished: 0, ...emulatorOptions });
  const client = testClient(emulator.endpoint);
  open.push({ emulator, client });
  const sleeps: number[] = [];
  // JSON unless a test asks otherwise: the probe of `auto` would add statements to every count.
  const runner = new DataApiSqlRunner({
    client,
    cluster: provisioned,
    resultFormat: 'json',
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...runnerOptions,
  });
  return { emulator, client, runner, sleeps };
}

export function testClient(endpoint: string): RedshiftDataClient {
  // One attempt: the runner's own retry is what is under test.
  return new RedshiftDataClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

export function statement(text: string, parameters: Record<string, string> = {}): SqlStatement {
  return { text, parameters };
}

export async function collect(pages: AsyncIterable<readonly SqlRow[]>): Promise<(readonly SqlRow[])[]> {
  const out: (readonly SqlRow[])[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

export function operations(emulator: DataApiEmulator, operation: string) {
  return emulator.requests.filter((request) => request.operation === operation);
}

/** The row generated for `g` above, typed as the SqlValue convention says. */
export function expectedRow(g: number): SqlRow {
  const seconds = g;
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
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

export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
