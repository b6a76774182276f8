import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * DuckDB macros with Trino's meaning, for the translations that need an argument twice (the
 * dialect layer names each argument once, so that every line of the SQL stays on its line), and
 * the session setting that makes `/` on integers divide as Trino does. Each differs from the
 * DuckDB function of the same name only where Trino and DuckDB disagree:
 *
 * - json_extract_scalar: NULL for an object or an array (DuckDB's json_extract_string gives its JSON text);
 * - regexp_extract: NULL when nothing matches (DuckDB gives '');
 * - split_part: NULL past the last part (DuckDB gives '');
 * - cardinality: the length of an array or the size of a map (DuckDB's cardinality takes maps only).
 *
 * The macros are created in the catalog's database, so views that use them (the views of
 * `queries/`) keep working when the catalog file is opened again.
 */
export const TRINO_MACROS: readonly string[] = [
  `CREATE OR REPLACE MACRO trino_json_extract_scalar(j, p) AS
     CASE WHEN json_type(j, p) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(j, p) END`,
  `CREATE OR REPLACE MACRO trino_regexp_extract(s, p, g) AS CASE WHEN regexp_matches(s, p) THEN regexp_extract(s, p, g) END`,
  `CREATE OR REPLACE MACRO trino_split_part(s, d, i) AS CASE WHEN i <= len(string_split(s, d)) THEN split_part(s, d, i) END`,
  `CREATE OR REPLACE MACRO trino_cardinality(x) AS
     CASE WHEN json_type(to_json(x)) = 'OBJECT' THEN len(json_keys(to_json(x))) ELSE json_array_length(to_json(x)) END`,
];

/** Makes a connection ready for SQL from the dialect layer: the macros, and integer division as Trino's. */
export async function prepareDuckDbForTrino(connection: DuckDBConnection): Promise<void> {
  for (const macro of TRINO_MACROS) await connection.run(macro);
  await connection.run('SET integer_division = true');
}
