import { SqlStatementError } from '../../errors.js';
import type { SqlStatement } from '../../ports/sql-runner.js';

/** A statement in the wire protocol's own form: `$1..$n` in the text, values in that order. */
export interface PositionalStatement {
  readonly text: string;
  readonly values: readonly string[];
}

const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

/**
 * Rewrites the `:name` parameters of a statement (the Data API's syntax, which every SQL string
 * of the pipeline uses) into PostgreSQL's `$1..$n`. Pure. A name used twice gets one number.
 * Only placeholders in SQL proper are rewritten: `::` casts, string literals (standard,
 * `E'...'` and dollar-quoted), quoted identifiers and comments are copied as they are, so a
 * value can never be spliced into the text by accident. Parameters that the text does not use
 * are ignored; a placeholder without a value, or a positional `$1`, is an error. `placeholder`
 * writes parameter n in the text (the Data API emulator writes an expression of its own).
 */
export function toPgPlaceholders(statement: SqlStatement, placeholder: (n: number) => string = (n) => `$${n}`): PositionalStatement {
  const { text, parameters } = statement;
  const numbers = new Map<string, number>();
  const values: string[] = [];
  let out = '';
  let i = 0;
  for (let ch = text.charAt(i); i < text.length; ch = text.charAt(i)) {
    const next = text[i + 1];
    let end: number;
    if (ch === "'") {
      end = skipQuoted(text, i, "'", isEscapeString(text, i));
    } else if (ch === '"') {
      end = skipQuoted(text, i, '"', false);
    } else if (ch === '-' && next === '-') {
      const newline = text.indexOf('\n', i);
      end = newline === -1 ? text.length : newline;
    } else if (ch === '/' && next === '*') {
      end = skipBlockComment(text, i);
    } else if (ch === '$' && next !== undefined && /[0-9]/.test(next) && !isNamePart(text[i - 1])) {
      // Positional parameters would collide with the numbers given to named ones.
      const positional = /^\$[0-9]+/.exec(text.slice(i))?.[0] ?? ch;
      throw new SqlStatementError(`the statement uses positional parameter ${positional}; name it (:name) instead`);
    } else if (ch === '$' && !isNamePart(text[i - 1])) {
      end = skipDollarQuoted(text, i);
    } else if (ch === ':' && next === ':') {
      end = i + 2;
    } else if (ch === ':' && next !== undefined && NAME_START.test(next)) {
      end = i + 1;
      while (end < text.length && NAME_PART.test(text.charAt(end))) end += 1;
      const name = text.slice(i + 1, end);
      out += placeholder(numberOf(name, parameters, numbers, values));
      i = end;
      continue;
    } else if (isNamePart(ch)) {
      // A whole word at once, so that the `E` of `E'...'` is seen only at a word's start.
      end = i + 1;
      while (end < text.length && isNamePart(text[end])) end += 1;
    } else {
      end = i + 1;
    }
    out += text.slice(i, end);
    i = end;
  }
  return { text: out, values };
}

function numberOf(name: string, parameters: Readonly<Record<string, string>>, numbers: Map<string, number>, values: string[]): number {
  const known = numbers.get(name);
  if (known !== undefined) return known;
  const value = Object.hasOwn(parameters, name) ? parameters[name] : undefined;
  if (value === undefined) {
    throw new SqlStatementError(`the statement uses :${name} but no value was given for it`);
  }
  values.push(value);
  numbers.set(name, values.length);
  return values.length;
}

function isNamePart(ch: string | undefined): boolean {
  return ch !== undefined && (NAME_PART.test(ch) || ch === '$' || ch > '\u007f');
}

/** `E'...'` (or `e'...'`) takes backslash escapes; a plain literal does not. */
function isEscapeString(text: string, quote: number): boolean {
  const prefix = text[quote - 1];
  return (prefix === 'E' || prefix === 'e') && !isNamePart(text[quote - 2]);
}

/** Index just past the closing quote; a doubled quote stands for itself. Unterminated: to the end. */
function skipQuoted(text: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (backslashEscapes && ch === '\\') {
      i += 2;
    } else if (ch === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i += 1;
    }
  }
  return text.length;
}

/** PostgreSQL block comments nest. */
function skipBlockComment(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    if (text[i] === '/' && text[i + 1] === '*') {
      depth += 1;
      i += 2;
    } else if (text[i] === '*' && text[i + 1] === '/') {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  return text.length;
}

/** `$tag$ ... $tag$`; a `$` that opens no tag is one character. */
function skipDollarQuoted(text: string, start: number): number {
  const tag = DOLLAR_TAG.exec(text.slice(start, start + 64))?.[0];
  if (tag === undefined) return start + 1;
  const close = text.indexOf(tag, start + tag.length);
  return close === -1 ? text.length : close + tag.length;
}
