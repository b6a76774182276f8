import { UnsupportedSqlError } from '../errors.js';
import { argumentRanges, closingBracket, lineOf, literalValue, newlines, nextSignificant, previousSignificant } from './sql-calls.js';
import { type SqlToken, sqlTokens } from './sql-tokens.js';
import { TRINO_FUNCTIONS, type TrinoCall, UNTRANSLATED_TRINO_FUNCTIONS } from './trino-functions.js';
import { duckDbType, UnsupportedTypeError } from './trino-types.js';

/**
 * The one dialect layer: rewrites Athena (Trino) SQL for DuckDB, for the files of `queries/` and
 * for ad-hoc SQL alike. Calls of the functions in trino-functions.ts are rewritten (their
 * arguments first), CAST targets are spelled as DuckDB types, `current_timestamp` is a UTC
 * TIMESTAMP like the lake's times, and the UNNEST forms DuckDB lacks become LATERAL subqueries.
 * Literals, quoted identifiers and comments are left alone, and every line stays on its line, so
 * an error points at the line the user wrote. A call that cannot be translated throws
 * UnsupportedSqlError naming the function and the line. Some translations call the macros of
 * duckdb-trino-macros.ts, which the connection must have (openLocalQueries installs them).
 */
export function toDuckDbSql(trino: string): string {
  const tokens = [...sqlTokens(trino)];
  return new Translator(tokens).range(0, tokens.length);
}

const MISSING_FUNCTION = /(?:Scalar|Aggregate|Table) Function with name "?([A-Za-z_][A-Za-z0-9_]*)"? does not exist/i;

/**
 * DuckDB's error for a function it does not have, as the dialect layer's own: UnsupportedSqlError
 * naming the function and its line in the SQL as the user wrote it. Undefined for other errors.
 */
export function missingFunctionError(trino: string, error: unknown, query?: string): UnsupportedSqlError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const name = MISSING_FUNCTION.exec(message)?.[1];
  if (name === undefined) return undefined;
  const tokens = [...sqlTokens(trino)];
  const at = tokens.findIndex(
    (token, index) => token.kind === 'word' && token.text.toLowerCase() === name.toLowerCase() && isCallAt(tokens, index),
  );
  // The translation keeps every line on its line, so DuckDB's own line number is right too.
  const line = at >= 0 ? lineOf(tokens, at) : Number(/LINE (\d+):/.exec(message)?.[1] ?? 1);
  const problem = 'is not a DuckDB function and the dialect layer has no translation for it; run the query in Athena (--engine athena)';
  return new UnsupportedSqlError(name, line, problem, { ...(query ? { query } : {}), cause: error });
}

function isCallAt(tokens: readonly SqlToken[], index: number): boolean {
  const next = nextSignificant(tokens, index + 1);
  return next !== undefined && tokens[next]?.text === '(';
}

/** Trino's bare datetime keywords: instants, in UTC, as TIMESTAMPs. */
const BARE_WORDS: Readonly<Record<string, string>> = {
  current_timestamp: 'CAST(current_timestamp AS TIMESTAMP)',
  localtimestamp: 'CAST(current_timestamp AS TIMESTAMP)',
};

/** Calls whose result is JSON: Trino casts a JSON string to VARCHAR as its value, DuckDB as its JSON text. */
const JSON_RESULTS = new Set(['json_extract', 'json_parse']);

class Translator {
  readonly #tokens: readonly SqlToken[];

  constructor(tokens: readonly SqlToken[]) {
    this.#tokens = tokens;
  }

  /** The translation of tokens [start, end). */
  range(start: number, end: number): string {
    let out = '';
    let index = start;
    while (index < end) {
      const token = this.#tokens[index];
      if (token === undefined) break;
      const word = token.kind === 'word' && !this.#qualified(index) ? token.text.toLowerCase() : undefined;
      const open = word === undefined ? undefined : nextSignificant(this.#tokens, index + 1, end);
      if (word !== undefined && open !== undefined && this.#tokens[open]?.text === '(') {
        const close = closingBracket(this.#tokens, open);
        if (close !== undefined && close < end) {
          out += this.#call(word, index, open, close);
          index = close + 1;
          continue;
        }
      }
      const bare = word === undefined ? undefined : BARE_WORDS[word];
      out += bare ?? token.text;
      index += 1;
    }
    return out;
  }

  /** A call (or any word followed by parentheses: an alias list, IN, OVER) with its replacement. */
  #call(word: string, at: number, open: number, close: number): string {
    const original = this.#tokens.slice(at, close + 1).reduce((text, token) => text + token.text, '');
    let translated: string;
    if (word === 'cast' || word === 'try_cast') translated = this.#cast(word, at, open, close);
    else if (word === 'unnest') return this.#unnest(at, open, close);
    else {
      const untranslated = UNTRANSLATED_TRINO_FUNCTIONS[word];
      if (untranslated !== undefined) throw new UnsupportedSqlError(word, lineOf(this.#tokens, at), untranslated);
      const rule = TRINO_FUNCTIONS[word];
      if (rule === undefined) return `${this.#tokens[at]?.text ?? ''}${this.range(at + 1, close + 1)}`;
      translated = rule(this.#trinoCall(word, at, open, close));
    }
    // A rewritten call may be shorter than the lines it spanned: pad it, so what follows keeps its line.
    return translated + '\n'.repeat(Math.max(0, newlines(original) - newlines(translated)));
  }

  #trinoCall(name: string, at: number, open: number, close: number): TrinoCall {
    const ranges = argumentRanges(this.#tokens, open, close);
    return {
      name,
      args: ranges.map(([start, end]) => this.range(start, end).trim()),
      literal: (index) => {
        const range = ranges[index];
        return range === undefined ? undefined : literalValue(this.#tokens, range);
      },
      refuse: (problem) => {
        throw new UnsupportedSqlError(name, lineOf(this.#tokens, at), problem);
      },
    };
  }

  /** `CAST(x AS type)`: the type in DuckDB's spelling; to JSON as DuckDB's to_json; a JSON value to VARCHAR as its text. */
  #cast(word: string, at: number, open: number, close: number): string {
    const as = this.#topLevel(open, close, 'as');
    if (as === undefined) throw new UnsupportedSqlError(word, lineOf(this.#tokens, at), 'expected CAST(value AS type)');
    const value = this.range(open + 1, as);
    const typeText = this.#tokens.slice(as + 1, close).reduce((text, token) => text + token.text, '');
    let type: string;
    try {
      type = duckDbType(typeText.trim());
    } catch (error) {
      if (error instanceof UnsupportedTypeError) throw new UnsupportedSqlError(word, lineOf(this.#tokens, at), error.message);
      throw error;
    }
    const wrap = (expression: string) => (word === 'try_cast' ? `TRY(${expression})` : expression);
    if (type === 'JSON') return wrap(`to_json(${value.trim()})`);
    if (type === 'VARCHAR' && this.#isJsonCall(open + 1, as)) return wrap(`json_extract_string(${value.trim()}, '$')`);
    return `${this.#tokens[at]?.text}(${value}AS ${type})`;
  }

  #isJsonCall(start: number, end: number): boolean {
    const first = nextSignificant(this.#tokens, start, end);
    if (first === undefined || !JSON_RESULTS.has(this.#tokens[first]?.text.toLowerCase() ?? '')) return false;
    const open = nextSignificant(this.#tokens, first + 1, end);
    const close = open === undefined ? undefined : closingBracket(this.#tokens, open);
    return close !== undefined && nextSignificant(this.#tokens, close + 1, end) === undefined;
  }

  /**
   * `UNNEST(...) [WITH ORDINALITY] [AS] alias(columns)` in a FROM clause. DuckDB unnests one array
   * into one column itself; Trino also unnests an array of rows into a column per field, and
   * several arrays side by side: those become a LATERAL subquery.
   */
  #unnest(at: number, open: number, close: number): string {
    const args = argumentRanges(this.#tokens, open, close).map(([start, end]) => this.range(start, end).trim());
    const alias = this.#unnestAlias(close);
    const native = `${this.#tokens[at]?.text}${this.range(at + 1, close + 1)}`;
    if (alias === undefined || (args.length === 1 && (alias.columns <= 1 || alias.ordinality))) return native;
    if (alias.ordinality) {
      throw new UnsupportedSqlError('unnest', lineOf(this.#tokens, at), 'WITH ORDINALITY over several arrays or rows is not translated');
    }
    const select =
      args.length === 1
        ? `SELECT unnest_row.* FROM (SELECT unnest(${args[0]}) AS unnest_row)`
        : `SELECT ${args.map((arg) => `unnest(${arg})`).join(', ')}`;
    const original = this.#tokens.slice(at, close + 1).reduce((text, token) => text + token.text, '');
    return `LATERAL (${select})${'\n'.repeat(newlines(original))}`;
  }

  /** The alias after an UNNEST: how many columns it names, and whether WITH ORDINALITY adds one. */
  #unnestAlias(close: number): { columns: number; ordinality: boolean } | undefined {
    let at = nextSignificant(this.#tokens, close + 1);
    const word = (index: number | undefined) => (index === undefined ? '' : (this.#tokens[index]?.text.toLowerCase() ?? ''));
    let ordinality = false;
    if (word(at) === 'with') {
      ordinality = true;
      at = nextSignificant(this.#tokens, (nextSignificant(this.#tokens, (at ?? 0) + 1) ?? 0) + 1);
    }
    if (word(at) === 'as') at = nextSignificant(this.#tokens, (at ?? 0) + 1);
    const list = at === undefined ? undefined : nextSignificant(this.#tokens, at + 1);
    if (list === undefined || this.#tokens[list]?.text !== '(') return ordinality ? { columns: 0, ordinality } : undefined;
    const end = closingBracket(this.#tokens, list);
    const columns = end === undefined ? 0 : argumentRanges(this.#tokens, list, end).length;
    return { columns: columns - (ordinality ? 1 : 0), ordinality };
  }

  /** The first token at the parentheses' own level equal to `word`, between `open` and `close`. */
  #topLevel(open: number, close: number, word: string): number | undefined {
    let depth = 0;
    for (let index = open + 1; index < close; index += 1) {
      const token = this.#tokens[index];
      if (token?.text === '(' || token?.text === '[') depth += 1;
      else if (token?.text === ')' || token?.text === ']') depth -= 1;
      else if (depth === 0 && token?.kind === 'word' && token.text.toLowerCase() === word) return index;
    }
    return undefined;
  }

  /** True for `x.name`: a member or column reference, never a function call. */
  #qualified(index: number): boolean {
    const previous = previousSignificant(this.#tokens, index);
    return previous !== undefined && this.#tokens[previous]?.text === '.';
  }
}
