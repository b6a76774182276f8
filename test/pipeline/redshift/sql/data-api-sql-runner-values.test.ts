import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SqlRow, SqlValue } from '../../../../pipeline/ports/sql-runner.js';
import { DataApiSqlRunner } from '../../../../pipeline/redshift/sql/data-api-sql-runner.js';
import { openDuckDb, sqlLiteral } from '../../../../pipeline/duckdb/duckdb-engine.js';
import { ParquetWriter } from '../../../../pipeline/lake/parquet-writer.js';
import type { LakeColumn } from '../../../../pipeline/tables/lake-table.js';
import { SeededRandom } from '../../../../pipeline/simulators/seeded-random.js';
import { startDataApiEmulator } from '../../../harness/data-api-emulator.js';
import { collect, provisioned, statement, testClient } from './data-api-sql-runner-support.js';

/**
 * Property-style: many random rows with a value of every SqlValue kind, and the values CSV could
 * blur (NULL and '', quotes, commas, line breaks, multibyte text, int8 beyond 2^53, timestamps
 * with and without microseconds), read as typed JSON and as CSV. Both must give exactly the rows
 * the SqlValue rules promise, computed here from what was inserted.
 */

const ROWS = 700;
const TEXT_PIECES = ['a', 'Z', ' ', ',', '"', '""', '\n', '\r\n', '\r', 'é', '€', '😀', 'ß', '\t', '\\', "'", 'x y'];
const CHAR_PIECES = ['a', 'b', ' ', ',', '"', 'é', '€'];
const INT8_EDGES = [0n, -1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n)];

interface Generated {
  readonly insert: (string | null)[];
  readonly expected: SqlRow;
}

function text(random: SeededRandom, pieces: readonly string[], max: number): string {
  let out = '';
  const length = random.int(0, max);
  for (let i = 0; i < length; i += 1) out += random.pick(pieces);
  return out;
}

function int8(random: SeededRandom): bigint {
  if (random.chance(0.3)) return random.pick(INT8_EDGES);
  const magnitude = BigInt(random.nextUint32()) * 2n ** 31n + BigInt(random.nextUint32() >>> 1);
  return random.chance(0.5) ? -magnitude : magnitude;
}

function timestamp(random: SeededRandom): { written: string; printed: string } {
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${random.int(2000, 2030)}-${two(random.int(1, 12))}-${two(random.int(1, 28))}`;
  const time = `${two(random.int(0, 23))}:${two(random.int(0, 59))}:${two(random.int(0, 59))}`;
  const micros = random.chance(0.3) ? 0 : random.chance(0.3) ? random.int(1, 9) * 100_000 : random.int(1, 999_999);
  const fraction = String(micros).padStart(6, '0');
  // PostgreSQL and Redshift print the fraction without trailing zeros, and none when it is zero.
  const printed = micros === 0 ? `${date} ${time}` : `${date} ${time}.${fraction.replace(/0+$/, '')}`;
  return { written: `${date} ${time}.${fraction}`, printed };
}

function generate(random: SeededRandom, id: number): Generated {
  const maybe = <T>(value: () => T): T | null => (random.chance(0.12) ? null : value());
  const big = maybe(() => int8(random));
  const small = maybe(() => random.int(-32768, 32767));
  const ratio = maybe(() => (random.next() - 0.5) * 10 ** random.int(-8, 12));
  const amount = maybe(() => random.int(-999_999_999, 999_999_999) / 1000);
  const at = maybe(() => timestamp(random));
  const ok = maybe(() => random.chance(0.5));
  const padded = maybe(() => text(random, CHAR_PIECES, 6));
  const note = maybe(() => text(random, TEXT_PIECES, 12));
  const body = random.chance(0.15) ? '' : maybe(() => text(random, TEXT_PIECES, 40));
  const insert = [
    String(id),
    big === null ? null : String(big),
    small === null ? null : String(small),
    ratio === null ? null : String(ratio),
    amount === null ? null : amount.toFixed(3),
    at === null ? null : at.written,
    ok === null ? null : String(ok),
    padded,
    note,
    body,
  ];
  const expected: Record<string, SqlValue> = {
    id,
    big: big === null ? null : Number.isSafeInteger(Number(big)) ? Number(big) : String(big),
    small,
    ratio,
    amount,
    at: at === null ? null : at.printed,
    ok,
    padded: padded === null ? null : padded.padEnd(6, ' '),
    note,
    body,
  };
  return { insert, expected };
}

let db: PGlite;
let rows: Generated[];
const opened: { close: () => Promise<void> }[] = [];

beforeAll(async () => {
  db = await PGlite.create();
  await db.exec(`CREATE TABLE values_table (
    id integer, big bigint, small smallint, ratio double precision, amount numeric(12,3), at timestamp, ok boolean,
    padded char(6), note varchar(64), body text)`);
  const random = SeededRandom.of('data-api-result-formats', 1);
  rows = Array.from({ length: ROWS }, (_, i) => generate(random, i + 1));
  const placeholders = Array.from({ length: 10 }, (_, i) => `$${i + 1}`).join(', ');
  for (const row of rows) await db.query(`INSERT INTO values_table VALUES (${placeholders})`, row.insert);
});

afterEach(async () => {
  for (const resource of opened.splice(0)) await resource.close();
});

afterAll(async () => {
  await db.close();
});

async function openRunner(resultFormat: 'csv' | 'json', pageBytes: number): Promise<DataApiSqlRunner> {
  const emulator = await startDataApiEmulator({ db, describesBeforeFinished: 0, pageSize: Number.POSITIVE_INFINITY, pageBytes });
  const client = testClient(emulator.endpoint);
  opened.push({
    close: async () => {
      client.destroy();
      await emulator.close();
    },
  });
  return new DataApiSqlRunner({ client, cluster: provisioned, resultFormat, sleep: async () => undefined });
}

const SELECT_ALL = statement('SELECT * FROM values_table ORDER BY id');

async function readAll(resultFormat: 'csv' | 'json', pageBytes: number): Promise<{ rows: SqlRow[]; pages: number }> {
  const runner = await openRunner(resultFormat, pageBytes);
  const pages = await collect(runner.pages(SELECT_ALL));
  return { rows: pages.flat(), pages: pages.length };
}

/** The table's columns in the lake, as the registry would type them. */
const LAKE_COLUMNS: LakeColumn[] = (
  [
    ['id', 'INTEGER'],
    ['big', 'BIGINT'],
    ['small', 'SMALLINT'],
    ['ratio', 'DOUBLE'],
    ['amount', 'DOUBLE'],
    ['at', 'TIMESTAMP'],
    ['ok', 'BOOLEAN'],
    ['padded', 'VARCHAR'],
    ['note', 'VARCHAR'],
    ['body', 'VARCHAR'],
    ['lineage', 'VARCHAR'],
  ] as const
).map(([name, type]) => ({ name, type, description: name }));

describe('DataApiSqlRunner values through both result formats', () => {
  it(`reads ${ROWS} random rows of every kind of value the same as CSV and as typed JSON, as the SqlValue rules say`, async () => {
    const json = await readAll('json', 16 << 10);
    const csv = await readAll('csv', 16 << 10);

    const expected = rows.map((row) => row.expected);
    expect(json.rows).toEqual(expected);
    expect(csv.rows).toEqual(expected);
    // The same values reach the lake from either format, -0 and 0 told apart as well.
    csv.rows.forEach((row, i) => {
      for (const [name, value] of Object.entries(row)) expect(Object.is(value, json.rows[i]?.[name]), name).toBe(true);
    });
    // Pages bounded by bytes: CSV packs more rows into each.
    expect(json.pages).toBeGreaterThan(csv.pages);
    expect(csv.pages).toBeGreaterThan(1);
  });

  it('writes the same Parquet from the CSV text of the pages as from their typed rows, every value exactly', async () => {
    const runner = await openRunner('csv', 16 << 10);
    const dir = await mkdtemp(join(tmpdir(), 'opslake-values-'));
    const { instance, connection } = await openDuckDb({ tempDirectory: dir });
    opened.push({
      close: async () => {
        instance.closeSync();
        await rm(dir, { recursive: true, force: true });
      },
    });
    const writer = new ParquetWriter(connection, { tempDirectory: dir });
    const constants = { lineage: 'run-1' };
    const csv = await runner.csvPages(SELECT_ALL);
    if (csv === undefined) throw new Error('expected CSV text from a runner that reads CSV');
    const fromText = await writer.writeCsv(LAKE_COLUMNS, csv, constants);
    const fromRows = await writer.write(LAKE_COLUMNS, runner.pages(SELECT_ALL), constants);
    if (fromText === null || fromRows === null) throw new Error('expected two files');

    const read = async (path: string) =>
      (
        await connection.runAndReadAll(
          `SELECT * REPLACE (CAST(big AS VARCHAR) AS big, strftime("at", '%Y-%m-%d %H:%M:%S.%f') AS "at") ` +
            `FROM read_parquet(${sqlLiteral(path)}) ORDER BY id`,
        )
      ).getRowObjectsJson();
    const text = await read(fromText.path);
    expect(fromText.rows).toBe(ROWS);
    expect(text).toEqual(await read(fromRows.path));
    // And against what was inserted, not only against the other path: int8 digits, microseconds, NULL and ''.
    expect(text.map((row) => [row.big, row.at, row.body])).toEqual(
      rows.map(({ insert }) => [insert[1] ?? null, insert[5] ?? null, insert[9] ?? null]),
    );
  });
});
