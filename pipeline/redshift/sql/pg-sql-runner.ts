import pg from 'pg';
import Cursor from 'pg-cursor';
import type { Secret } from '../../config/secret.js';
import { ConnectionError, type OpslakeError, SqlStatementError } from '../../errors.js';
import type { SqlColumnMeta, SqlRow, SqlRunner, SqlStatement, SqlValue } from '../../ports/sql-runner.js';
import { pgConnectionConfig, type PgConnectionConfig } from './pg-connection-config.js';
import { translatePgError, type PgPhase } from './pg-errors.js';
import { toPgPlaceholders } from './pg-placeholders.js';
import { SQL_VALUE_TYPES } from './pg-type-parsers.js';

/** The subset of a pg-cursor that the runner needs. */
export interface PgCursor {
  read(rowCount: number): Promise<Record<string, SqlValue>[]>;
  close(): Promise<void>;
}

export type PgCursorConstructor = new (text: string, values: string[], config: { readonly types: typeof SQL_VALUE_TYPES }) => PgCursor;

/** What a plain query returns that the runner reads: the result's columns. */
export interface PgFieldsResult {
  readonly fields: ReadonlyArray<{ readonly name: string; readonly dataTypeID: number }>;
  readonly rows: ReadonlyArray<Readonly<Record<string, SqlValue>>>;
}

/** The subset of pg's PoolClient that the runner needs. */
export interface PgPoolClient {
  query(text: string): Promise<unknown>;
  query(config: { text: string; values: string[]; types: typeof SQL_VALUE_TYPES }): Promise<PgFieldsResult>;
  query<C extends PgCursor>(cursor: C): C;
  /** Returns the client to the pool; with an error (or `true`) the connection is closed instead. */
  release(destroy?: Error | boolean): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/** The subset of pg's Pool that the runner needs. */
export interface PgPool {
  connect(): Promise<PgPoolClient>;
  end(): Promise<void>;
}

export interface PgSqlRunnerOptions {
  /** `postgres://user@host:port/database[?sslmode=verify-full]`; no password inside. */
  readonly url: string;
  readonly password?: Secret;
  /** Rows per page (and per network round trip). Default 10,000. */
  readonly pageSize?: number;
  /** Connections kept at most. Default 3. */
  readonly poolSize?: number;
  /** How long to wait for a connection, unless the URL sets `connect_timeout`. Default 10 s. */
  readonly connectTimeoutMillis?: number;
  /** The configuration parameter that holds the URL, named in errors. Default `url`. */
  readonly parameter?: string;
  /** A pool to use instead of one built from the URL; the runner ends it on `close()`. */
  readonly pool?: PgPool;
  /** The cursor implementation. Default pg-cursor. */
  readonly cursor?: PgCursorConstructor;
}

export const DEFAULT_PAGE_SIZE = 10_000;
const DEFAULT_POOL_SIZE = 3;
const DEFAULT_CONNECT_TIMEOUT_MILLIS = 10_000;

/**
 * SqlRunner over the PostgreSQL wire protocol (`pg`): a PostgreSQL server, a Redshift endpoint
 * reached directly, or a PGlite database served by `servePglite`. Each statement streams
 * through a server-side cursor, one page per round trip, with the same values the Data API
 * adapter yields (see `pg-type-parsers.ts`).
 *
 * Each statement runs in its own explicit transaction. A cursor's portal lives only until its
 * transaction ends, and pglite-socket multiplexes one PGlite backend between all its
 * connections, holding the others back only while a transaction block is open: without one,
 * another connection's statement would end the implicit transaction, and the open cursor with
 * it ("portal does not exist"). So on PGlite statements run one at a time, whatever the pool
 * size, and a consumer that waits on a second statement while it reads the first would wait
 * forever; on PostgreSQL the transaction costs two short round trips.
 */
export class PgSqlRunner implements SqlRunner {
  readonly #pool: PgPool;
  readonly #Cursor: PgCursorConstructor;
  readonly #pageSize: number;
  readonly #target: string;
  readonly #password: Secret | undefined;
  #closed = false;

  constructor(options: PgSqlRunnerOptions) {
    const config = pgConnectionConfig(options.url, options.parameter ?? 'url');
    this.#pageSize = positiveInteger('pageSize', options.pageSize ?? DEFAULT_PAGE_SIZE);
    this.#target = config.displayUrl;
    this.#password = options.password;
    this.#Cursor = options.cursor ?? Cursor;
    this.#pool =
      options.pool ??
      createPool(config, {
        password: options.password,
        poolSize: positiveInteger('poolSize', options.poolSize ?? DEFAULT_POOL_SIZE),
        connectTimeoutMillis: config.connectTimeoutMillis ?? options.connectTimeoutMillis ?? DEFAULT_CONNECT_TIMEOUT_MILLIS,
      });
  }

  /** The target as it may be printed: the URL without credentials. */
  get target(): string {
    return this.#target;
  }

  async *pages(statement: SqlStatement): AsyncGenerator<readonly SqlRow[], void, undefined> {
    if (this.#closed) throw new ConnectionError(`the runner for ${this.#target} is closed`, { retryable: false });
    const { text, values } = toPgPlaceholders(statement);
    const client = await this.#connect();
    // A connection that dies while checked out also emits 'error' on the client, which would
    // crash the process unheard; the pending or next read rejects with the same error.
    client.on('error', ignore);
    let cursor: PgCursor | undefined;
    let failure: OpslakeError | undefined;
    try {
      await client.query('BEGIN');
      cursor = client.query(new this.#Cursor(text, [...values], { types: SQL_VALUE_TYPES }));
      for (;;) {
        const rows = await cursor.read(this.#pageSize);
        if (rows.length > 0) yield rows;
        // A short page is the last: the cursor has already seen the end of the result.
        if (rows.length < this.#pageSize) break;
      }
    } catch (error) {
      failure = this.#translate(error, 'run');
      throw failure;
    } finally {
      await this.#finish(client, cursor, failure);
      client.removeListener('error', ignore);
    }
  }

  async columns(statement: SqlStatement): Promise<readonly SqlColumnMeta[]> {
    if (this.#closed) throw new ConnectionError(`the runner for ${this.#target} is closed`, { retryable: false });
    const { text, values } = toPgPlaceholders(statement);
    const client = await this.#connect();
    client.on('error', ignore);
    try {
      const result = await client.query({ text, values: [...values], types: SQL_VALUE_TYPES });
      const names = await this.#typeNames(
        client,
        result.fields.map((field) => field.dataTypeID),
      );
      client.release();
      return result.fields.map((field) => ({ name: field.name, typeName: names.get(field.dataTypeID) ?? 'unknown' }));
    } catch (error) {
      const failure = this.#translate(error, 'run');
      client.release(failure instanceof SqlStatementError && failure.databaseMessage !== undefined ? undefined : failure);
      throw failure;
    } finally {
      client.removeListener('error', ignore);
    }
  }

  /** Type names by OID: the common ones are fixed in PostgreSQL and Redshift alike, others are looked up. */
  async #typeNames(client: PgPoolClient, oids: readonly number[]): Promise<Map<number, string>> {
    const names = new Map<number, string>();
    const unknown: number[] = [];
    for (const oid of oids) {
      const known = TYPE_NAMES.get(oid);
      if (known === undefined) unknown.push(oid);
      else names.set(oid, known);
    }
    if (unknown.length === 0) return names;
    const found = await client.query({
      text: 'SELECT CAST(oid AS integer) AS "oid", typname FROM pg_type WHERE CAST(oid AS integer) = ANY (CAST($1 AS integer[]))',
      values: [`{${unknown.join(',')}}`],
      types: SQL_VALUE_TYPES,
    });
    for (const row of found.rows) {
      if (typeof row.oid === 'number' && typeof row.typname === 'string') names.set(row.oid, row.typname);
    }
    return names;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async #connect(): Promise<PgPoolClient> {
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw this.#translate(error, 'connect');
    }
  }

  /**
   * Ends the statement whether it completed, failed, or its consumer stopped early. After an
   * error the server reported, the connection is healthy and the transaction is rolled back;
   * after any other failure its protocol state is unknown, so it is closed rather than reused
   * (the server then rolls back on its own).
   */
  async #finish(client: PgPoolClient, cursor: PgCursor | undefined, failure: OpslakeError | undefined): Promise<void> {
    const serverError = failure instanceof SqlStatementError && failure.databaseMessage !== undefined;
    if (failure !== undefined && !serverError) {
      client.release(failure);
      return;
    }
    try {
      // A cursor that failed is already closed by the server; closing it again would wait forever.
      if (failure === undefined) await cursor?.close();
      await client.query(failure === undefined ? 'COMMIT' : 'ROLLBACK');
      client.release();
    } catch (error) {
      client.release(error instanceof Error ? error : true);
    }
  }

  #translate(error: unknown, phase: PgPhase): OpslakeError {
    return translatePgError(error, { phase, target: this.#target, secret: this.#password?.reveal() });
  }
}

function createPool(
  config: PgConnectionConfig,
  options: { password: Secret | undefined; poolSize: number; connectTimeoutMillis: number },
): PgPool {
  const { password } = options;
  const pool = new pg.Pool({
    // Where, as whom and how securely to connect are all explicit, so that none of them comes
    // from pg's fallbacks (PGHOST, PGUSER, PGSSLMODE and the other PG* environment variables).
    host: config.host,
    port: config.port,
    user: config.user,
    database: config.database,
    ssl: config.ssl === false ? false : { ...config.ssl },
    application_name: config.applicationName ?? 'opslake',
    // A function, so the password is read only when the server asks and is never stored in
    // the pool's options; without one, pg would fall back to PGPASSWORD or ~/.pgpass.
    password: () => {
      if (password !== undefined) return password.reveal();
      throw new ConnectionError(`${config.displayUrl} asks for a password and none is configured; set the password setting`, {
        retryable: false,
      });
    },
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMillis,
    idleTimeoutMillis: 30_000,
    allowExitOnIdle: true,
    keepAlive: true,
  });
  // An idle connection that drops (server restart, PGlite closed) must not crash the process;
  // the next statement gets a fresh connection or a ConnectionError.
  pool.on('error', () => undefined);
  return pool;
}

function ignore(): void {}

/** PostgreSQL's fixed OIDs of the types system views and custom exports return (Redshift keeps them). */
const TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [16, 'bool'],
  [18, 'char'],
  [19, 'name'],
  [20, 'int8'],
  [21, 'int2'],
  [23, 'int4'],
  [25, 'text'],
  [700, 'float4'],
  [701, 'float8'],
  [1042, 'bpchar'],
  [1043, 'varchar'],
  [1082, 'date'],
  [1114, 'timestamp'],
  [1184, 'timestamptz'],
  [1700, 'numeric'],
]);

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
