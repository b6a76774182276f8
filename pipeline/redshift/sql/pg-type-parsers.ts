import type { SqlValue } from '../../ports/sql-runner.js';

type TextParser = (text: string) => SqlValue;

const asNumber: TextParser = Number;
const asText: TextParser = (text) => text;

/** bigint: a number while it is exact, else the decimal string (as the Data API adapter gives it). */
const asBigint: TextParser = (text) => {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
};

/** Parsers by type OID for the text format; every other type stays the server's text. */
const PARSERS: ReadonlyMap<number, TextParser> = new Map<number, TextParser>([
  [16, (text) => text === 't'], // bool
  [20, asBigint], // int8
  [21, asNumber], // int2
  [23, asNumber], // int4
  [26, asNumber], // oid
  [700, asNumber], // float4
  [701, asNumber], // float8
  [1700, asNumber], // numeric
  // timestamp stays 'YYYY-MM-DD HH:MM:SS[.ffffff]' (DateStyle ISO, the server default): a JS
  // Date would lose the microseconds and apply the local zone.
  [1114, asText],
  [1042, asText], // bpchar: the blank padding is kept
  [1043, asText], // varchar
  [25, asText], // text
]);

/**
 * Type parsers that turn pg's text values into the SqlValue convention of `ports/sql-runner.ts`.
 * Handed to each query, never installed in pg's global registry, which other code in the
 * process may rely on.
 */
export const SQL_VALUE_TYPES = Object.freeze({
  // Statements are always read in the text format.
  getTypeParser(oid: number): (value: string) => SqlValue {
    return PARSERS.get(oid) ?? asText;
  },
});
