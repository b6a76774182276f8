import { SqlStatementError } from '../../errors.js';
import type { SqlRow, SqlValue } from '../../ports/sql-runner.js';
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

  /** Appends the rows of `text` (whole records) to `rows`. */
  read(text: string, rows: SqlRow[]): void {
    const cursor = new FieldCursor(text);
    if (cursor.done) return;
    const first = this.#fields(cursor);
    if (!this.#isHeader(first)) rows.push(this.#row(first));
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
