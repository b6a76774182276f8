import { ConnectionError, OpslakeError, SqlStatementError } from '../../errors.js';

/** What the runner was doing, which decides the error type of anything not clearly SQL. */
export type PgPhase = 'connect' | 'run';

export interface PgErrorContext {
  readonly phase: PgPhase;
  /** The target as it may be printed (no credentials). */
  readonly target: string;
  /** A value that must never appear in a message (the password), if one is configured. */
  readonly secret?: string;
}

/** Network failures worth a retry: the server was down, restarting, or the path to it dropped. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
]);
const TRANSIENT_MESSAGES = [/connection terminated/i, /timeout/i, /connection.*(closed|ended)/i];
const TLS_CODE = /CERT|SSL|TLS/;

interface DatabaseErrorLike {
  readonly message: string;
  readonly code: string;
  readonly severity: string;
}

/**
 * Turns anything pg, pg-cursor or the network threw into the pipeline's typed errors: what the
 * server said about a statement becomes a SqlStatementError carrying its message; an unreachable
 * or lost server a retryable ConnectionError; credentials or TLS refused a ConnectionError that
 * retrying cannot fix. The configured password is removed from every message, and a cause that
 * mentions it is dropped rather than kept.
 */
export function translatePgError(error: unknown, context: PgErrorContext): OpslakeError {
  const scrub = (text: string): string =>
    context.secret === undefined || context.secret === '' ? text : text.split(context.secret).join('[redacted]');
  const cause = mentions(error, context.secret) ? undefined : error;
  if (error instanceof OpslakeError && cause !== undefined) return error;

  const where = context.target;
  const detail = scrub(describe(error));
  if (isDatabaseError(error)) {
    const code = error.code;
    const message = scrub(error.message);
    if (code.startsWith('28')) {
      return new ConnectionError(`${where} refused the credentials: ${message}; check the user in the URL and the password setting`, {
        cause,
        retryable: false,
      });
    }
    if (code === '3D000') {
      return new ConnectionError(`cannot connect to ${where}: ${message}`, { cause, retryable: false });
    }
    if (code.startsWith('08') || code === '53300' || code === '57P01' || code === '57P02' || code === '57P03') {
      return new ConnectionError(`lost or refused the connection to ${where}: ${message} (SQLSTATE ${code})`, { cause });
    }
    // Serialization failures, deadlocks, resource shortages and lock timeouts pass on their own.
    const retryable = code.startsWith('40') || code.startsWith('53') || code === '55P03';
    return new SqlStatementError(`statement failed on ${where}: ${message} (SQLSTATE ${code})`, {
      databaseMessage: message,
      cause,
      retryable,
    });
  }
  const code = codeOf(error);
  if (code !== undefined && TLS_CODE.test(code)) {
    return new ConnectionError(
      `cannot connect to ${where}: TLS verification failed (${detail}); ` +
        'the server certificate must be trusted and match the host name (add a private CA with NODE_EXTRA_CA_CERTS)',
      { cause, retryable: false },
    );
  }
  if (/does not support SSL/i.test(detail)) {
    return new ConnectionError(`cannot connect to ${where}: ${detail}; connections off this machine require TLS`, {
      cause,
      retryable: false,
    });
  }
  if (isTransient(error) || context.phase === 'connect') {
    const verb = context.phase === 'connect' ? 'cannot connect to' : 'lost the connection to';
    return new ConnectionError(`${verb} ${where}: ${detail}`, { cause });
  }
  return new SqlStatementError(`statement failed on ${where}: ${detail}`, { cause });
}

function isDatabaseError(error: unknown): error is DatabaseErrorLike {
  if (!(error instanceof Error)) return false;
  const { code, severity } = error as Partial<DatabaseErrorLike>;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string';
}

function codeOf(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function isTransient(error: unknown): boolean {
  return chain(error).some((link) => {
    const code = codeOf(link);
    if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
    return link instanceof Error && TRANSIENT_MESSAGES.some((pattern) => pattern.test(link.message));
  });
}

/** The error's message, or its parts' when it aggregates several attempts (IPv4 and IPv6). */
function describe(error: unknown): string {
  if (error instanceof AggregateError && error.message === '') {
    return error.errors.map(describe).join('; ') || 'connection failed';
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** The error, its causes and aggregated errors, depth-first, bounded. */
function chain(error: unknown): unknown[] {
  const seen: unknown[] = [];
  const visit = (link: unknown): void => {
    if (link === undefined || link === null || seen.includes(link) || seen.length > 32) return;
    seen.push(link);
    if (link instanceof AggregateError) link.errors.forEach(visit);
    if (link instanceof Error) visit(link.cause);
  };
  visit(error);
  return seen;
}

function mentions(error: unknown, secret: string | undefined): boolean {
  if (secret === undefined || secret === '') return false;
  return chain(error).some((link) => {
    if (link instanceof Error) return link.message.includes(secret) || (link.stack ?? '').includes(secret);
    return String(link).includes(secret);
  });
}
