import { isIPv4, isIPv6 } from 'node:net';
import { ConfigError } from '../../errors.js';

/** Where and how to connect, from a URL; everything a pg client needs except the password. */
export interface PgConnectionConfig {
  /** A host name or address, or a unix socket directory (an absolute path). */
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** `false` (loopback only), or TLS options; certificate and host name are always verified off the loopback. */
  readonly ssl: false | { readonly rejectUnauthorized: boolean };
  readonly applicationName: string | undefined;
  readonly connectTimeoutMillis: number | undefined;
  /** The URL as it may be printed: no credentials, no query. */
  readonly displayUrl: string;
}

const DEFAULT_PORT = 5432;
const ALLOWED_QUERY = ['sslmode', 'ssl', 'host', 'application_name', 'connect_timeout'] as const;
const REFUSED_SSLMODES = new Set(['disable', 'no-verify']);
const KNOWN_SSLMODES = new Set(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify']);

/**
 * Parses `postgres://user@host:port/database[?sslmode=...]` and applies the transport rule:
 * traffic that leaves the machine is always TLS with the certificate chain and host name
 * verified (`sslmode=verify-full`), whatever weaker mode the URL asks for; a URL that asks for
 * no TLS, or for TLS without verification, is refused. Only the loopback (127.0.0.0/8, ::1,
 * `localhost`) and unix sockets may go without TLS, which is how a local PostgreSQL or a PGlite
 * socket is reached. A password inside the URL is refused: it would be printed wherever the URL
 * is, so it lives in the separate password setting. Certificates are checked against Node's CA
 * store (add a private CA with `NODE_EXTRA_CA_CERTS`). Pure.
 *
 * `parameter` names the setting in errors (an SSM name or a YAML path).
 */
export function pgConnectionConfig(url: string, parameter = 'url'): PgConnectionConfig {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The text is not echoed: it may hold a password.
    throw new ConfigError(parameter, 'is not a URL; write it as postgres://user@host:port/database');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError(parameter, `must start with postgres:// (found ${parsed.protocol}//)`);
  }
  if (parsed.password !== '' || parsed.searchParams.has('password')) {
    throw new ConfigError(
      parameter,
      'contains a password; remove it from the URL and give it in the password setting, which is kept secret',
    );
  }
  for (const key of parsed.searchParams.keys()) {
    if (!(ALLOWED_QUERY as readonly string[]).includes(key)) {
      throw new ConfigError(parameter, `has an unsupported option ${JSON.stringify(key)}; allowed: ${ALLOWED_QUERY.join(', ')}`);
    }
  }

  const host = hostOf(parsed, parameter);
  const port = portOf(parsed, parameter);
  const user = decodeURIComponent(parsed.username);
  if (user === '') throw new ConfigError(parameter, 'names no user; write it as postgres://user@host:port/database');
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) {
    throw new ConfigError(parameter, 'names no database; write it as postgres://user@host:port/database');
  }

  const display = `${parsed.protocol}//${encodeURIComponent(user)}@${displayHost(parsed, host)}/${encodeURIComponent(database)}`;
  return Object.freeze({
    host,
    port,
    user,
    database,
    ssl: sslOf(parsed, host, parameter),
    applicationName: parsed.searchParams.get('application_name') ?? undefined,
    connectTimeoutMillis: connectTimeoutOf(parsed, parameter),
    displayUrl: display,
  });
}

/** 127.0.0.0/8, ::1, `localhost`, or a unix socket directory: traffic that never leaves the machine. */
export function isLoopbackHost(host: string): boolean {
  if (host.startsWith('/')) return true;
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIPv4(bare)) return bare.startsWith('127.');
  if (isIPv6(bare)) return expandIPv6(bare) === '0:0:0:0:0:0:0:1';
  return false;
}

function hostOf(parsed: URL, parameter: string): string {
  const socket = parsed.searchParams.get('host');
  if (socket !== null) {
    if (!socket.startsWith('/')) throw new ConfigError(parameter, 'option host= must be a unix socket directory (an absolute path)');
    return socket;
  }
  const raw = decodeURIComponent(parsed.hostname);
  if (raw === '') throw new ConfigError(parameter, 'names no host; write it as postgres://user@host:port/database');
  // Host names are case-insensitive; a socket path (percent-encoded in the URL) is not.
  return raw.startsWith('/') ? raw : raw.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

function displayHost(parsed: URL, host: string): string {
  const port = parsed.port === '' ? '' : `:${parsed.port}`;
  if (host.startsWith('/')) return `${encodeURIComponent(host)}${port}`;
  return `${isIPv6(host) ? `[${host}]` : host}${port}`;
}

function portOf(parsed: URL, parameter: string): number {
  if (parsed.port === '') return DEFAULT_PORT;
  const port = Number(parsed.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(parameter, `has an invalid port ${parsed.port}`);
  return port;
}

function sslOf(parsed: URL, host: string, parameter: string): PgConnectionConfig['ssl'] {
  const sslmode = parsed.searchParams.get('sslmode')?.toLowerCase();
  const ssl = parsed.searchParams.get('ssl')?.toLowerCase();
  if (sslmode !== undefined && !KNOWN_SSLMODES.has(sslmode)) {
    throw new ConfigError(parameter, `has an unknown sslmode ${JSON.stringify(sslmode)}; use verify-full`);
  }
  if (ssl !== undefined && !['true', 'false', '1', '0'].includes(ssl)) {
    throw new ConfigError(parameter, `has an invalid ssl=${JSON.stringify(ssl)}; use sslmode=verify-full`);
  }
  const noTls = sslmode === 'disable' || ssl === 'false' || ssl === '0';

  if (!isLoopbackHost(host)) {
    if (noTls || (sslmode !== undefined && REFUSED_SSLMODES.has(sslmode))) {
      const asked = sslmode !== undefined ? `sslmode=${sslmode}` : `ssl=${ssl}`;
      throw new ConfigError(
        parameter,
        `asks for ${asked}, but a connection to ${host} leaves this machine and must use verified TLS; ` +
          'remove the option or use sslmode=verify-full',
      );
    }
    return { rejectUnauthorized: true };
  }
  if (noTls || sslmode === undefined || sslmode === 'allow' || sslmode === 'prefer') {
    return ssl === 'true' || ssl === '1' ? { rejectUnauthorized: true } : false;
  }
  // On the loopback the URL's own choice stands: `require` encrypts without checking, as in libpq.
  return { rejectUnauthorized: sslmode === 'verify-ca' || sslmode === 'verify-full' };
}

function connectTimeoutOf(parsed: URL, parameter: string): number | undefined {
  const value = parsed.searchParams.get('connect_timeout');
  if (value === null) return undefined;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw new ConfigError(parameter, `has an invalid connect_timeout=${JSON.stringify(value)}; give whole seconds`);
  }
  return seconds * 1000;
}

function expandIPv6(address: string): string {
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array.from({ length: missing }, () => '0'), ...right]
    .map((group) => (/^[0-9a-f]{1,4}$/.test(group) ? String(parseInt(group, 16).toString(16)) : group))
    .join(':');
}
