import { OpslakeError } from '../errors.js';

/**
 * Checks the SQL of a custom export before anything reaches a cluster: one statement, a SELECT
 * (or WITH ... SELECT), no side effects, both slot parameters. A small tokenizer rather than a
 * SQL parser: the parsers at hand reject valid Redshift SQL (node-sql-parser's Redshift grammar
 * refuses `APPROXIMATE COUNT(DISTINCT ...)`, for one) and would weigh on every Lambda bundle,
 * while what has to be certain here is lexical: what is code and what is inside a string
 * literal, a quoted identifier or a comment. Where Redshift and PostgreSQL read a text
 * differently (a backslash in a literal, a nested comment, dollar quoting), the text is refused
 * rather than guessed at.
 */

export type CustomSqlTokenKind = 'word' | 'parameter' | 'string' | 'quoted' | 'comment' | 'space' | 'number' | 'symbol';

export interface CustomSqlToken {
  readonly kind: CustomSqlTokenKind;
  readonly text: string;
}

/** Why the SQL is refused, phrased to follow the parameter's name; the validator turns it into a ConfigError. */
export class CustomSqlProblem extends OpslakeError {
  constructor(readonly problem: string) {
    super(problem);
    this.name = 'CustomSqlProblem';
  }
}

/** The Data API refuses SQL over 100 KB; a custom export stays well under it. */
export const MAX_CUSTOM_SQL_LENGTH = 65_536;

export const SLOT_PARAMETERS = ['slot_start', 'slot_end'] as const;

/** Words that start, or are part of, a statement that writes, locks, or runs other code. */
const WRITING_WORDS = new Set([
  'insert',
  'update',
  'delete',
  'merge',
  'into',
  'create',
  'drop',
  'alter',
  'truncate',
  'grant',
  'revoke',
  'copy',
  'unload',
  'call',
  'execute',
  'prepare',
  'deallocate',
  'vacuum',
  'analyze',
  'lock',
  'commit',
  'rollback',
  'abort',
  'begin',
  'declare',
  'fetch',
  'listen',
  'notify',
  'refresh',
  'cancel',
  'reset',
]);

/** Functions that write, act on other sessions or reach outside the database. */
const WRITING_FUNCTIONS = new Set([
  'pg_terminate_backend',
  'pg_cancel_backend',
  'set_config',
  'nextval',
  'setval',
  'pg_advisory_lock',
  'pg_advisory_xact_lock',
  'pg_try_advisory_lock',
  'pg_reload_conf',
  'pg_rotate_logfile',
  'lo_import',
  'lo_export',
  'lo_unlink',
  'dblink',
  'dblink_exec',
  'pg_read_file',
  'pg_ls_dir',
  'pg_sleep',
]);

/** Splits SQL into tokens; throws CustomSqlProblem where the text is ambiguous or unterminated. */
export function tokenizeCustomSql(sql: string): CustomSqlToken[] {
  const tokens: CustomSqlToken[] = [];
  let index = 0;
  while (index < sql.length) {
    const token = nextToken(sql, index);
    tokens.push(token);
    index += token.text.length;
  }
  return tokens;
}

function nextToken(sql: string, index: number): CustomSqlToken {
  const rest = sql.slice(index);
  const char = rest.charAt(0);
  if (rest.startsWith('--')) return { kind: 'comment', text: rest.match(/^--[^\n\r]*/)?.[0] ?? rest };
  if (rest.startsWith('/*')) return { kind: 'comment', text: blockComment(rest) };
  if (char === "'") return { kind: 'string', text: quoted(rest, "'", 'a string literal') };
  if (char === '"') return { kind: 'quoted', text: quoted(rest, '"', 'a quoted identifier') };
  if (/\s/.test(char)) return { kind: 'space', text: rest.match(/^\s+/)?.[0] ?? char };
  if (rest.startsWith('::')) return { kind: 'symbol', text: '::' };
  const parameter = rest.match(/^:[A-Za-z_][A-Za-z0-9_]*/);
  if (parameter) return { kind: 'parameter', text: parameter[0] };
  if (char === '$') throw new CustomSqlProblem('uses $ outside an identifier (dollar quoting or a positional parameter), which is refused');
  const word = rest.match(/^[A-Za-z_][A-Za-z0-9_$]*/);
  if (word) return { kind: 'word', text: word[0] };
  const number = rest.match(/^\d+(?:\.\d+)?(?:e[-+]?\d+)?/i);
  if (number) return { kind: 'number', text: number[0] };
  return { kind: 'symbol', text: char };
}

function blockComment(rest: string): string {
  const end = rest.indexOf('*/', 2);
  if (end < 0) throw new CustomSqlProblem('has a /* comment that is never closed');
  const text = rest.slice(0, end + 2);
  // PostgreSQL nests block comments and Redshift's documentation does not say it does: where
  // the comment ends would depend on who reads it.
  if (text.indexOf('/*', 2) >= 0) throw new CustomSqlProblem('has a /* comment inside a /* comment, which is refused');
  return text;
}

function quoted(rest: string, quote: string, what: string): string {
  let position = 1;
  for (;;) {
    const next = rest.indexOf(quote, position);
    if (next < 0) throw new CustomSqlProblem(`has ${what} that is never closed`);
    if (rest.charAt(next + 1) === quote) {
      position = next + 2;
      continue;
    }
    const text = rest.slice(0, next + 1);
    // Redshift reads \' inside a literal as a quote, PostgreSQL as the literal's end: refused so
    // that no text can be code to one and a string to the other.
    if (quote === "'" && text.includes('\\')) {
      throw new CustomSqlProblem('has a backslash in a string literal, which Redshift and PostgreSQL read differently; remove it');
    }
    return text;
  }
}

/**
 * Checks a custom export's SQL and its time column; throws CustomSqlProblem naming the first
 * thing refused. Returns the tokens of the code (no spaces or comments).
 */
export function checkCustomSql(sql: string, timeColumn: string): CustomSqlToken[] {
  if (sql.trim() === '') throw new CustomSqlProblem('is empty; write one SELECT using :slot_start and :slot_end');
  if (sql.length > MAX_CUSTOM_SQL_LENGTH) throw new CustomSqlProblem(`is longer than ${MAX_CUSTOM_SQL_LENGTH} characters`);
  const code = tokenizeCustomSql(sql).filter((token) => token.kind !== 'space' && token.kind !== 'comment');
  if (code.some((token) => token.text === ';')) {
    throw new CustomSqlProblem('has a semicolon outside a string literal; write exactly one statement, without a trailing ;');
  }
  const first = code[0]?.text.toLowerCase();
  if (first !== 'select' && first !== 'with') {
    throw new CustomSqlProblem(`starts with ${JSON.stringify(code[0]?.text ?? '')}; a custom export is one SELECT (or WITH ... SELECT)`);
  }
  for (const [position, token] of code.entries()) {
    if (token.kind !== 'word') continue;
    const word = token.text.toLowerCase();
    if (WRITING_WORDS.has(word)) {
      throw new CustomSqlProblem(
        `uses ${token.text.toUpperCase()}, which a read-only export may not; if it is a column name, write it in double quotes`,
      );
    }
    if (WRITING_FUNCTIONS.has(word) && code[position + 1]?.text === '(') {
      throw new CustomSqlProblem(`calls ${word}(), which writes or acts outside the query; remove it`);
    }
  }
  const parameters = new Set(code.filter((token) => token.kind === 'parameter').map((token) => token.text.slice(1)));
  for (const parameter of parameters) {
    if (!(SLOT_PARAMETERS as readonly string[]).includes(parameter)) {
      throw new CustomSqlProblem(`uses :${parameter}; only :slot_start and :slot_end are bound`);
    }
  }
  for (const parameter of SLOT_PARAMETERS) {
    if (!parameters.has(parameter)) {
      throw new CustomSqlProblem(
        `does not use :${parameter}; filter the time column with ${timeColumn} >= :slot_start AND ${timeColumn} < :slot_end`,
      );
    }
  }
  const mentionsTime = code.some(
    (token) => (token.kind === 'word' ? token.text.toLowerCase() : token.text) === timeColumn || token.text === `"${timeColumn}"`,
  );
  if (!mentionsTime) throw new CustomSqlProblem(`never mentions its timeColumn ${timeColumn}; select it and filter on it`);
  return code;
}
