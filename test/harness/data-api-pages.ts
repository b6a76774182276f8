import { csvFields, recordEnd } from './data-api-csv-text.js';
import { type Column, type CsvBlanks, csvField } from './data-api-fields.js';

/**
 * Result pages of the emulated Data API, in the two formats a statement can ask for: typed JSON
 * `Field`s (GetStatementResult) or CSV text (GetStatementResultV2), both from the same held CSV.
 * The service does not document a page size; its pages are bounded by size (a row may hold up
 * to 64 KB), so a page here holds records until their encoded size reaches a byte budget, and
 * optionally a number of records.
 */

export interface PageLimits {
  /** Encoded bytes of records per page; a page always holds at least one record. */
  readonly bytes: number;
  /** Records per page, if a count bounds pages too. */
  readonly records: number;
}

/** A statement's held result. */
export interface HeldResult {
  readonly columns: readonly Column[];
  /** The rows as PostgreSQL's COPY wrote them (CSV, UTF-8). */
  readonly csv: Buffer;
  readonly rows: number;
}

/** How CSV pages are written: see DataApiEmulatorOptions. */
export interface CsvStyle extends CsvBlanks {
  readonly header: boolean;
}

export interface Page {
  /** The response body, without NextToken. */
  readonly body: string;
  /** Byte offset of the next page's first record; the end of the CSV when this was the last. */
  readonly next: number;
}

function metadataOf(columns: readonly Column[]): string {
  return JSON.stringify(columns.map((column) => ({ name: column.name, label: column.name, typeName: column.typeName, nullable: 1 })));
}

/** Records from byte `offset` while they fit the limits (the first always does), each as `render` writes it. */
function take(
  result: HeldResult,
  offset: number,
  limits: PageLimits,
  render: (record: string) => string,
  used: number,
): { records: string[]; next: number } {
  const records: string[] = [];
  let bytes = used;
  let next = offset;
  while (next < result.csv.length && records.length < limits.records) {
    const end = recordEnd(result.csv, next);
    const record = render(result.csv.toString('utf8', next, end));
    const size = Buffer.byteLength(record, 'utf8');
    if (records.length > 0 && bytes + size > limits.bytes) break;
    records.push(record);
    bytes += size;
    next = end;
  }
  return { records, next };
}

/** The record's fields without its line break. */
function fieldsOf(record: string): (string | null)[] {
  return csvFields(record.endsWith('\n') ? record.slice(0, -1) : record);
}

/** A GetStatementResult page. Records are spliced in as text so that int8 digits reach the client exactly as written. */
export function jsonPage(result: HeldResult, offset: number, limits: PageLimits): Page {
  const render = (record: string) => {
    const fields = fieldsOf(record).map((text, i) => (text === null ? '{"isNull":true}' : (result.columns[i] as Column).field(text)));
    return `[${fields.join(',')}]`;
  };
  const { records, next } = take(result, offset, limits, render, 0);
  return {
    body: `{"ColumnMetadata":${metadataOf(result.columns)},"Records":[${records.join(',')}],"TotalNumRows":${result.rows}`,
    next,
  };
}

/** A GetStatementResultV2 page: one `CSVRecords` string of whole records, the column names first on the first page if asked. */
export function csvPage(result: HeldResult, offset: number, limits: PageLimits, style: CsvStyle): Page {
  const line = (fields: readonly (string | null)[]) => `${fields.map((field) => csvField(field, style)).join(',')}\n`;
  const header = style.header && offset === 0 ? line(result.columns.map((column) => column.name)) : '';
  // COPY's own text unless NULL or '' is to be written another way.
  const asCopy = style.nulls === 'unquoted' && style.emptyStrings === 'quoted';
  const render = asCopy ? (record: string) => record : (record: string) => line(fieldsOf(record));
  const { records, next } = take(result, offset, limits, render, Buffer.byteLength(header, 'utf8'));
  const text = header + records.join('');
  const pageRecords = text === '' ? '' : `{"CSVRecords":${JSON.stringify(text)}}`;
  return {
    body:
      `{"ColumnMetadata":${metadataOf(result.columns)},"Records":[${pageRecords}],` + `"TotalNumRows":${result.rows},"ResultFormat":"CSV"`,
    next,
  };
}
