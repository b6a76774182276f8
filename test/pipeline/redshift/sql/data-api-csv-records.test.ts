import { describe, expect, it } from 'vitest';
import { SqlStatementError } from '../../../../pipeline/errors.js';
import type { SqlRow } from '../../../../pipeline/ports/sql-runner.js';
import {
  CsvRecordReader,
  columnNamesLineLength,
  countCsvRecords,
  withLfRecordEnds,
} from '../../../../pipeline/redshift/sql/data-api-csv-records.js';
import { textColumns } from '../../../../pipeline/redshift/sql/data-api-text-values.js';

function reader(columns: Record<string, string>): CsvRecordReader {
  return new CsvRecordReader(textColumns(Object.entries(columns).map(([name, typeName]) => ({ name, typeName }))));
}

function read(columns: Record<string, string>, ...texts: string[]): SqlRow[] {
  const csv = reader(columns);
  const rows: SqlRow[] = [];
  for (const text of texts) csv.read(text, rows);
  return rows;
}

function failure(run: () => unknown): SqlStatementError {
  try {
    run();
  } catch (error) {
    if (error instanceof SqlStatementError) return error;
    throw error;
  }
  throw new Error('expected a SqlStatementError');
}

const EVENT = {
  id: 'int4',
  big: 'int8',
  at: 'timestamp',
  label: 'bpchar',
  note: 'varchar',
  ratio: 'float8',
  amount: 'numeric',
  ok: 'bool',
};

describe('CsvRecordReader', () => {
  it('types each field by its column and keeps text exactly, padding and all', () => {
    const rows = read(
      EVENT,
      '7,9007199254740993,2024-03-01 00:00:01.000001,r1      ,note 7,0.25,12.500,t\n-3,42,2024-03-01 00:00:02,x,y,1e+20,-0.5,f\n',
    );

    expect(rows).toEqual([
      {
        id: 7,
        big: '9007199254740993',
        at: '2024-03-01 00:00:01.000001',
        label: 'r1      ',
        note: 'note 7',
        ratio: 0.25,
        amount: 12.5,
        ok: true,
      },
      { id: -3, big: 42, at: '2024-03-01 00:00:02', label: 'x', note: 'y', ratio: 1e20, amount: -0.5, ok: false },
    ]);
  });

  it("reads an unquoted empty field as NULL and a quoted one as ''", () => {
    const rows = read({ a: 'varchar', b: 'varchar', n: 'int8', t: 'timestamp', ok: 'bool' }, ',"",,,\n"",,1,2024-01-01 00:00:00,t\n');

    expect(rows).toEqual([
      { a: null, b: '', n: null, t: null, ok: null },
      { a: '', b: null, n: 1, t: '2024-01-01 00:00:00', ok: true },
    ]);
  });

  it('reads quoted fields with commas, doubled quotes, line breaks and multibyte characters', () => {
    const text = '"a,b","say ""hi""","line 1\nline 2\r\nline 3","é€😀",plain\r\n"",x,"","",""\r\n';

    const rows = read({ a: 'text', b: 'text', c: 'text', d: 'text', e: 'text' }, text);

    expect(rows).toEqual([
      { a: 'a,b', b: 'say "hi"', c: 'line 1\nline 2\r\nline 3', d: 'é€😀', e: 'plain' },
      { a: '', b: 'x', c: '', d: '', e: '' },
    ]);
  });

  it('reads the last record without a line break, and nothing from an empty string', () => {
    expect(read({ a: 'int4', b: 'text' }, '1,x\n2,y', '')).toEqual([
      { a: 1, b: 'x' },
      { a: 2, b: 'y' },
    ]);
  });

  it('skips a first line that names the columns, and keeps a first record that is data', () => {
    const columns = { query_id: 'int8', step_name: 'text' };

    expect(read(columns, 'query_id,step_name\n1,scan\n', 'query_id,step_name\n2,hash\n')).toEqual([
      { query_id: 1, step_name: 'scan' },
      { query_id: 2, step_name: 'hash' },
    ]);
    expect(read({ a: 'text', b: 'text' }, 'a,x\n')).toEqual([{ a: 'a', b: 'x' }]);
  });

  it.each([
    { text: '0', value: 0 },
    { text: '007', value: 7 },
    { text: '-12', value: -12 },
    { text: '"15"', value: 15 },
    { text: '999999999999999', value: 999_999_999_999_999 },
    { text: '9007199254740991', value: 9_007_199_254_740_991 },
    { text: '-9007199254740991', value: -9_007_199_254_740_991 },
    { text: '9007199254740992', value: '9007199254740992' },
    { text: '-9223372036854775808', value: '-9223372036854775808' },
    { text: '0009223372036854775807', value: '9223372036854775807' },
  ])('reads the integer $text as $value', ({ text, value }) => {
    expect(read({ n: 'int8', next: 'int4' }, `${text},1\n`)).toEqual([{ n: value, next: 1 }]);
  });

  it.each(['1e3', ' 1', '1.0', '+1', '0x10', '""', '12a'])(
    'refuses %j in an integer column, naming the column but not the value',
    (text) => {
      const error = failure(() => read({ n: 'int4', next: 'int4' }, `${text},1\n`));

      expect(error.message).toMatch(/column n \(int4\)/);
      expect(error.message).not.toContain(text === '""' ? '""' : text);
    },
  );

  it.each([
    { case: 'a quoted field that is not closed', text: '1,"abc\n', message: /not closed/ },
    { case: 'a quoted field followed by more text', text: '1,"abc"d\n', message: /followed by something other/ },
    { case: 'too few fields', text: '1\n', message: /a record has 1 of 2 fields/ },
    { case: 'too many fields', text: '1,a,b\n', message: /more fields than the 2 columns/ },
    { case: 'too few fields after the first record', text: '1,a\n2\n', message: /a record has 1 of 2 fields/ },
    { case: 'too many fields after the first record', text: '1,a\n2,b,c\n', message: /more fields than the 2 columns/ },
  ])('refuses a page with $case', ({ text, message }) => {
    expect(failure(() => read({ n: 'int4', s: 'text' }, text)).message).toMatch(message);
  });

  it('reads a one-column result, where an empty line is a NULL', () => {
    expect(read({ s: 'text' }, 'a\n\n""\n')).toEqual([{ s: 'a' }, { s: null }, { s: '' }]);
  });
});

describe('countCsvRecords', () => {
  it('counts records by the line breaks outside quoted fields, and measures the longest', () => {
    expect(countCsvRecords('1,a\n2,"x\ny"\n3,"say ""hi"",\r\nthere"\r\n')).toEqual({ records: 3, longest: 24, crlf: true });
  });

  it('counts a last record without its line break, quoted line breaks and all', () => {
    expect(countCsvRecords('1,a\n2,b')).toEqual({ records: 2, longest: 4, crlf: false });
    expect(countCsvRecords('"a\r\nb"')).toEqual({ records: 1, longest: 6, crlf: false });
    expect(countCsvRecords('')).toEqual({ records: 0, longest: 0, crlf: false });
  });

  it('refuses a quoted field that is not closed', () => {
    expect(failure(() => countCsvRecords('1,"a\n2,b\n')).message).toMatch(/quoted field is not closed/);
  });
});

describe('withLfRecordEnds', () => {
  it('ends records with LF alone and keeps the line breaks inside quoted fields', () => {
    expect(withLfRecordEnds('1,"a\r\nb"\r\n2,""\r\n3,x')).toBe('1,"a\r\nb"\n2,""\n3,x');
    expect(withLfRecordEnds('1,a\n')).toBe('1,a\n');
  });
});

describe('columnNamesLineLength', () => {
  const columns = [
    { name: 'id', typeName: 'int4' },
    { name: 'note', typeName: 'varchar' },
  ];

  it('measures a first line that holds every column name, its line break included', () => {
    expect(columnNamesLineLength('id,note\n1,a\n', columns)).toBe(8);
    expect(columnNamesLineLength('"id","note"\r\n1,a\r\n', columns)).toBe(13);
  });

  it('is 0 when the first record is data, or names only some columns', () => {
    expect(columnNamesLineLength('1,a\n', columns)).toBe(0);
    expect(columnNamesLineLength('id,notes\n', columns)).toBe(0);
    expect(columnNamesLineLength('id\n', columns)).toBe(0);
    expect(columnNamesLineLength('id,note,extra\n', columns)).toBe(0);
    expect(columnNamesLineLength('', columns)).toBe(0);
  });
});

describe('CsvRecordReader told the names are already cut off', () => {
  it('reads a first record that looks like the names as data', () => {
    const rows: SqlRow[] = [];
    reader({ a: 'varchar', b: 'varchar' }).read('a,b\nc,d\n', rows, false);
    expect(rows).toEqual([
      { a: 'a', b: 'b' },
      { a: 'c', b: 'd' },
    ]);
  });
});
