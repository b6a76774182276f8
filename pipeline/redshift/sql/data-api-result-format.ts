import type { SqlRow, SqlStatement } from '../../ports/sql-runner.js';

/**
 * Which of the Data API's two result formats the runner reads. CSV (GetStatementResultV2) costs
 * the client a fraction of typed JSON (GetStatementResult) to read, but its values are untyped
 * text, and how the service writes NULL apart from '' (or whether a page starts with column
 * names) is not documented. So before it reads CSV, the runner reads this probe both ways: CSV
 * is used only when every value, NULL and '' included, comes out as it does from JSON.
 */

export type DataApiResultFormat = 'csv' | 'json';

export interface ResultFormatChoice {
  readonly format: DataApiResultFormat;
  /** Why, in a sentence for logs and `opslake status`. */
  readonly reason: string;
}

/**
 * One row with a value of each kind the exported views hold, and the cases CSV could blur: NULL
 * and '' of the same type, a comma, quotes and line breaks (LF and CRLF) in one value, multibyte
 * UTF-8, CHAR padding, an int8 beyond 2^53, timestamps with and without microseconds. Constants
 * only, so it runs on the leader node and reads no table.
 */
export const RESULT_FORMAT_PROBE: SqlStatement = {
  text: [
    "SELECT CAST(NULL AS varchar(16)) AS null_text, CAST('' AS varchar(16)) AS empty_text,",
    "  CAST('a,b \"c\"' || chr(10) || 'd' || chr(13) || chr(10) || 'é€😀' AS varchar(64)) AS quoted_text,",
    "  CAST('pad' AS char(6)) AS padded_char, CAST(' ' AS varchar(4)) AS blank_text,",
    '  CAST(9007199254740993 AS bigint) AS big_integer, CAST(-42 AS integer) AS integer_value,',
    '  CAST(7 AS smallint) AS small_integer, CAST(NULL AS bigint) AS null_integer,',
    "  CAST('2026-01-02 03:04:05.123456' AS timestamp) AS fraction_time, CAST('2026-01-02 03:04:05' AS timestamp) AS whole_time,",
    '  CAST(NULL AS timestamp) AS null_time, TRUE AS true_value, FALSE AS false_value, CAST(NULL AS boolean) AS null_boolean,',
    '  CAST(0.25 AS double precision) AS double_value, CAST(12.5 AS numeric(6,2)) AS numeric_value',
  ].join('\n'),
  parameters: {},
};

/** The first column whose values differ between two results (or `row count`); undefined when they are the same. */
export function firstDifference(expected: readonly SqlRow[], actual: readonly SqlRow[]): string | undefined {
  if (expected.length !== actual.length) return 'row count';
  for (let i = 0; i < expected.length; i += 1) {
    const want = expected[i] as SqlRow;
    const got = actual[i] as SqlRow;
    const names = new Set([...Object.keys(want), ...Object.keys(got)]);
    for (const name of names) {
      if (!(name in want) || !(name in got) || !Object.is(want[name], got[name])) return name;
    }
  }
  return undefined;
}
