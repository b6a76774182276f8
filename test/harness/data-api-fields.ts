/**
 * How the emulator writes result values, and the errors it answers with. A statement's result
 * is held as the CSV text PostgreSQL's COPY writes (every value as the database prints it);
 * GetStatementResult turns each value into a JSON `Field` by its column type, and
 * GetStatementResultV2 pages the CSV itself.
 */

/** Raised inside a handler; becomes an AWS JSON error response. */
export class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** What `ResultFormat` a statement asked for at ExecuteStatement; it decides which GetStatementResult reads it. */
export type ResultFormat = 'JSON' | 'CSV';

export interface Column {
  readonly name: string;
  readonly typeName: string;
  /** A value (as the database printed it) as a JSON `Field` union. */
  readonly field: (text: string) => string;
}

export const TYPE_NAMES: Readonly<Record<number, string>> = {
  16: 'bool',
  18: 'char',
  19: 'name',
  20: 'int8',
  21: 'int2',
  23: 'int4',
  25: 'text',
  26: 'oid',
  700: 'float4',
  701: 'float8',
  1042: 'bpchar',
  1043: 'varchar',
  1082: 'date',
  1083: 'time',
  1114: 'timestamp',
  1184: 'timestamptz',
  1186: 'interval',
  1700: 'numeric',
};

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

const stringField = (text: string): string => `{"stringValue":${JSON.stringify(text)}}`;

/**
 * The JSON `Field` of a column type, from the database's text. Integers and finite floats are
 * written as the digits printed, as JSON numbers: the real service sends an int8 as a JSON
 * number of any size, and a client has to cope with one beyond 2^53.
 */
export function fieldWriter(oid: number): (text: string) => string {
  switch (oid) {
    case 16:
      return (text) => `{"booleanValue":${text === 't'}}`;
    case 20:
    case 21:
    case 23:
    case 26:
      return (text) => {
        if (!/^-?\d+$/.test(text)) throw new ServiceError('InternalServerException', 'an integer value is not an integer');
        return `{"longValue":${text}}`;
      };
    case 700:
    case 701:
      // PostgreSQL's digits are a JSON number as they stand ('-0' and '1e+20' too); Infinity and NaN are not.
      return (text) => (JSON_NUMBER.test(text) ? `{"doubleValue":${text}}` : `{"doubleValue":"${text}"}`);
    default:
      return stringField;
  }
}

const NEEDS_QUOTES = /[",\r\n]/;

/** How NULL and '' are written in CSV; see DataApiEmulatorOptions. */
export interface CsvBlanks {
  readonly nulls: 'unquoted' | 'quoted';
  readonly emptyStrings: 'quoted' | 'unquoted';
}

/**
 * One CSV field, as PostgreSQL's COPY writes it (RFC 4180): NULL an empty field, '' a quoted
 * empty one (`""`), a value with a comma, quote or line break quoted with its quotes doubled.
 * How the real service tells NULL from '' is not documented: the runner checks it before it
 * reads CSV (`csvNulls` and `csvEmptyStrings` make the emulator blur the two, as a service might).
 */
export function csvField(value: string | null, style: CsvBlanks = { nulls: 'unquoted', emptyStrings: 'quoted' }): string {
  if (value === null) return style.nulls === 'quoted' ? '""' : '';
  if (value === '') return style.emptyStrings === 'quoted' ? '""' : '';
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
