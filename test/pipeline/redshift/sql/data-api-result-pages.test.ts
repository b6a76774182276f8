import type { GetStatementResultV2Response } from '@aws-sdk/client-redshift-data';
import { describe, expect, it } from 'vitest';
import { SqlStatementError } from '../../../../pipeline/errors.js';
import type { CsvTextPage, SqlRow } from '../../../../pipeline/ports/sql-runner.js';
import { csvResultPages, csvTextPages, jsonResultPages } from '../../../../pipeline/redshift/sql/data-api-result-pages.js';

const SOURCE = { statementId: 'statement-1', cluster: 'analytics' };
const METADATA = [
  { name: 'id', typeName: 'int4' },
  { name: 'note', typeName: 'varchar' },
];

/** A fetch that answers the pages in order, recording the tokens it was asked for. */
function pagesOf<Page>(pages: Page[]): { fetch: (token: string | undefined) => Promise<Page>; tokens: (string | undefined)[] } {
  const tokens: (string | undefined)[] = [];
  return {
    tokens,
    fetch: async (token) => {
      tokens.push(token);
      const page = pages[tokens.length - 1];
      if (page === undefined) throw new Error('no such page');
      return page;
    },
  };
}

async function collect(pages: AsyncIterable<readonly SqlRow[]>): Promise<(readonly SqlRow[])[]> {
  const out: (readonly SqlRow[])[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('csvResultPages', () => {
  it('yields the rows of each page, following NextToken, with column metadata from the first page', async () => {
    const { fetch, tokens } = pagesOf<GetStatementResultV2Response>([
      { ColumnMetadata: METADATA, Records: [{ CSVRecords: 'id,note\n1,a\n2,\n' }], TotalNumRows: 4, NextToken: 't1' },
      { Records: [{ CSVRecords: '3,""\n' }, { CSVRecords: '4,"x,y"\n' }], TotalNumRows: 4, NextToken: '' },
    ]);

    const pages = await collect(csvResultPages(fetch, SOURCE));

    expect(pages).toEqual([
      [
        { id: 1, note: 'a' },
        { id: 2, note: null },
      ],
      [
        { id: 3, note: '' },
        { id: 4, note: 'x,y' },
      ],
    ]);
    expect(tokens).toEqual([undefined, 't1']);
  });

  it('fails the statement when the records read are not the rows the service counted', async () => {
    const { fetch } = pagesOf<GetStatementResultV2Response>([
      { ColumnMetadata: METADATA, Records: [{ CSVRecords: '1,"a\n2,b"\n' }], TotalNumRows: 2 },
    ]);

    const error = await collect(csvResultPages(fetch, SOURCE)).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SqlStatementError);
    expect((error as SqlStatementError).message).toBe('statement statement-1 on analytics returned 1 CSV records for 2 rows');
    expect((error as SqlStatementError).statementId).toBe('statement-1');
  });

  it('names the statement when a page cannot be read, keeping the reason as cause', async () => {
    const { fetch } = pagesOf<GetStatementResultV2Response>([
      { ColumnMetadata: METADATA, Records: [{ CSVRecords: 'x,a\n' }], TotalNumRows: 1 },
    ]);

    const error = (await collect(csvResultPages(fetch, SOURCE)).catch((caught: unknown) => caught)) as SqlStatementError;

    expect(error.message).toMatch(/^statement statement-1 on analytics: column id \(int4\) came back as text that is not an integer/);
    expect(error.cause).toBeInstanceOf(SqlStatementError);
  });

  it.each([
    {
      case: 'records come before column metadata',
      page: { Records: [{ CSVRecords: '1,a\n' }] },
      message: /returned records without column metadata/,
    },
    {
      case: 'records are not CSV',
      page: { ColumnMetadata: METADATA, Records: [{ $unknown: ['JSONRecords', '[]'] }] },
      message: /returned records in a format other than CSV/,
    },
  ])('refuses a result whose $case', async ({ page, message }) => {
    const { fetch } = pagesOf([page as GetStatementResultV2Response]);

    await expect(collect(csvResultPages(fetch, SOURCE))).rejects.toThrow(message);
  });

  it('yields no page for an empty result', async () => {
    const { fetch } = pagesOf<GetStatementResultV2Response>([{ ColumnMetadata: METADATA, Records: [], TotalNumRows: 0 }]);

    expect(await collect(csvResultPages(fetch, SOURCE))).toEqual([]);
  });
});

describe('csvTextPages', () => {
  async function texts(pages: AsyncIterable<CsvTextPage>): Promise<CsvTextPage[]> {
    const out: CsvTextPage[] = [];
    for await (const page of pages) out.push(page);
    return out;
  }

  it('yields each page as text without the line of column names, every record ended, and counts its records', async () => {
    const { fetch, tokens } = pagesOf<GetStatementResultV2Response>([
      { ColumnMetadata: METADATA, Records: [{ CSVRecords: 'id,note\n1,a\n2,\n' }], TotalNumRows: 4, NextToken: 't1' },
      { Records: [{ CSVRecords: '3,""\n' }, { CSVRecords: '4,"x,\ny"' }], TotalNumRows: 4, NextToken: '' },
    ]);

    const pages = await texts(csvTextPages(fetch, SOURCE));

    const columns = [
      { name: 'id', typeName: 'int4' },
      { name: 'note', typeName: 'varchar' },
    ];
    expect(pages).toEqual([
      { columns, text: '1,a\n2,\n', records: 2, longestRecord: 5 },
      { columns, text: '3,""\n4,"x,\ny"\n', records: 2, longestRecord: 9 },
    ]);
    expect(tokens).toEqual([undefined, 't1']);
  });

  it('ends records sent with CRLF with LF alone, keeping CRLF inside a value', async () => {
    const { fetch } = pagesOf<GetStatementResultV2Response>([
      { ColumnMetadata: METADATA, Records: [{ CSVRecords: 'id,note\r\n1,"a\r\nb"\r\n2,\r\n' }], TotalNumRows: 2 },
    ]);

    expect((await texts(csvTextPages(fetch, SOURCE))).map((page) => [page.text, page.records])).toEqual([['1,"a\r\nb"\n2,\n', 2]]);
  });

  it('fails the statement when the records counted are not the rows the service counted', async () => {
    const { fetch } = pagesOf<GetStatementResultV2Response>([
      { ColumnMetadata: METADATA, Records: [{ CSVRecords: '1,"a\n2,b"\n' }], TotalNumRows: 2 },
    ]);

    const error = await texts(csvTextPages(fetch, SOURCE)).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SqlStatementError);
    expect((error as SqlStatementError).message).toBe('statement statement-1 on analytics returned 1 CSV records for 2 rows');
  });

  it.each([
    { case: 'records come before column metadata', page: { Records: [{ CSVRecords: '1,a\n' }] }, message: /without column metadata/ },
    {
      case: 'records are not CSV',
      page: { ColumnMetadata: METADATA, Records: [{ $unknown: ['JSONRecords', '[]'] }] },
      message: /in a format other than CSV/,
    },
    {
      case: 'a quoted field is not closed',
      page: { ColumnMetadata: METADATA, Records: [{ CSVRecords: '1,"a\n' }] },
      message: /not closed/,
    },
  ])('refuses a result whose $case', async ({ page, message }) => {
    const { fetch } = pagesOf([page as GetStatementResultV2Response]);

    await expect(texts(csvTextPages(fetch, SOURCE))).rejects.toThrow(message);
  });

  it('yields no page for an empty result, nor for a page of column names only', async () => {
    const { fetch } = pagesOf<GetStatementResultV2Response>([
      { ColumnMetadata: METADATA, Records: [{ CSVRecords: 'id,note\n' }], TotalNumRows: 0 },
    ]);

    expect(await texts(csvTextPages(fetch, SOURCE))).toEqual([]);
  });
});

describe('jsonResultPages', () => {
  it('yields typed rows page by page', async () => {
    const { fetch } = pagesOf([
      { ColumnMetadata: METADATA, Records: [[{ longValue: 1 }, { isNull: true }]], NextToken: 't1' },
      { Records: [[{ longValue: 2 }, { stringValue: '' }]] },
    ]);

    expect(await collect(jsonResultPages(fetch, SOURCE))).toEqual([[{ id: 1, note: null }], [{ id: 2, note: '' }]]);
  });
});
