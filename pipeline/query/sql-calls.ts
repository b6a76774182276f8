import type { SqlToken } from './sql-tokens.js';

/**
 * Reading function calls out of a token list (sql-tokens.ts): where a parenthesis closes, where
 * the arguments of a call begin and end, on which line a token stands. Positions are indexes in
 * the token list; ranges are [start, end).
 */
export type TokenRange = readonly [start: number, end: number];

export function isSignificant(token: SqlToken | undefined): boolean {
  return token !== undefined && token.kind !== 'space' && token.kind !== 'comment';
}

/** The next token that is not space or a comment, at or after `from` and before `end`. */
export function nextSignificant(tokens: readonly SqlToken[], from: number, end = tokens.length): number | undefined {
  for (let index = from; index < end; index += 1) if (isSignificant(tokens[index])) return index;
  return undefined;
}

/** The previous token that is not space or a comment, before `from`. */
export function previousSignificant(tokens: readonly SqlToken[], from: number): number | undefined {
  for (let index = from - 1; index >= 0; index -= 1) if (isSignificant(tokens[index])) return index;
  return undefined;
}

/** The index of the `)` or `]` that closes the bracket at `open`; undefined when it is never closed. */
export function closingBracket(tokens: readonly SqlToken[], open: number): number | undefined {
  let depth = 0;
  for (let index = open; index < tokens.length; index += 1) {
    const token = tokens[index];
    if (token?.kind !== 'other') continue;
    if (token.text === '(' || token.text === '[') depth += 1;
    else if (token.text === ')' || token.text === ']') {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  return undefined;
}

/** The arguments between the parentheses at `open` and `close`, split at the commas of their own level. */
export function argumentRanges(tokens: readonly SqlToken[], open: number, close: number): TokenRange[] {
  const ranges: TokenRange[] = [];
  let depth = 0;
  let start = open + 1;
  for (let index = open + 1; index < close; index += 1) {
    const token = tokens[index];
    if (token?.kind !== 'other') continue;
    if (token.text === '(' || token.text === '[') depth += 1;
    else if (token.text === ')' || token.text === ']') depth -= 1;
    else if (token.text === ',' && depth === 0) {
      ranges.push([start, index]);
      start = index + 1;
    }
  }
  if (ranges.length > 0 || nextSignificant(tokens, start, close) !== undefined) ranges.push([start, close]);
  return ranges;
}

/** The value of a range that is a single string literal, or undefined. */
export function literalValue(tokens: readonly SqlToken[], [start, end]: TokenRange): string | undefined {
  const first = nextSignificant(tokens, start, end);
  if (first === undefined || tokens[first]?.kind !== 'string' || nextSignificant(tokens, first + 1, end) !== undefined) return undefined;
  return tokens[first]?.text.slice(1, -1).replaceAll("''", "'");
}

/** The 1-based line of a token in the statement. */
export function lineOf(tokens: readonly SqlToken[], index: number): number {
  let line = 1;
  for (let at = 0; at < index; at += 1) line += (tokens[at]?.text.match(/\n/g) ?? []).length;
  return line;
}

export function newlines(text: string): number {
  return (text.match(/\n/g) ?? []).length;
}
