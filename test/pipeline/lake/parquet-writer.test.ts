import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDuckDb, sqlLiteral } from '../../../pipeline/duckdb/duckdb-engine.js';
import { InvalidIdentifierError, LakeWriteError, UnreadableInputError } from '../../../pipeline/errors.js';
import { type CsvChunk, ParquetWriter, type LakeRow } from '../../../pipeline/lake/parquet-writer.js';
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

describe('ParquetWriter.writeCsv', () => {
  const TYPED: LakeColumn[] = [
    { name: 'id', type: 'INTEGER', description: '' },
    { name: 'big', type: 'BIGINT', description: '' },
    { name: 'ratio', type: 'DOUBLE', description: '' },
    { name: 'ok', type: 'BOOLEAN', description: '' },
    { name: 'at', type: 'TIMESTAMP', description: '' },
    { name: 'note', type: 'VARCHAR', description: '' },
    { name: 'lineage', type: 'VARCHAR', description: '' },
  ];

  /** Chunks of [text, records]. */
  async function* chunksOf(...chunks: [string, number][]): AsyncGenerator<CsvChunk> {
    for (const [text, records] of chunks) yield { text, records, longestRecord: text.length };
  }

  it('reads each field with its column type as it came, exactly, and adds the constant columns', async () => {
    const file = await writer.writeCsv(
      TYPED,
      chunksOf(
        ['1,9007199254740993,0.1,t,2026-01-02 03:04:05.000001,"a ""quoted"", comma"\n2,-9223372036854775808,,f,,""\n', 2],
        ['3,,-0,,2026-01-02 03:04:05,"line\r\nbreaks\nand é€😀"\n4,7,1e300,true,2026-12-31 23:59:59.999999,  spaced  \n', 2],
      ),
      { lineage: "run '1'" },
    );
    if (file === null) throw new Error('expected a file');
    expect(file.rows).toBe(4);
    const rows = await rowsOf(
      `SELECT id, big::VARCHAR AS big, ratio, ok, strftime("at", '%Y-%m-%d %H:%M:%S.%f') AS "at", note, lineage ` +
        `FROM read_parquet(${sqlLiteral(file.path)}) ORDER BY id`,
    );
    expect(rows).toEqual([
      {
        id: 1,
        big: '9007199254740993',
        ratio: 0.1,
        ok: true,
        at: '2026-01-02 03:04:05.000001',
        note: 'a "quoted", comma',
        lineage: "run '1'",
      },
      { id: 2, big: '-9223372036854775808', ratio: null, ok: false, at: null, note: '', lineage: "run '1'" },
      { id: 3, big: null, ratio: -0, ok: null, at: '2026-01-02 03:04:05.000000', note: 'line\r\nbreaks\nand é€😀', lineage: "run '1'" },
      { id: 4, big: '7', ratio: 1e300, ok: true, at: '2026-12-31 23:59:59.999999', note: '  spaced  ', lineage: "run '1'" },
    ]);
    const types = await rowsOf(`SELECT column_type FROM (DESCRIBE SELECT * FROM read_parquet(${sqlLiteral(file.path)}))`);
    expect(types.map((row) => row.column_type)).toEqual(['INTEGER', 'BIGINT', 'DOUBLE', 'BOOLEAN', 'TIMESTAMP', 'VARCHAR', 'VARCHAR']);
    await writer.discard(file);
    expect(await readdir(temp)).toEqual([]);
  });

  it('writes nothing when no record came', async () => {
    expect(await writer.writeCsv(TYPED, chunksOf(), { lineage: 'x' })).toBeNull();
    expect(await readdir(temp)).toEqual([]);
  });

  it('fails when a field does not fit its column, or DuckDB counts other records than the chunks said', async () => {
    const lineage = { lineage: 'x' };
    await expect(writer.writeCsv(TYPED, chunksOf(['1,12a,,,,x\n', 1]), lineage)).rejects.toThrow(LakeWriteError);
    await expect(writer.writeCsv(TYPED, chunksOf(['1,2,3\n', 1]), lineage)).rejects.toThrow(LakeWriteError);
    const miscounted = async function* (): AsyncGenerator<CsvChunk> {
      yield { text: '1,2,,,,"a\nb"\n', records: 2, longestRecord: 14 };
    };
    await expect(writer.writeCsv(TYPED, miscounted(), lineage)).rejects.toThrow(/DuckDB read 1 rows from a spool of 2/);
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
