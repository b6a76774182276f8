import { describe, expect, it } from 'vitest';
import type { LakeRow } from '../../../pipeline/ports/parquet-writer.js';
import type { CsvTextPage } from '../../../pipeline/ports/sql-runner.js';
import { csvFitsLake, rowsOfCsvPages } from '../../../pipeline/redshift/slot-csv.js';
import type { LakeColumn } from '../../../pipeline/tables/lake-table.js';

const lake = (name: string, type: LakeColumn['type']): LakeColumn => ({ name, type, description: '' });
const meta = (name: string, typeName: string) => ({ name, typeName });

describe('csvFitsLake', () => {
  const fields = [lake('id', 'BIGINT'), lake('ratio', 'DOUBLE'), lake('ok', 'BOOLEAN'), lake('at', 'TIMESTAMP'), lake('note', 'VARCHAR')];

  it('takes the fields when each is, by name and in order, of a kind its column reads as the row path would', () => {
    expect(
      csvFitsLake([meta('id', 'int8'), meta('ratio', 'float8'), meta('ok', 'bool'), meta('at', 'timestamp'), meta('note', 'text')], fields),
    ).toBe(true);
    expect(
      csvFitsLake(
        [meta('id', 'int4'), meta('ratio', 'numeric'), meta('ok', 'bool'), meta('at', 'timestamp'), meta('note', 'bpchar')],
        fields,
      ),
    ).toBe(true);
  });

  it.each([
    { case: 'a boolean into VARCHAR (t against true)', result: [meta('note', 'bool')], fields: [lake('note', 'VARCHAR')] },
    { case: 'a number into VARCHAR (12.50 against 12.5)', result: [meta('note', 'numeric')], fields: [lake('note', 'VARCHAR')] },
    { case: 'a number into BIGINT', result: [meta('id', 'numeric')], fields: [lake('id', 'BIGINT')] },
    { case: 'text into BIGINT', result: [meta('id', 'varchar')], fields: [lake('id', 'BIGINT')] },
    { case: 'another name', result: [meta('ident', 'int8')], fields: [lake('id', 'BIGINT')] },
    { case: 'another order', result: [meta('b', 'text'), meta('a', 'text')], fields: [lake('a', 'VARCHAR'), lake('b', 'VARCHAR')] },
    { case: 'a field fewer', result: [meta('a', 'text')], fields: [lake('a', 'VARCHAR'), lake('b', 'VARCHAR')] },
  ])('types the rows on the way for $case', ({ result, fields: columns }) => {
    expect(csvFitsLake(result, columns)).toBe(false);
  });
});

async function rowsOf(pages: CsvTextPage[]): Promise<(readonly LakeRow[])[]> {
  const source = async function* (): AsyncGenerator<CsvTextPage> {
    yield* pages;
  };
  const out: (readonly LakeRow[])[] = [];
  for await (const page of rowsOfCsvPages(source())) out.push(page);
  return out;
}

describe('rowsOfCsvPages', () => {
  it('types the records of each page as the runner types rows', async () => {
    const columns = [meta('note', 'text'), meta('ok', 'bool'), meta('n', 'numeric'), meta('big', 'int8')];
    const rows = await rowsOf([
      { columns, text: '"",t,12.50,9007199254740993\n', records: 1, longestRecord: 29 },
      { columns, text: ',f,,\n', records: 1, longestRecord: 5 },
    ]);
    expect(rows).toEqual([[{ note: '', ok: true, n: 12.5, big: '9007199254740993' }], [{ note: null, ok: false, n: null, big: null }]]);
  });

  it('keeps a first record that reads like the column names: the runner cut that line off already', async () => {
    const columns = [meta('a', 'text'), meta('b', 'text')];
    expect(await rowsOf([{ columns, text: 'a,b\n', records: 1, longestRecord: 4 }])).toEqual([[{ a: 'a', b: 'b' }]]);
  });
});
