import { QueryDefinitionError } from '../errors.js';
import type { PreparedQuery } from '../ports/query-engine.js';
import { bindParameters, type QueryParameter } from './query-parameters.js';
import { parameterUses, sqlTokens } from './sql-tokens.js';

/**
 * One statement of Athena (Trino) SQL written by someone (`opslake query --sql`), ready to run like
 * a query of `queries/`: one statement, its final semicolon dropped, and its `:name` parameters,
 * if it has any, bound as strings from the values given. The text is otherwise kept as written,
 * leading lines included, so that an error's line number is the line in the file.
 */
export function prepareAdHocQuery(name: string, text: string, given: Readonly<Record<string, string>> = {}): PreparedQuery {
  const tokens = [...sqlTokens(text)];
  const semicolons = tokens.flatMap((token, index) => (token.kind === 'other' && token.text === ';' ? [index] : []));
  const last = semicolons.at(-1);
  const trailing = last !== undefined && tokens.slice(last + 1).every((token) => token.kind === 'space' || token.kind === 'comment');
  if (semicolons.length > (trailing ? 1 : 0)) throw new QueryDefinitionError(name, 'holds more than one statement; run one at a time');
  const sql = (trailing && last !== undefined ? tokens.slice(0, last) : tokens)
    .map((token) => token.text)
    .join('')
    .trimEnd();
  if (!tokens.some((token) => token.kind === 'word')) throw new QueryDefinitionError(name, 'holds no SQL statement');
  const declared: QueryParameter[] = [...new Set(parameterUses(sql))].map((parameter) => ({
    name: parameter,
    type: 'string',
    description: `:${parameter} in ${name}`,
  }));
  return { name, sql, parameters: bindParameters(name, declared, given, new Date()) };
}

/** The names a statement uses as plain words (table and view names among them). */
export function wordsOf(sql: string): ReadonlySet<string> {
  return new Set([...sqlTokens(sql)].filter((token) => token.kind === 'word').map((token) => token.text.toLowerCase()));
}
