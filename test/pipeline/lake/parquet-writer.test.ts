import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDuckDb, sqlLiteral } from '../../../pipeline/duckdb/duckdb-engine.js';
import { InvalidIdentifierError, LakeWriteError, UnreadableInputError } from '../../../pipeline/errors.js';
import { ParquetWriter, type LakeRow } from '../../../pipeline/lake/parquet-writer.js';
import type { LakeColumn } from '../../../pipeline/tables/lake-table.js';

let root: string;
let temp: string;
let instance: DuckDBInstance;
let connection: DuckDBConnection;
let writer: ParquetWriter;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-parquet-writer-'));
  ({ instance, connection } = await openDuckDb({ tempDirectory: root }));
});

beforeEach(async () => {
  temp = await mkdtemp(join(root, 'writes-'));
  writer = new ParquetWriter(connection, { tempDirectory: temp });
});

afterAll(async () => {
  connection?.closeSync();
  instance?.closeSync();
  await rm(root, { recursive: true, force: true });
});

async function rowsOf(sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

/** Compression codecs and row counts of every row group of a Parquet file. */
async function rowGroups(path: string): Promise<Array<{ compression: string; rows: number }>> {
  const rows = await rowsOf(
    `SELECT DISTINCT row_group_id, compression, row_group_num_rows FROM parquet_metadata(${sqlLiteral(path)}) ORDER BY row_group_id`,
  );
  return rows.map((row) => ({ compression: String(row.compression), rows: Number(row.row_group_num_rows) }));
}

async function* pagesOf(...pages: LakeRow[][]): AsyncGenerator<readonly LakeRow[]> {
  yield* pages;
}

const COLUMNS: LakeColumn[] = [
  { name: 'id', type: 'BIGINT', description: '' },
  { name: 'text', type: 'VARCHAR', description: '' },
  { name: 'ended_at', type: 'TIMESTAMP', description: '' },
  { name: 'lineage', type: 'VARCHAR', description: '' },
];

describe('ParquetWriter.write', () => {
  it('writes streamed rows with the column types, constants in every row, as one zstd file', async () => {
    const file = await writer.write(
      COLUMNS,
      pagesOf(
        [{ id: 1, text: 'a "quoted", comma', ended_at: '2024-03-05 10:00:00' }],
        [
          { id: 2, text: '', ended_at: null },
          { id: 3, text: null },
        ],
      ),
      { lineage: 'run-1' },
    );
    if (file === null) throw new Error('expected a file');
    expect(file.rows).toBe(3);
    expect(file.bytes).toBe((await stat(file.path)).size);
    const rows = await rowsOf(
      `SELECT id, text, ended_at::VARCHAR AS ended_at, lineage FROM read_parquet(${sqlLiteral(file.path)}) ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: '1', text: 'a "quoted", comma', ended_at: '2024-03-05 10:00:00', lineage: 'run-1' },
      { id: '2', text: '', ended_at: null, lineage: 'run-1' },
      { id: '3', text: null, ended_at: null, lineage: 'run-1' },
    ]);
    const types = await rowsOf(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${sqlLiteral(file.path)}))`);
    expect(types.map((row) => row.column_type)).toEqual(['BIGINT', 'VARCHAR', 'TIMESTAMP', 'VARCHAR']);
    expect(await rowGroups(file.path)).toEqual([{ compression: 'ZSTD', rows: 3 }]);
    await writer.discard(file);
    expect(await readdir(temp)).toEqual([]);
  });

  it('writes nothing and leaves no temp folder when there are no rows', async () => {
    expect(await writer.write(COLUMNS, pagesOf([], []))).toBeNull();
    expect(await readdir(temp)).toEqual([]);
  });

  it('turns a failure into a LakeWriteError and removes its temp folder', async () => {
    const failing = async function* (): AsyncGenerator<readonly LakeRow[]> {
      yield [{ id: 1 }];
      throw new Error('the source went away');
    };
    await expect(writer.write(COLUMNS, failing())).rejects.toThrow(LakeWriteError);
    await expect(writer.write([{ name: 'id', type: 'BIGINT', description: '' }], pagesOf([{ id: 'not a number' }]))).rejects.toThrow(
      /could not write Parquet/,
    );
    expect(await readdir(temp)).toEqual([]);
  });
});

describe('ParquetWriter.writePartitioned', () => {
  /** A JSON-lines spool whose lines name their target in `_p`. */
  async function spool(lines: readonly string[]): Promise<string> {
    const folder = join(root, `spool-${Math.random().toString(36).slice(2)}`);
    await mkdir(folder, { recursive: true });
    const path = join(folder, 'lines.ndjson');
    await writeFile(path, `${lines.join('\n')}\n`);
    return path;
  }

  const select = (path: string) =>
    `SELECT name, "_p" FROM read_json(${sqlLiteral(path)}, format = 'newline_delimited', records = 'true', ` +
    `columns = {"_p": 'UINTEGER', name: 'VARCHAR'})`;

  it('writes one zstd file per target, without the target column, and discards them together', async () => {
    const path = await spool(['{"_p":0,"name":"a"}', '{"_p":2,"name":"b"}', '{"_p":0,"name":"c"}']);
    const output = await writer.writePartitioned(select(path), '_p');
    expect([...output.files.keys()].sort()).toEqual([0, 2]);
    const zero = output.files.get(0);
    if (zero === undefined) throw new Error('expected a file for target 0');
    expect(zero.bytes).toBe((await stat(zero.path)).size);
    expect(await rowsOf(`SELECT * FROM read_parquet(${sqlLiteral(zero.path)}, hive_partitioning = false) ORDER BY name`)).toEqual([
      { name: 'a' },
      { name: 'c' },
    ]);
    expect(await rowGroups(zero.path)).toEqual([{ compression: 'ZSTD', rows: 2 }]);
    await writer.discard(output);
    expect(await readdir(temp)).toEqual([]);
  });

  it('says an input is unreadable when DuckDB refuses a spooled line, and a write failed otherwise', async () => {
    const bad = await spool(['{"_p":0,"name":"a\\qb"}']);
    const refused = writer.writePartitioned(select(bad), '_p');
    await expect(refused).rejects.toThrow(UnreadableInputError);
    await expect(refused).rejects.toMatchObject({ reason: 'invalid-json' });
    await expect(writer.writePartitioned(select(join(root, 'no-such-spool.ndjson')), '_p')).rejects.toThrow(LakeWriteError);
    expect(await readdir(temp)).toEqual([]);
  });

  it('refuses a target column that is not a plain identifier', async () => {
    await expect(writer.writePartitioned('SELECT 1 AS "x"', 'x"); DROP')).rejects.toThrow(InvalidIdentifierError);
  });
});
