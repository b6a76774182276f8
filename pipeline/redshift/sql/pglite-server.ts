import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { ConnectionError } from '../../errors.js';

export interface PgliteServerOptions {
  /** Folder of the database, created when missing. Neither this nor `db`: a new in-memory database. */
  readonly dataDir?: string;
  /** A database already open; it stays open when the server closes. */
  readonly db?: PGlite;
  /** Connections accepted at once. Default 16. */
  readonly maxConnections?: number;
}

export interface PgliteServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`: loopback, so no TLS and no password. */
  readonly url: string;
  readonly db: PGlite;
  /** Stops accepting connections, drops open ones, and closes the database if it opened it. */
  close(): Promise<void>;
}

const DEFAULT_MAX_CONNECTIONS = 16;

/**
 * Serves a PGlite database over the PostgreSQL wire protocol on 127.0.0.1 (a free port), so that
 * `pg` clients reach a simulated cluster exactly as they reach a real server.
 *
 * PGlite is one backend: pglite-socket queues the protocol messages of all connections and runs
 * them one at a time, and keeps the other connections waiting while one has a transaction block
 * open. Interleaved messages outside a transaction share the backend's state (an implicit
 * transaction, its portals), which is why PgSqlRunner wraps every statement in BEGIN/COMMIT.
 * Code that uses `db` in-process while a client is connected runs in that same backend.
 */
export async function servePglite(options: PgliteServerOptions = {}): Promise<PgliteServer> {
  if (options.db !== undefined && options.dataDir !== undefined) {
    throw new RangeError('servePglite takes either dataDir or db, not both');
  }
  const ownsDb = options.db === undefined;
  const db = options.db ?? (await openDatabase(options.dataDir));
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: 0,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
  });
  try {
    await server.start();
  } catch (error) {
    if (ownsDb) await db.close();
    throw new ConnectionError(`cannot serve the PGlite database on 127.0.0.1: ${messageOf(error)}`, { cause: error });
  }

  let closing: Promise<void> | undefined;
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    db,
    close: () => {
      closing ??= (async () => {
        await server.stop();
        if (ownsDb) await db.close();
      })();
      return closing;
    },
  };
}

async function openDatabase(dataDir: string | undefined): Promise<PGlite> {
  try {
    if (dataDir === undefined) return await PGlite.create();
    // PGlite creates the last folder of the path only.
    await mkdir(dataDir, { recursive: true });
    return await PGlite.create(dataDir);
  } catch (error) {
    const where = dataDir === undefined ? 'in memory' : `in ${dataDir}`;
    throw new ConnectionError(`cannot open the PGlite database ${where}: ${messageOf(error)}`, {
      cause: error,
      retryable: false,
    });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
