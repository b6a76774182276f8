import { type HiveType, trinoTypeText } from '../tables/hive-type.js';

/**
 * The few expressions a lake view is built from, in the SQL of each engine. The view declaration
 * (cloudtrail-logs-view.ts) says what each column is; these say how each engine computes it, so
 * both engines give the same values: that is checked on DuckDB against the documentation's table,
 * and the Trino forms are the documented Trino functions for the same thing.
 */
export interface ViewSqlDialect {
  /** A JSON member at `path` as text: a string as it is, anything else as its JSON text; NULL when absent. */
  jsonText(json: string, path: readonly string[]): string;
  /** True when the JSON has a member at `path`. */
  jsonHas(json: string, path: readonly string[]): string;
  /** A TIMESTAMP (UTC) in CloudTrail's form, `2024-03-05T14:07:31Z` (fractions only when there are some). */
  timestampText(timestamp: string): string;
  booleanText(value: string): string;
  /** JSON text as the SerDe gives a JSON value in a string column: a JSON string unquoted, anything else as it is. */
  jsonValueText(json: string): string;
  /** A struct of `type` (whose fields are in the order given) from one expression per field. */
  struct(type: Extract<HiveType, { kind: 'struct' }>, values: readonly string[]): string;
  /** JSON text parsed into `type` (a struct, an array or a map); members are matched regardless of case; NULL when it does not fit. */
  parseJson(json: string, type: HiveType): string;
  /**
   * Microseconds from one TIMESTAMP to another, as BIGINT. Trino counts milliseconds at most; Athena
   * reads the lake's timestamps to the millisecond anyway.
   */
  microsBetween(start: string, end: string): string;
}

/** A JSON path of record member names, each quoted (`$."userIdentity"."sessionContext"`). */
function duckDbPath(path: readonly string[]): string {
  return `'$${path.map((segment) => `."${segment}"`).join('')}'`;
}

function trinoPath(path: readonly string[]): string {
  return `'$${path.map((segment) => `["${segment}"]`).join('')}'`;
}

/** The text of member `field` of a JSON object `object`, whatever the case of its key (as the documentation's SerDe reads it). */
function duckDbMemberText(object: string, field: string): string {
  return `json_extract_string(${object}, '$."' || list_filter(json_keys(${object}), k -> lower(k) = '${field}')[1] || '"')`;
}

function duckDbStructOfJson(object: string, type: HiveType): string {
  if (type.kind !== 'struct' || type.fields.some((field) => field.type.kind !== 'string')) {
    throw new RangeError(`a JSON object is read into a struct of strings only, not ${JSON.stringify(type)}`);
  }
  return `struct_pack(${type.fields.map((field) => `"${field.name}" := ${duckDbMemberText(object, field.name)}`).join(', ')})`;
}

export const DUCKDB_VIEW_SQL: ViewSqlDialect = {
  jsonText: (json, path) => `json_extract_string(${json}, ${duckDbPath(path)})`,
  jsonHas: (json, path) => `json_exists(${json}, ${duckDbPath(path)})`,
  timestampText: (timestamp) =>
    `strftime(${timestamp}, '%Y-%m-%dT%H:%M:%S') || CASE WHEN strftime(${timestamp}, '%f') = '000000' THEN '' ` +
    `WHEN strftime(${timestamp}, '%f') LIKE '%000' THEN '.' || strftime(${timestamp}, '%g') ` +
    `ELSE '.' || strftime(${timestamp}, '%f') END || 'Z'`,
  booleanText: (value) => `CAST(${value} AS VARCHAR)`,
  jsonValueText: (json) => `CASE WHEN starts_with(${json}, '"') THEN json_extract_string(${json}, '$') ELSE ${json} END`,
  struct: (type, values) => `struct_pack(${type.fields.map((field, index) => `"${field.name}" := ${values[index]}`).join(', ')})`,
  parseJson: (json, type) => {
    switch (type.kind) {
      case 'array':
        return `TRY(list_transform(CAST(${json} AS JSON[]), e -> ${duckDbStructOfJson('e', type.element)}))`;
      case 'struct':
        return `CASE WHEN json_type(${json}) = 'OBJECT' THEN ${duckDbStructOfJson(json, type)} END`;
      case 'map':
        return `TRY(CAST(CAST(${json} AS JSON) AS MAP(VARCHAR, VARCHAR)))`;
      default:
        return json;
    }
  },
  microsBetween: (start, end) => `date_diff('microsecond', ${start}, ${end})`,
};

export const TRINO_VIEW_SQL: ViewSqlDialect = {
  jsonText: (json, path) =>
    `coalesce(json_extract_scalar(${json}, ${trinoPath(path)}), json_format(json_extract(${json}, ${trinoPath(path)})))`,
  jsonHas: (json, path) => `json_extract(${json}, ${trinoPath(path)}) IS NOT NULL`,
  timestampText: (timestamp) =>
    `date_format(${timestamp}, '%Y-%m-%dT%H:%i:%s') || CASE WHEN date_format(${timestamp}, '%f') = '000000' THEN '' ` +
    `WHEN date_format(${timestamp}, '%f') LIKE '%000' THEN '.' || substr(date_format(${timestamp}, '%f'), 1, 3) ` +
    `ELSE '.' || date_format(${timestamp}, '%f') END || 'Z'`,
  booleanText: (value) => `CAST(${value} AS varchar)`,
  jsonValueText: (json) => `CASE WHEN starts_with(${json}, '"') THEN json_extract_scalar(${json}, '$') ELSE ${json} END`,
  struct: (type, values) => `CAST(ROW(${values.join(', ')}) AS ${trinoTypeText(type)})`,
  // Trino's JSON-to-ROW cast matches object keys to field names case-insensitively, as the SerDe does.
  parseJson: (json, type) => `TRY(CAST(json_parse(${json}) AS ${trinoTypeText(type)}))`,
  microsBetween: (start, end) => `date_diff('millisecond', ${start}, ${end}) * 1000`,
};
