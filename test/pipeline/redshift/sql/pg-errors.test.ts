import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ConnectionError, SqlStatementError } from '../../../../pipeline/errors.js';
import { translatePgError } from '../../../../pipeline/redshift/sql/pg-errors.js';

const TARGET = 'postgres://admin@db.example.com:5439/dev';

function databaseError(code: string, message: string): pg.DatabaseError {
  const error = new pg.DatabaseError(message, message.length, 'error');
  error.code = code;
  error.severity = 'ERROR';
  return error;
}

function systemError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

function messages(error: unknown): string[] {
  const out: string[] = [];
  for (let link = error; link instanceof Error; link = link.cause) out.push(link.message, link.stack ?? '');
  return out;
}

describe('translatePgError', () => {
  it('turns a server error about a statement into a SqlStatementError with the database message', () => {
    const error = translatePgError(databaseError('42P01', 'relation "nope" does not exist'), { phase: 'run', target: TARGET });
    expect(error).toBeInstanceOf(SqlStatementError);
    expect((error as SqlStatementError).databaseMessage).toBe('relation "nope" does not exist');
    expect(error.message).toContain('42P01');
    expect(error.retryable).toBe(false);
  });

  it.each(['40001', '40P01', '53200', '55P03'])('marks SQLSTATE %s retryable', (code) => {
    expect(translatePgError(databaseError(code, 'x'), { phase: 'run', target: TARGET }).retryable).toBe(true);
  });

  it.each([
    ['57P01', true],
    ['08006', true],
    ['53300', true],
    ['28P01', false],
    ['3D000', false],
  ])('turns SQLSTATE %s into a ConnectionError (retryable %s)', (code, retryable) => {
    const error = translatePgError(databaseError(code, 'x'), { phase: 'connect', target: TARGET });
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.retryable).toBe(retryable);
  });

  it.each(['ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET', 'ENOTFOUND'])('turns %s into a retryable ConnectionError', (code) => {
    const error = translatePgError(systemError(code, `connect ${code} 10.0.0.1:5439`), { phase: 'run', target: TARGET });
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(TARGET);
  });

  it('reads the attempts of an aggregate connection error', () => {
    const aggregate = new AggregateError(
      [systemError('ECONNREFUSED', 'connect ECONNREFUSED ::1:5432'), systemError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
      '',
    );
    const error = translatePgError(aggregate, { phase: 'connect', target: TARGET });
    expect(error.message).toContain('connect ECONNREFUSED 127.0.0.1:5432');
    expect(error.retryable).toBe(true);
  });

  it('calls a refused certificate a TLS problem that retrying cannot fix', () => {
    const error = translatePgError(systemError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), {
      phase: 'connect',
      target: TARGET,
    });
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/TLS verification failed/);
  });

  it('treats a connection lost while reading as a retryable ConnectionError', () => {
    const error = translatePgError(new Error('Connection terminated unexpectedly'), { phase: 'run', target: TARGET });
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.retryable).toBe(true);
  });

  it('removes the password from the message and drops a cause that mentions it', () => {
    const leaky = new Error('auth failed', { cause: new Error('sent password s3cret-Value to the server') });
    const error = translatePgError(new Error('s3cret-Value rejected', { cause: leaky }), {
      phase: 'connect',
      target: TARGET,
      secret: 's3cret-Value',
    });
    expect(messages(error).join('\n')).not.toContain('s3cret-Value');
    expect(error.message).toContain('[redacted] rejected');
    expect(error.cause).toBeUndefined();
  });

  it('keeps a cause that does not mention the password', () => {
    const cause = systemError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1');
    expect(translatePgError(cause, { phase: 'connect', target: TARGET, secret: 's3cret-Value' }).cause).toBe(cause);
  });
});
