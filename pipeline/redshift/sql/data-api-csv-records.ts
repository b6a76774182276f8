import { SqlStatementError } from '../../errors.js';
import type { SqlColumnMeta, SqlRow, SqlValue } from '../../ports/sql-runner.js';
import type { TextColumn } from './data-api-text-values.js';

/**
 * Rows from the `CSVRecords` text of GetStatementResultV2 (RFC 4180: fields separated by commas,
 * records by LF or CRLF, a field with a comma, quote or line break quoted with its quotes
 * doubled). NULL is an unquoted empty field and '' a quoted one (`""`): the runner checks that
 * the service keeps to this before it reads CSV at all (see data-api-result-format.ts).
 *
 * A small parser rather than a library: it must tell a quoted empty field from an unquoted one,
 * and it types each field as it cuts it, which is most of what reading a page costs.
 */

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
/** Digits that always fit a safe integer. */
const SAFE_DIGITS = 15;

function malformed(what: string): SqlStatementError {
  return new SqlStatementError(`a CSV result page is malformed: ${what}`);
}

/** Reads fields one at a time from one `CSVRecords` string. */
class FieldCursor {
  readonly #text: string;
  #pos = 0;
  /** Whether the field read last was the last of its record. */
  recordEnded = true;

  constructor(text: string) {
    this.#text = text;
  }

  get done(): boolean {
    return this.#pos >= this.#text.length;
  }

  /** Where the next field starts. */
  get position(): number {
    return this.#pos;
  }

  /** The next field's text, or null for an unquoted empty field (NULL). */
  field(): string | null {
    const text = this.#text;
    let pos = this.#pos;
    let value: string | null;
    if (text.charCodeAt(pos) === QUOTE) {
      value = '';
      let start = pos + 1;
      for (;;) {
        const quote = text.indexOf('"', start);
        if (quote < 0) throw malformed('a quoted field is not closed');
        if (text.charCodeAt(quote + 1) === QUOTE) {
          value += text.slice(start, quote + 1);
          start = quote + 2;
          continue;
        }
        value += text.slice(start, quote);
        pos = quote + 1;
        break;
      }
    } else {
      const length = text.length;
      let end = pos;
      while (end < length) {
        const code = text.charCodeAt(end);
        if (code === COMMA || code === LF || code === CR) break;
        end += 1;
      }
      value = end === pos ? null : text.slice(pos, end);
      pos = end;
    }
    this.#pos = this.#separator(pos);
    return value;
  }

  /**
   * The next field of an integer column, read in place: most values of the exported views are
   * integers, and cutting each out as a string only to parse it was a good part of a page's cost.
   * Anything but a plain short integer is cut out and left to `column.decode`.
   */
  integer(column: TextColumn): SqlValue {
    const text = this.#text;
    const start = this.#pos;
    let pos = start;
    const negative = text.charCodeAt(pos) === MINUS;
    if (negative) pos += 1;
    let value = 0;
    let code = text.charCodeAt(pos);
    while (code >= ZERO && code <= NINE && pos - start < SAFE_DIGITS) {
      value = value * 10 + (code - ZERO);
      pos += 1;
      code = text.charCodeAt(pos);
    }
    const digits = pos - start - (negative ? 1 : 0);
    if (digits === 0 || (code >= ZERO && code <= NINE) || !(code === COMMA || code === LF || code === CR || pos >= text.length)) {
      return column.decode(this.field());
    }
    this.#pos = this.#separator(pos);
    return negative ? -value : value;
  }

  /** Where the next field starts, after the separator at `pos`; notes whether it ended the record. */
  #separator(at: number): number {
    const text = this.#text;
    let pos = at;
    const next = text.charCodeAt(pos);
    if (next === COMMA) {
      this.recordEnded = false;
      pos += 1;
    } else if (next === LF) {
      this.recordEnded = true;
      pos += 1;
    } else if (next === CR && text.charCodeAt(pos + 1) === LF) {
      this.recordEnded = true;
      pos += 2;
    } else if (pos >= text.length) {
      this.recordEnded = true;
    } else {
      throw malformed('a quoted field is followed by something other than a comma or a line break');
    }
    return pos;
  }
}

/**
 * How many characters a line of column names takes at the start of `text` (its line break
 * included), or 0 when the first record is not that line; see CsvRecordReader for why a record
 * whose every field is its column's name is taken for it.
 */
export function columnNamesLineLength(text: string, columns: readonly SqlColumnMeta[]): number {
  const cursor = new FieldCursor(text);
  for (const column of columns) {
    if (cursor.done || cursor.field() !== column.name) return 0;
    if (cursor.recordEnded) return column === columns[columns.length - 1] ? cursor.position : 0;
  }
  return 0;
}

/**
 * The records of `text` (a last one without its line break counts), the longest one's length
 * in characters, and whether any ended with CRLF, found by the line breaks outside quoted fields. Two searches per quoted
 * field and one per record: a page is counted in a small fraction of what typing it costs.
 */
export function countCsvRecords(text: string): { records: number; longest: number; crlf: boolean } {
  let records = 0;
  let longest = 0;
  let crlf = false;
  /** Where the record after the last line break counted starts. */
  let recordStart = 0;
  let pos = 0;
  let quote = text.indexOf('"');
  for (;;) {
    const lineBreak = text.indexOf('\n', pos);
    if (lineBreak < 0) break;
    if (quote < 0 || lineBreak < quote) {
      records += 1;
      if (text.charCodeAt(lineBreak - 1) === CR) crlf = true;
      longest = Math.max(longest, lineBreak + 1 - recordStart);
      pos = lineBreak + 1;
      recordStart = pos;
      continue;
    }
    // A quoted field starts before the line break: skip to its closing quote (a doubled quote
    // inside it is two quotes in a row, which this skips as a close and a reopen).
    const close = text.indexOf('"', quote + 1);
    if (close < 0) throw malformed('a quoted field is not closed');
    pos = close + 1;
    quote = text.indexOf('"', pos);
  }
  if (recordStart >= text.length) return { records, longest, crlf };
  return { records: records + 1, longest: Math.max(longest, text.length - recordStart), crlf };
}

/**
 * `text` with every record ended by LF alone: CRLF after a record becomes LF, while line
 * breaks inside quoted fields are kept as they are. (A CR right before a line break outside
 * quotes can only end a record: RFC 4180 quotes a field that holds one.)
 */
export function withLfRecordEnds(text: string): string {
  let out = '';
  let from = 0;
  let pos = 0;
  let quote = text.indexOf('"');
  for (;;) {
    const lineBreak = text.indexOf('\n', pos);
    if (lineBreak < 0) break;
    if (quote < 0 || lineBreak < quote) {
      if (text.charCodeAt(lineBreak - 1) === CR) {
        out += text.slice(from, lineBreak - 1);
        from = lineBreak;
      }
      pos = lineBreak + 1;
      continue;
    }
    const close = text.indexOf('"', quote + 1);
    if (close < 0) throw malformed('a quoted field is not closed');
    pos = close + 1;
    quote = text.indexOf('"', pos);
  }
  return out + text.slice(from);
}

/**
 * Turns the `CSVRecords` strings of one statement's pages into rows. A string may start with a
 * line of column names (the service does not document whether it sends one): a first record
 * whose every field is its column's name is taken for that line and skipped. For the views we
 * export such a record cannot be data, since some of their columns hold numbers or times; for
 * an all-text result the runner's count of rows against `TotalNumRows` catches a mistake.
 */
export class CsvRecordReader {
  readonly #columns: readonly TextColumn[];

  constructor(columns: readonly TextColumn[]) {
    if (columns.length === 0) throw new SqlStatementError('a CSV result has no columns');
    this.#columns = columns;
  }

  /**
   * Appends the rows of `text` (whole records) to `rows`; `mayStartWithNames: false` for text
   * whose line of column names, if any, was already cut off.
   */
  read(text: string, rows: SqlRow[], mayStartWithNames = true): void {
    const cursor = new FieldCursor(text);
    if (cursor.done) return;
    if (mayStartWithNames) {
      const first = this.#fields(cursor);
      if (!this.#isHeader(first)) rows.push(this.#row(first));
    }
    const columns = this.#columns;
    while (!cursor.done) {
      const row: Record<string, SqlValue> = {};
      for (let i = 0; i < columns.length; i += 1) {
        if (i > 0 && cursor.recordEnded) throw this.#fieldCount(i);
        const column = columns[i] as TextColumn;
        row[column.meta.name] = column.kind === 'integer' ? cursor.integer(column) : column.decode(cursor.field());
      }
      if (!cursor.recordEnded) throw this.#fieldCount(columns.length + 1);
      rows.push(row);
    }
  }

  /** One record's fields, undecoded. */
  #fields(cursor: FieldCursor): (string | null)[] {
    const fields = [cursor.field()];
    while (!cursor.recordEnded) fields.push(cursor.field());
    if (fields.length !== this.#columns.length) throw this.#fieldCount(fields.length);
    return fields;
  }

  #isHeader(fields: readonly (string | null)[]): boolean {
    return this.#columns.every((column, i) => fields[i] === column.meta.name);
  }

  #row(fields: readonly (string | null)[]): SqlRow {
    const row: Record<string, SqlValue> = {};
    this.#columns.forEach((column, i) => {
      row[column.meta.name] = column.decode(fields[i] ?? null);
    });
    return row;
  }

  #fieldCount(found: number): SqlStatementError {
    const columns = this.#columns.length;
    return malformed(
      found > columns ? `a record has more fields than the ${columns} columns` : `a record has ${found} of ${columns} fields`,
    );
  }
}
