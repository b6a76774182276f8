/**
 * A small lexer for the SQL of `queries/`: enough to tell words, `:name` parameters and the rest
 * apart from string literals, quoted identifiers and comments, so that rewriting a name or a
 * parameter never touches text inside a literal or a comment.
 */
export type SqlTokenKind = 'word' | 'parameter' | 'string' | 'quoted' | 'comment' | 'space' | 'other';

export interface SqlToken {
  readonly kind: SqlTokenKind;
  readonly text: string;
}

export function* sqlTokens(sql: string): Generator<SqlToken> {
  let index = 0;
  while (index < sql.length) {
    const rest = sql.slice(index);
    const token = nextToken(rest);
    yield token;
    index += token.text.length;
  }
}

function nextToken(rest: string): SqlToken {
  const char = rest.charAt(0);
  if (rest.startsWith('--')) return { kind: 'comment', text: rest.match(/^--[^\n]*/)?.[0] ?? rest };
  if (rest.startsWith('/*')) {
    const end = rest.indexOf('*/', 2);
    return { kind: 'comment', text: end < 0 ? rest : rest.slice(0, end + 2) };
  }
  if (char === "'") return { kind: 'string', text: rest.match(/^'(?:[^']|'')*(?:'|$)/)?.[0] ?? rest };
  if (char === '"') return { kind: 'quoted', text: rest.match(/^"(?:[^"]|"")*(?:"|$)/)?.[0] ?? rest };
  if (/\s/.test(char)) return { kind: 'space', text: rest.match(/^\s+/)?.[0] ?? char };
  const parameter = rest.match(/^:([a-z_][a-z0-9_]*)/);
  if (parameter && !rest.startsWith('::')) return { kind: 'parameter', text: parameter[0] };
  const word = rest.match(/^[A-Za-z_][A-Za-z0-9_$]*/);
  if (word) return { kind: 'word', text: word[0] };
  const number = rest.match(/^\d+(?:\.\d+)?(?:e[-+]?\d+)?/i);
  if (number) return { kind: 'other', text: number[0] };
  return { kind: 'other', text: rest.startsWith('::') ? '::' : char };
}

/** The `:name` parameters of a statement in order of appearance (a name used twice appears twice). */
export function parameterUses(sql: string): string[] {
  return [...sqlTokens(sql)].filter((token) => token.kind === 'parameter').map((token) => token.text.slice(1));
}

/**
 * Replaces each `:name` by `?`: both Athena (`ExecutionParameters`) and DuckDB (prepared
 * statements) bind values by position, so values never become part of the SQL text.
 */
export function toPositional(sql: string): { sql: string; order: string[] } {
  const order: string[] = [];
  let out = '';
  for (const token of sqlTokens(sql)) {
    if (token.kind === 'parameter') {
      order.push(token.text.slice(1));
      out += '?';
    } else {
      out += token.text;
    }
  }
  return { sql: out, order };
}
