import { strftimeFormat, UnsupportedFormatError } from './trino-datetime-format.js';

/**
 * The Trino functions that DuckDB spells or means differently, each with its DuckDB form for the
 * same arguments and result. Functions not listed here mean the same in both engines (count_if,
 * try, date_trunc, max_by, array_agg, regexp_extract_all, lower, ...) or are missing from DuckDB,
 * which the engine reports by name and line. Pure data table of small rules, kept together.
 */
export interface TrinoCall {
  readonly name: string;
  /** The arguments, already translated, without surrounding space. */
  readonly args: readonly string[];
  /** The value of argument `index` when it is a string literal. */
  literal(index: number): string | undefined;
  /** Refuses the call with `problem`; the error names the function and its line. */
  refuse(problem: string): never;
}

export type TrinoFunctionRule = (call: TrinoCall) => string;

function arity(call: TrinoCall, min: number, max = min): readonly string[] {
  if (call.args.length < min || call.args.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    call.refuse(`takes ${expected} arguments here, not ${call.args.length}`);
  }
  return call.args;
}

const rename =
  (to: string, min: number, max = min): TrinoFunctionRule =>
  (call) =>
    `${to}(${arity(call, min, max).join(', ')})`;

/** Trino's JSONPath quotes a member as `$["a b"]`, DuckDB's as `$."a b"`. */
function jsonPath(call: TrinoCall, index: number): string {
  const path = call.literal(index);
  const given = call.args[index] ?? '';
  if (path === undefined) return given;
  return `'${path.replace(/\["((?:[^"\\]|\\.)*)"\]/g, '."$1"').replaceAll("'", "''")}'`;
}

function format(call: TrinoCall, index: number, parsing: boolean): string {
  const text = call.literal(index);
  if (text === undefined) return call.refuse('needs its format as a string literal to translate it');
  try {
    return `'${strftimeFormat(text, parsing).replaceAll("'", "''")}'`;
  } catch (error) {
    if (error instanceof UnsupportedFormatError) return call.refuse(error.message);
    throw error;
  }
}

const UNITS: Readonly<Record<string, string>> = {
  millisecond: 'MILLISECOND',
  second: 'SECOND',
  minute: 'MINUTE',
  hour: 'HOUR',
  day: 'DAY',
  week: 'WEEK',
  month: 'MONTH',
  quarter: 'QUARTER',
  year: 'YEAR',
};

function unit(call: TrinoCall): string {
  const given = call.literal(0)?.toLowerCase();
  if (given === undefined || UNITS[given] === undefined)
    return call.refuse(`takes a unit literal, one of ${Object.keys(UNITS).join(', ')}`);
  return given;
}

/** Trino's replacement refers to groups as `$1`, DuckDB's as `\1`. */
function replacement(call: TrinoCall, index: number): string {
  if (call.args.length <= index) return "''";
  const text = call.literal(index);
  if (text === undefined) return call.refuse('needs its replacement as a string literal to translate it');
  return `'${text.replace(/\$(\d)/g, '\\$1').replaceAll("'", "''")}'`;
}

export const TRINO_FUNCTIONS: Readonly<Record<string, TrinoFunctionRule>> = {
  // JSON: Trino's json_extract_scalar gives NULL for an object or an array; see duckdb-trino-macros.ts.
  json_extract: (call) => `json_extract(${arity(call, 2)[0]}, ${jsonPath(call, 1)})`,
  json_extract_scalar: (call) => `trino_json_extract_scalar(${arity(call, 2)[0]}, ${jsonPath(call, 1)})`,
  json_parse: rename('json', 1),
  json_format: (call) => `CAST(${arity(call, 1)[0]} AS VARCHAR)`,
  // Time: instants are UTC TIMESTAMPs in DuckDB, as the lake's columns are.
  from_iso8601_timestamp: (call) => `CAST(CAST(${arity(call, 1)[0]} AS TIMESTAMPTZ) AS TIMESTAMP)`,
  from_iso8601_date: (call) => `CAST(${arity(call, 1)[0]} AS DATE)`,
  date_parse: (call) => `strptime(${arity(call, 2)[0]}, ${format(call, 1, true)})`,
  date_format: (call) => `strftime(${arity(call, 2)[0]}, ${format(call, 1, false)})`,
  to_unixtime: rename('epoch', 1),
  from_unixtime: (call) => `CAST(to_timestamp(${arity(call, 1)[0]}) AS TIMESTAMP)`,
  date_add: (call) => {
    const [, amount, time] = arity(call, 3);
    const name = unit(call);
    return name === 'quarter' ? `(${time} + INTERVAL (3 * (${amount})) MONTH)` : `(${time} + INTERVAL (${amount}) ${UNITS[name]})`;
  },
  // DuckDB's date_diff counts boundaries crossed; its date_sub counts whole units, as Trino's date_diff does.
  date_diff: (call) => `date_sub('${unit(call)}', ${arity(call, 3).slice(1).join(', ')})`,
  now: (call) => {
    arity(call, 0);
    return 'CAST(current_timestamp AS TIMESTAMP)';
  },
  day_of_week: rename('isodow', 1),
  dow: rename('isodow', 1),
  day_of_year: rename('dayofyear', 1),
  doy: rename('dayofyear', 1),
  // Strings and patterns: Trino gives NULL where DuckDB gives '' (no match, no such part).
  regexp_like: rename('regexp_matches', 2),
  regexp_extract: (call) => `trino_regexp_extract(${arity(call, 2, 3).join(', ')}${call.args.length === 2 ? ', 0' : ''})`,
  regexp_replace: (call) => `regexp_replace(${arity(call, 2, 3).slice(0, 2).join(', ')}, ${replacement(call, 2)}, 'g')`,
  split_part: rename('trino_split_part', 3),
  replace: (call) => `replace(${arity(call, 2, 3).slice(0, 2).join(', ')}, ${call.args[2] ?? "''"})`,
  // Arrays and maps.
  cardinality: rename('trino_cardinality', 1),
  contains: rename('list_contains', 2),
  element_at: (call) => {
    const [container, key] = arity(call, 2);
    return `(${container})[${key}]`;
  },
  array_join: rename('array_to_string', 2),
  // Aggregates.
  approx_distinct: (call) => `approx_count_distinct(${arity(call, 1, 2)[0]})`,
  approx_percentile: (call) => {
    if (call.args.length === 3) call.refuse('with a weight has no DuckDB equivalent; drop the weight or run it in Athena');
    return `approx_quantile(${arity(call, 2).join(', ')})`;
  },
  arbitrary: rename('any_value', 1),
};

/** Trino functions refused by name, with what to do instead. */
export const UNTRANSLATED_TRINO_FUNCTIONS: Readonly<Record<string, string>> = {
  format_datetime: 'Joda-style formats are not translated: use date_format with MySQL-style specifiers (%Y-%m-%d %H:%i:%s)',
  parse_datetime: 'Joda-style formats are not translated: use date_parse, or from_iso8601_timestamp for eventtime',
  to_iso8601: "is not translated: use date_format(x, '%Y-%m-%dT%H:%i:%s')",
  json_array_get: "is deprecated in Trino and not translated: use json_extract(x, '$[0]')",
  json_array_contains: 'is not translated: use contains(CAST(json_parse(x) AS ARRAY(VARCHAR)), value)',
  json_size: 'is not translated: use cardinality(CAST(json_extract(x, path) AS ARRAY(JSON)))',
  at_timezone: 'is not translated: the local lake keeps every time in UTC',
  with_timezone: 'is not translated: the local lake keeps every time in UTC',
};
