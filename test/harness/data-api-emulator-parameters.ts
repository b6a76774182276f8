/**
 * Rewrites Data API named parameters (`:name`) into PostgreSQL positional ones (`$1`), the way
 * Redshift binds them: a `::` cast, text inside string literals, quoted identifiers, dollar
 * quotes and comments are never parameters.
 */

export class MissingParameterError extends Error {
  readonly parameter: string;

  constructor(parameter: string) {
    super(`no value was given for the SQL parameter :${parameter}`);
    this.name = 'MissingParameterError';
    this.parameter = parameter;
  }
}

export interface PositionalSql {
  readonly text: string;
  /** Values in `$n` order; a name used twice is bound once. */
  readonly values: readonly string[];
}

const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/;

export function toPositionalSql(sql: string, parameters: ReadonlyMap<string, string>): PositionalSql {
  const positions = new Map<string, number>();
  const values: string[] = [];
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    const end = skipQuotedOrComment(sql, i);
    if (end > i) {
      out += sql.slice(i, end);
      i = end;
    } else if (c === ':' && next === ':') {
      out += '::';
      i += 2;
    } else if (c === ':' && next !== undefined && NAME_START.test(next)) {
      let j = i + 1;
      while (j < sql.length && NAME_PART.test(sql[j] as string)) j += 1;
      const name = sql.slice(i + 1, j);
      let position = positions.get(name);
      if (position === undefined) {
        const value = parameters.get(name);
        if (value === undefined) throw new MissingParameterError(name);
        values.push(value);
        position = values.length;
        positions.set(name, position);
      }
      out += `$${position}`;
      i = j;
    } else {
      out += c;
      i += 1;
    }
  }
  return { text: out, values };
}

/** The index just past the literal, identifier or comment starting at `i`, or `i` when none does. */
function skipQuotedOrComment(sql: string, i: number): number {
  const c = sql[i];
  const next = sql[i + 1];
  const previous = i > 0 ? (sql[i - 1] as string) : '';
  if (c === "'") {
    // E'...' strings take backslash escapes; standard strings only double the quote.
    const escapes = /[eE]/.test(previous) && (i < 2 || !NAME_PART.test(sql[i - 2] as string));
    return skipQuoted(sql, i, "'", escapes);
  }
  if (c === '"') return skipQuoted(sql, i, '"', false);
  if (c === '-' && next === '-') {
    const newline = sql.indexOf('\n', i);
    return newline === -1 ? sql.length : newline;
  }
  if (c === '/' && next === '*') return skipBlockComment(sql, i);
  if (c === '$' && !NAME_PART.test(previous)) {
    const tag = DOLLAR_TAG.exec(sql.slice(i))?.[0];
    if (tag !== undefined) {
      const close = sql.indexOf(tag, i + tag.length);
      return close === -1 ? sql.length : close + tag.length;
    }
  }
  return i;
}

function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i += 1;
    }
  }
  return sql.length;
}

function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth += 1;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  return sql.length;
}
