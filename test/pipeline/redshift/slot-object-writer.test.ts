import { describe, expect, it } from 'vitest';
import type { CsvChunk, LakeRow, ParquetFile, ParquetWriter } from '../../../pipeline/ports/parquet-writer.js';
import type { CsvTextPage, SqlColumnMeta, SqlRunner } from '../../../pipeline/ports/sql-runner.js';
import { writeSlotObject } from '../../../pipeline/redshift/slot-object-writer.js';
import type { LakeType } from '../../../pipeline/tables/column-types.js';
import { EXPORTED_AT, exportColumns } from '../../../pipeline/tables/registry.js';
import { MemoryObjectStore } from '../../fakes/memory-object-store.js';

const TABLE = 'sys_query_detail';
const SLOT = { start: new Date('2026-11-20T10:00:00Z'), end: new Date('2026-11-20T11:00:00Z'), sealed: true };
const SOURCE = { cluster: 'serverless', dialect: 'sys' as const };
const TYPE_NAMES: Readonly<Record<LakeType, string>> = {
  SMALLINT: 'int2',
  INTEGER: 'int4',
  BIGINT: 'int8',
  DOUBLE: 'float8',
  BOOLEAN: 'bool',
  TIMESTAMP: 'timestamp',
  VARCHAR: 'varchar',
};

/** The view's columns as the Data API describes them, `override` changing some type names. */
function resultColumns(override: Record<string, string> = {}): SqlColumnMeta[] {
  return exportColumns(TABLE)
    .filter((column) => column.name !== EXPORTED_AT.name)
    .map((column) => ({ name: column.name, typeName: override[column.name] ?? TYPE_NAMES[column.type] }));
}

/** A record of the view's columns: `user_id` 7, every other field NULL. */
function record(columns: readonly SqlColumnMeta[]): string {
  return `${columns.map((column) => (column.name === 'user_id' ? '7' : '')).join(',')}\n`;
}

/** A writer that records which of its writes was called and with what. */
function recordingWriter() {
  const calls: { method: 'write' | 'writeCsv'; rows: LakeRow[]; texts: string[]; constants: unknown }[] = [];
  const file: ParquetFile = { path: '/nowhere/part.parquet', rows: 0, bytes: 10 };
  const writer = {
    async write(_columns: unknown, pages: AsyncIterable<readonly LakeRow[]>, constants: unknown) {
      const rows: LakeRow[] = [];
      for await (const page of pages) rows.push(...page);
      calls.push({ method: 'write', rows, texts: [], constants });
      return rows.length === 0 ? null : { ...file, rows: rows.length };
    },
    async writeCsv(_columns: unknown, chunks: AsyncIterable<CsvChunk>, constants: unknown) {
      const texts: string[] = [];
      let records = 0;
      for await (const chunk of chunks) {
        texts.push(chunk.text);
        records += chunk.records;
      }
      calls.push({ method: 'writeCsv', rows: [], texts, constants });
      return records === 0 ? null : { ...file, rows: records };
    },
    discard: async () => undefined,
  };
  return { calls, writer: writer as unknown as ParquetWriter };
}

function csvRunner(pages: CsvTextPage[] | undefined, rows: LakeRow[] = []): SqlRunner & { csvPages: NonNullable<SqlRunner['csvPages']> } {
  return {
    async *pages() {
      yield rows;
    },
    async csvPages() {
      if (pages === undefined) return undefined;
      return (async function* () {
        yield* pages;
      })();
    },
    close: async () => undefined,
  };
}

class FileLake extends MemoryObjectStore {
  override async putFile(key: string): Promise<void> {
    this.objects.set(key, Buffer.from('parquet'));
  }
}

async function write(runner: SqlRunner) {
  const { calls, writer } = recordingWriter();
  const lake = new FileLake();
  const written = await writeSlotObject({ runner, lake, writer }, SOURCE, { table: TABLE }, SLOT, '2026-11-20 12:30:00');
  return { calls, written, keys: [...lake.objects.keys()] };
}

describe('writeSlotObject', () => {
  it('hands the CSV text of a view to the writer as it came when its fields fit the lake columns', async () => {
    const columns = resultColumns();
    const pages = [
      { columns, text: record(columns).repeat(2), records: 2, longestRecord: 40 },
      { columns, text: record(columns), records: 1, longestRecord: 40 },
    ];
    const { calls, written, keys } = await write(csvRunner(pages));
    expect(calls).toEqual([
      { method: 'writeCsv', rows: [], texts: [pages[0]?.text, pages[1]?.text], constants: { exported_at: '2026-11-20 12:30:00' } },
    ]);
    expect(written.rows).toBe(3);
    expect(keys).toHaveLength(1);
  });

  it('types the rows on the way when a field would read differently as text (a boolean into VARCHAR)', async () => {
    const columns = resultColumns({ step_name: 'bool' });
    const text = record(columns).replace(/^7,/, '8,');
    const { calls, written } = await write(csvRunner([{ columns, text, records: 1, longestRecord: 40 }]));
    expect(calls.map((call) => call.method)).toEqual(['write']);
    expect(calls[0]?.rows[0]).toMatchObject({ user_id: 8, step_name: null });
    expect(written.rows).toBe(1);
  });

  it('reads typed rows when the runner does not read CSV, or cannot give CSV text at all', async () => {
    const rows = [{ user_id: 9 }];
    const notCsv = await write(csvRunner(undefined, rows));
    const { csvPages: _, ...rowsOnly } = csvRunner(undefined, rows);
    const plain = await write(rowsOnly);
    for (const { calls, written } of [notCsv, plain]) {
      expect(calls).toEqual([{ method: 'write', rows, texts: [], constants: { exported_at: '2026-11-20 12:30:00' } }]);
      expect(written.rows).toBe(1);
    }
  });

  it('writes no object for a slot whose CSV result is empty', async () => {
    const { calls, written, keys } = await write(csvRunner([]));
    expect(calls).toEqual([]);
    expect(written).toEqual({ rows: 0, object: null });
    expect(keys).toEqual([]);
  });
});
