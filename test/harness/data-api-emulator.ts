import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { ServiceError } from './data-api-fields.js';
import { EmulatedStatements } from './data-api-statements.js';

/**
 * A Redshift Data API emulator over PGlite, speaking AWS JSON 1.1 well enough for the real
 * `@aws-sdk/client-redshift-data` client (signatures are not checked). Statements run on the
 * database asynchronously; their results are held and paged without running the query again.
 */

export type DataApiOperation = 'ExecuteStatement' | 'DescribeStatement' | 'GetStatementResult' | 'CancelStatement';

export type DataApiThrottle = 'ThrottlingException' | 'ActiveStatementsExceededException';

export interface RecordedRequest {
  readonly operation: string;
  /** The request body as the client sent it. */
  readonly input: Readonly<Record<string, unknown>>;
  /** The statement an ExecuteStatement created. */
  readonly statementId?: string;
  /** The `__type` of the error returned, when the request failed. */
  readonly error?: string;
}

export interface DataApiEmulatorOptions {
  /** The simulated cluster. It stays open when the emulator closes. */
  readonly db: Pick<PGlite, 'query'>;
  /** Records per GetStatementResult page. Default 1000. */
  readonly pageSize?: number;
  /**
   * DescribeStatement calls that report a statement as not yet done (SUBMITTED, then STARTED)
   * before it reports its outcome. Default 2. A describe after these waits for the database,
   * so the number of polls a client sees never depends on timing.
   */
  readonly describesBeforeFinished?: number;
}

export interface DataApiEmulator {
  /** `http://127.0.0.1:<port>`, for the client's `endpoint`. */
  readonly endpoint: string;
  readonly requests: readonly RecordedRequest[];
  /** The next `count` calls of `operation` fail with a throttling error. */
  throttleNext(operation: DataApiOperation, count: number, error?: DataApiThrottle): void;
  /** The next statement executed does not run and ends FAILED with `message` as its `Error`. */
  failNextStatement(message: string): void;
  close(): Promise<void>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startDataApiEmulator(options: DataApiEmulatorOptions): Promise<DataApiEmulator> {
  const statements = new EmulatedStatements(options.db, options.pageSize ?? 1000, options.describesBeforeFinished ?? 2);
  const requests: RecordedRequest[] = [];
  const throttles = new Map<string, DataApiThrottle[]>();

  async function handle(operation: string, input: Record<string, unknown>): Promise<{ body: string; statementId?: string }> {
    const throttle = throttles.get(operation)?.shift();
    if (throttle !== undefined) throw new ServiceError(throttle, 'Rate exceeded');
    switch (operation) {
      case 'ExecuteStatement': {
        const { body, statementId } = statements.execute(input);
        return { body: JSON.stringify(body), statementId };
      }
      case 'DescribeStatement':
        return { body: JSON.stringify(await statements.describe(input)) };
      case 'GetStatementResult':
        return { body: statements.result(input) };
      case 'CancelStatement':
        return { body: JSON.stringify(statements.cancel(input)) };
      default:
        throw new ServiceError('UnknownOperationException', `operation ${operation} is not emulated`);
    }
  }

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const targetHeader = String(request.headers['x-amz-target'] ?? '');
    const operation = targetHeader.startsWith('RedshiftData.') ? targetHeader.slice('RedshiftData.'.length) : targetHeader;
    const text = await readBody(request);
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() };
    const recorded: Mutable<RecordedRequest> = { operation, input: {} };
    requests.push(recorded);
    try {
      const input = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
      recorded.input = input;
      const { body, statementId } = await handle(operation, input);
      if (statementId !== undefined) recorded.statementId = statementId;
      response.writeHead(200, headers).end(body);
    } catch (error) {
      const type =
        error instanceof ServiceError ? error.type : error instanceof SyntaxError ? 'SerializationException' : 'InternalServerException';
      recorded.error = type;
      const message = error instanceof Error ? error.message : String(error);
      response.writeHead(type === 'InternalServerException' ? 500 : 400, headers).end(JSON.stringify({ __type: type, message }));
    }
  }

  const server = createServer((request, response) => void serve(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    throttleNext(operation, count, error = 'ThrottlingException') {
      const queue = throttles.get(operation) ?? [];
      for (let i = 0; i < count; i += 1) queue.push(error);
      throttles.set(operation, queue);
    },
    failNextStatement(message) {
      statements.failNext(message);
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      // The database outlives the emulator: leave it with no statement still running.
      await statements.settled();
    },
  };
}
