import { sqlTokens } from './sql-tokens.js';

/**
 * Trino functions used in `queries/` that DuckDB spells differently, with the same arguments and
 * meaning for the way the queries call them. Everything else in the files (date_trunc, date_diff,
 * max_by, count_if, array_agg with ORDER BY, split_part, regexp_extract, window functions,
 * `INTERVAL '1' HOUR`, CAST) means the same in both engines.
 */
export const DUCKDB_FUNCTION_NAMES: Readonly<Record<string, string>> = {
  json_extract_scalar: 'json_extract_string',
  regexp_like: 'regexp_matches',
  approx_percentile: 'approx_quantile',
  approx_distinct: 'approx_count_distinct',
};

/**
 * The one dialect layer: rewrites the Athena (Trino) SQL of a query file for DuckDB by renaming
 * the functions above where they are called. Literals, quoted identifiers and comments are left
 * alone, and nothing else changes, so the file stays the single source of each question.
 */
export function toDuckDbSql(trino: string): string {
  const tokens = [...sqlTokens(trino)];
  let out = '';
  for (const [index, token] of tokens.entries()) {
    const renamed = token.kind === 'word' ? DUCKDB_FUNCTION_NAMES[token.text.toLowerCase()] : undefined;
    out += renamed !== undefined && isCall(tokens, index) ? renamed : token.text;
  }
  return out;
}

function isCall(tokens: ReadonlyArray<{ kind: string; text: string }>, index: number): boolean {
  for (let next = index + 1; next < tokens.length; next += 1) {
    const token = tokens[next];
    if (!token || token.kind === 'space' || token.kind === 'comment') continue;
    return token.text === '(';
  }
  return false;
}
