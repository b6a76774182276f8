import { describe, expect, it } from 'vitest';
import type { LakeRow } from '../../../pipeline/lake/parquet-writer.js';
import type { SqlRow } from '../../../pipeline/ports/sql-runner.js';
import { fingerprint, normalizeStatement, sha256Hex } from '../../../pipeline/redshift/fingerprint.js';
import { queryTextRow, queryTextRows } from '../../../pipeline/redshift/query-text-rows.js';
import { QUERY_TEXT_COLUMNS, QUERY_TEXT_SOURCES, type StatementKind } from '../../../pipeline/tables/query-text-table.js';

const pad = (text: string) => text.padEnd(200, ' ');

function chunk(fields: Partial<Record<string, string | number>>): SqlRow {
  return { query: 7, xid: 900, pid: 4000, userid: 100, starttime: '2024-03-04 10:00:00', endtime: '2024-03-04 10:00:02', ...fields };
}

async function* pagesOf(...pages: SqlRow[][]): AsyncGenerator<readonly SqlRow[]> {
  for (const page of pages) yield page;
}

async function collect(kind: StatementKind, ...pages: SqlRow[][]): Promise<LakeRow[][]> {
  const out: LakeRow[][] = [];
  for await (const rows of queryTextRows(kind, pagesOf(...pages))) out.push(rows);
  return out;
}

describe('queryTextRows', () => {
  it.each(Object.keys(QUERY_TEXT_SOURCES) as StatementKind[])(
    'produces exactly the registry columns of query_text, in its order, none left out (%s)',
    async (kind) => {
      const [[row] = []] = await collect(kind, [chunk({ sequence: 0, text: pad('select 1') })]);
      expect(row).toBeDefined();
      expect(Object.keys(row ?? {})).toEqual(QUERY_TEXT_COLUMNS.map((column) => column.name));
      for (const column of QUERY_TEXT_COLUMNS) expect(row?.[column.name], column.name).not.toBeUndefined();
    },
  );

  it('stitches the chunks of a statement and derives length, hash and fingerprint from the whole text', () => {
    const first = `${'x'.repeat(195)}from `;
    const row = queryTextRow('query', { first: chunk({ query: 12 }), chunks: [first, pad("t where a = 'é\\nb'")] });
    const text = `${'x'.repeat(195)}from t where a = 'é\nb'`;
    expect(row).toEqual({
      statement_kind: 'query',
      query: 12,
      xid: 900,
      pid: 4000,
      userid: 100,
      starttime: '2024-03-04 10:00:00',
      endtime: '2024-03-04 10:00:02',
      chunks: 2,
      text,
      text_length: text.length,
      sha256: sha256Hex(text),
      fingerprint: fingerprint(text),
      normalized_text: normalizeStatement(text),
    });
  });

  it('counts characters, not UTF-16 units, in text_length', () => {
    expect(queryTextRow('query', { first: chunk({}), chunks: [pad('select 😀')] }).text_length).toBe(8);
  });

  it('writes NULL for ids the source did not give (DDL and utility text have no query)', () => {
    const row = queryTextRow('ddl', { first: { xid: 1, pid: 2, userid: 3, starttime: 's', endtime: 'e' }, chunks: [pad('drop table t')] });
    expect(row.query).toBeNull();
    expect(row.statement_kind).toBe('ddl');
  });

  it('tells statements apart by (query, xid) for queries and by (xid, pid, starttime) for DDL and utility text', async () => {
    const queries = await collect('query', [
      chunk({ query: 1, sequence: 0, text: pad('select 1') }),
      chunk({ query: 2, sequence: 0, text: pad('select 2') }),
      chunk({ query: 2, xid: 901, sequence: 0, text: pad('select 3') }),
    ]);
    expect(queries.flat().map((row) => row.text)).toEqual(['select 1', 'select 2', 'select 3']);
    const ddl = await collect('ddl', [
      chunk({ query: 'ignored', sequence: 0, text: pad('create table a (x int)') }),
      chunk({ query: 'ignored', starttime: '2024-03-04 10:00:05', sequence: 0, text: pad('drop table a') }),
    ]);
    expect(ddl.flat().map((row) => row.text)).toEqual(['create table a (x int)', 'drop table a']);
  });

  it('holds a statement whose chunks span pages until it is complete, and yields nothing for no chunks', async () => {
    const long = 'y'.repeat(200);
    const pages = await collect(
      'query',
      [chunk({ query: 1, sequence: 0, text: pad('select 1') }), chunk({ query: 2, sequence: 0, text: long })],
      [chunk({ query: 2, sequence: 1, text: pad(' from t') })],
    );
    expect(pages.map((rows) => rows.map((row) => row.query))).toEqual([[1], [2]]);
    expect(pages[1]?.[0]).toMatchObject({ chunks: 2, text: `${long} from t` });
    expect(await collect('utility')).toEqual([]);
  });
});
