import type { GetStatementResultResponse, GetStatementResultV2Response } from '@aws-sdk/client-redshift-data';
import { SqlStatementError } from '../../errors.js';
import type { CsvTextPage, SqlColumnMeta, SqlRow } from '../../ports/sql-runner.js';
import { CsvRecordReader, columnNamesLineLength, countCsvRecords, withLfRecordEnds } from './data-api-csv-records.js';
import { type ColumnDecoder, columnDecoders, rowsOf } from './data-api-field-values.js';
import { columnMetaOf, textColumns } from './data-api-text-values.js';

/**
 * A finished statement's result, page by page through NextToken, as typed rows: typed JSON
 * fields (GetStatementResult) or CSV text (GetStatementResultV2). One page is held at a time.
 */

/** Fetches the page after `nextToken` (the first without one). */
export type PageFetch<Page> = (nextToken: string | undefined) => Promise<Page>;

/** Where the result comes from, for messages. */
export interface ResultSource {
  readonly statementId: string;
  readonly cluster: string;
}

function noMetadata(source: ResultSource): SqlStatementError {
  return new SqlStatementError(`statement ${source.statementId} on ${source.cluster} returned records without column metadata`, {
    statementId: source.statementId,
  });
}

async function* paged<Page extends { NextToken?: string | undefined }>(fetch: PageFetch<Page>): AsyncGenerator<Page> {
  let nextToken: string | undefined;
  do {
    const page = await fetch(nextToken);
    yield page;
    nextToken = page.NextToken === '' ? undefined : page.NextToken;
  } while (nextToken !== undefined);
}

export async function* jsonResultPages(
  fetch: PageFetch<GetStatementResultResponse>,
  source: ResultSource,
): AsyncGenerator<readonly SqlRow[]> {
  let columns: ColumnDecoder[] | undefined;
  for await (const page of paged(fetch)) {
    if (page.ColumnMetadata !== undefined && page.ColumnMetadata.length > 0) columns = columnDecoders(page.ColumnMetadata);
    const records = page.Records ?? [];
    if (records.length === 0) continue;
    if (columns === undefined) throw noMetadata(source);
    yield rowsOf(records, columns);
  }
}

/** Rows of a CSV result. Once the last page is read, their number must be the `TotalNumRows` the service reported. */
export async function* csvResultPages(
  fetch: PageFetch<GetStatementResultV2Response>,
  source: ResultSource,
): AsyncGenerator<readonly SqlRow[]> {
  let reader: CsvRecordReader | undefined;
  let total: number | undefined;
  let read = 0;
  for await (const page of paged(fetch)) {
    if (reader === undefined && page.ColumnMetadata !== undefined && page.ColumnMetadata.length > 0) {
      reader = new CsvRecordReader(textColumns(page.ColumnMetadata));
    }
    total = page.TotalNumRows ?? total;
    const rows: SqlRow[] = [];
    for (const records of page.Records ?? []) {
      if (typeof records.CSVRecords !== 'string') throw notCsv(source);
      if (reader === undefined) throw noMetadata(source);
      try {
        reader.read(records.CSVRecords, rows);
      } catch (error) {
        const message = `statement ${source.statementId} on ${source.cluster}: ${(error as Error).message}`;
        throw new SqlStatementError(message, { statementId: source.statementId, cause: error });
      }
    }
    read += rows.length;
    if (rows.length > 0) yield rows;
  }
  checkTotal(read, total, source);
}

/**
 * The same result as CSV text, untyped (see `CsvTextPage`): each `CSVRecords` string with the
 * line of column names it may start with cut off, every record ended by LF, its records counted.
 * The count is held against `TotalNumRows` as `csvResultPages` holds its rows; the fields
 * themselves are left to the reader of the text (DuckDB, with the lake's column types).
 */
export async function* csvTextPages(fetch: PageFetch<GetStatementResultV2Response>, source: ResultSource): AsyncGenerator<CsvTextPage> {
  let columns: SqlColumnMeta[] | undefined;
  let total: number | undefined;
  let read = 0;
  for await (const page of paged(fetch)) {
    if (columns === undefined && page.ColumnMetadata !== undefined && page.ColumnMetadata.length > 0) {
      columns = columnMetaOf(page.ColumnMetadata);
    }
    total = page.TotalNumRows ?? total;
    let text = '';
    let records = 0;
    let longestRecord = 0;
    for (const record of page.Records ?? []) {
      if (typeof record.CSVRecords !== 'string') throw notCsv(source);
      if (columns === undefined) throw noMetadata(source);
      try {
        const cut = record.CSVRecords.slice(columnNamesLineLength(record.CSVRecords, columns));
        if (cut.length === 0) continue;
        const counted = countCsvRecords(cut);
        // Records end with LF alone for the reader of the text (its line break is set, not guessed).
        const body = counted.crlf ? withLfRecordEnds(cut) : cut;
        records += counted.records;
        // + 1: the line break a last record without one is given below.
        longestRecord = Math.max(longestRecord, counted.longest + 1);
        text += body.endsWith('\n') ? body : `${body}\n`;
      } catch (error) {
        const message = `statement ${source.statementId} on ${source.cluster}: ${(error as Error).message}`;
        throw new SqlStatementError(message, { statementId: source.statementId, cause: error });
      }
    }
    read += records;
    if (columns !== undefined && records > 0) yield { columns, text, records, longestRecord };
  }
  checkTotal(read, total, source);
}

function notCsv(source: ResultSource): SqlStatementError {
  return new SqlStatementError(`statement ${source.statementId} on ${source.cluster} returned records in a format other than CSV`, {
    statementId: source.statementId,
  });
}

/** CSV carries no structure of its own: a record cut or merged the wrong way must fail the statement rather than reach the lake. */
function checkTotal(read: number, total: number | undefined, source: ResultSource): void {
  if (total !== undefined && read !== total) {
    throw new SqlStatementError(`statement ${source.statementId} on ${source.cluster} returned ${read} CSV records for ${total} rows`, {
      statementId: source.statementId,
    });
  }
}
