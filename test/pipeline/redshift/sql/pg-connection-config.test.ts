import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../pipeline/errors.js';
import { isLoopbackHost, pgConnectionConfig } from '../../../../pipeline/redshift/sql/pg-connection-config.js';

const PARAMETER = 'opslake.yaml: clusters[0].postgres';

function refusal(url: string): ConfigError {
  try {
    pgConnectionConfig(url, PARAMETER);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${url} to be refused`);
}

describe('pgConnectionConfig', () => {
  it('reads user, host, port and database from the URL', () => {
    expect(pgConnectionConfig('postgres://admin@db.example.com:5439/dev')).toMatchObject({
      host: 'db.example.com',
      port: 5439,
      user: 'admin',
      database: 'dev',
      displayUrl: 'postgres://admin@db.example.com:5439/dev',
    });
    expect(pgConnectionConfig('postgresql://u@127.0.0.1/db').port).toBe(5432);
  });

  it.each([
    'postgres://u@db.example.com/db',
    'postgres://u@db.example.com/db?sslmode=require',
    'postgres://u@db.example.com/db?sslmode=prefer',
    'postgres://u@db.example.com/db?sslmode=verify-ca',
    'postgres://u@db.example.com/db?ssl=true',
    'postgres://u@10.1.2.3:5439/dev',
    'postgres://u@128.0.0.1/db',
    'postgres://u@[2001:db8::1]/db',
    'postgres://u@localhost.example.com/db',
  ])('forces verified TLS for %s, which leaves the machine', (url) => {
    expect(pgConnectionConfig(url).ssl).toEqual({ rejectUnauthorized: true });
  });

  it.each([
    'postgres://u@db.example.com/db?sslmode=disable',
    'postgres://u@db.example.com/db?sslmode=no-verify',
    'postgres://u@db.example.com/db?ssl=false',
    'postgres://u@10.1.2.3/db?ssl=0',
  ])('refuses %s, naming the parameter', (url) => {
    const error = refusal(url);
    expect(error.parameter).toBe(PARAMETER);
    expect(error.message).toMatch(/verified TLS/);
  });

  it.each([
    ['postgres://u@127.0.0.1:5432/db', false],
    ['postgres://u@127.10.20.30/db', false],
    ['postgres://u@localhost/db', false],
    ['postgres://u@LOCALHOST/db?sslmode=disable', false],
    ['postgres://u@[::1]:5432/db', false],
    ['postgres://u@%2Fvar%2Frun%2Fpostgresql/db', false],
    ['postgres://u@localhost/db?host=/tmp', false],
    ['postgres://u@127.0.0.1/db?sslmode=require', { rejectUnauthorized: false }],
    ['postgres://u@localhost/db?sslmode=verify-full', { rejectUnauthorized: true }],
  ])('lets loopback %s choose (ssl %j)', (url, ssl) => {
    expect(pgConnectionConfig(url).ssl).toEqual(ssl);
  });

  it('reaches a unix socket directory given percent-encoded or as host=', () => {
    expect(pgConnectionConfig('postgres://u@%2Fvar%2Frun%2Fpostgresql/db').host).toBe('/var/run/postgresql');
    expect(pgConnectionConfig('postgres://u@localhost/db?host=/tmp').host).toBe('/tmp');
  });

  it.each(['postgres://admin:hunter2@db.example.com/dev', 'postgres://admin@db.example.com/dev?password=hunter2'])(
    'refuses a password inside %s without repeating it',
    (url) => {
      const error = refusal(url);
      expect(error.message).toMatch(/password setting/);
      expect(error.message).not.toContain('hunter2');
    },
  );

  it('does not echo text that is not a URL, which could hold a password', () => {
    const error = refusal('admin:hunter2 at db');
    expect(error.message).not.toContain('hunter2');
  });

  it.each([
    ['mysql://u@h/db', /postgres:\/\//],
    ['postgres://h/db', /no user/],
    ['postgres://u@h', /no database/],
    ['postgres://u@h/db?sslmode=verify', /unknown sslmode/],
    ['postgres://u@h/db?sslcert=/x', /unsupported option "sslcert"/],
    ['postgres://u@h:0/db', /invalid port/],
    ['postgres://u@h/db?connect_timeout=soon', /connect_timeout/],
  ])('refuses %s', (url, message) => {
    expect(refusal(url).message).toMatch(message);
  });

  it('takes connect_timeout in seconds and application_name', () => {
    expect(pgConnectionConfig('postgres://u@localhost/db?connect_timeout=3&application_name=x')).toMatchObject({
      connectTimeoutMillis: 3000,
      applicationName: 'x',
    });
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.255.254', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['[::1]', true],
    ['localhost', true],
    ['/tmp/.s.PGSQL.5432', true],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['::2', false],
    ['::ffff:127.0.0.1', false],
    ['localhost.example.com', false],
    ['db.example.com', false],
  ])('%s is loopback: %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
