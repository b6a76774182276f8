import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { SqlStatementError } from '../../pipeline/errors.js';
import { toPgPlaceholders } from '../../pipeline/redshift/sql/pg-placeholders.js';

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

/** Raised inside a handler; becomes an AWS JSON error response. */
class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface Column {
  readonly name: string;
  readonly typeName: string;
  /** The value as a JSON `Field` union. */
  readonly field: (value: unknown) => string;
}

type Outcome =
  | { readonly kind: 'finished'; readonly columns: readonly Column[]; readonly rows: readonly unknown[][]; readonly resultRows: number }
  | { readonly kind: 'failed'; readonly error: string };

interface Statement {
  readonly id: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly createdAt: Date;
  updatedAt: Date;
  describes: number;
  aborted: boolean;
  outcome?: Outcome;
  durationNs: number;
  readonly settled: Promise<void>;
}

const TYPE_NAMES: Readonly<Record<number, string>> = {
  16: 'bool',
  18: 'char',
  19: 'name',
  20: 'int8',
  21: 'int2',
  23: 'int4',
  25: 'text',
  26: 'oid',
  700: 'float4',
  701: 'float8',
  1042: 'bpchar',
  1043: 'varchar',
  1082: 'date',
  1083: 'time',
  1114: 'timestamp',
  1184: 'timestamptz',
  1186: 'interval',
  1700: 'numeric',
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const raw = (value: string): string => value;

/**
 * Types read as the database prints them: microseconds of timestamps and digits of big
 * integers must survive, and nothing goes through a JS Date.
 */
const RAW_TEXT_PARSERS = Object.fromEntries([20, 114, 1082, 1083, 1114, 1184, 1186, 1266, 1700, 3802].map((oid) => [oid, raw]));

const stringField = (value: unknown): string => `{"stringValue":${JSON.stringify(String(value))}}`;

function fieldWriter(oid: number): (value: unknown) => string {
  switch (oid) {
    case 16:
      return (value) => `{"booleanValue":${value === true}}`;
    case 21:
    case 23:
    case 26:
      return (value) => `{"longValue":${Number(value)}}`;
    case 20:
      // Written as the digits the database printed: the real service sends a JSON number of
      // any size, and a client has to cope with one beyond 2^53.
      return (value) => {
        const digits = String(value);
        if (!/^-?\d+$/.test(digits)) throw new ServiceError('InternalServerException', 'int8 value is not an integer');
        return `{"longValue":${digits}}`;
      };
    case 700:
    case 701:
      return (value) => {
        const number = Number(value);
        return Number.isFinite(number) ? `{"doubleValue":${JSON.stringify(number)}}` : `{"doubleValue":"${String(number)}"}`;
      };
    default:
      return stringField;
  }
}

function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startDataApiEmulator(options: DataApiEmulatorOptions): Promise<DataApiEmulator> {
  const { db } = options;
  const pageSize = options.pageSize ?? 1000;
  const describesBeforeFinished = options.describesBeforeFinished ?? 2;
  const statements = new Map<string, Statement>();
  const requests: RecordedRequest[] = [];
  const throttles = new Map<string, DataApiThrottle[]>();
  const failures: string[] = [];
  const typeNames = new Map<number, string>();

  async function typeNameOf(oid: number): Promise<string> {
    const known = TYPE_NAMES[oid] ?? typeNames.get(oid);
    if (known !== undefined) return known;
    const result = await db.query<{ typname: string }>('SELECT typname FROM pg_type WHERE oid = $1', [oid]);
    const name = result.rows[0]?.typname ?? 'unknown';
    typeNames.set(oid, name);
    return name;
  }

  async function run(statement: Statement, sql: string, values: readonly string[]): Promise<Outcome> {
    try {
      const result = await db.query<unknown[]>(sql, [...values], { rowMode: 'array', parsers: RAW_TEXT_PARSERS });
      const columns: Column[] = [];
      for (const field of result.fields) {
        columns.push({ name: field.name, typeName: await typeNameOf(field.dataTypeID), field: fieldWriter(field.dataTypeID) });
      }
      const resultRows = columns.length > 0 ? result.rows.length : (result.affectedRows ?? 0);
      return { kind: 'finished', columns, rows: result.rows, resultRows };
    } catch (error) {
      return { kind: 'failed', error: error instanceof Error ? error.message : String(error) };
    } finally {
      statement.durationNs = (Date.now() - statement.createdAt.getTime()) * 1_000_000;
    }
  }

  function statementOf(input: Record<string, unknown>): Statement {
    const id = input.Id;
    if (typeof id !== 'string' || id === '') throw new ServiceError('ValidationException', 'Id is required');
    const statement = statements.get(id);
    if (statement === undefined) throw new ServiceError('ResourceNotFoundException', `Query ${id} does not exist.`);
    return statement;
  }

  /** What DescribeStatement would say now, without counting as a describe. */
  function statusOf(statement: Statement): string {
    if (statement.aborted) return 'ABORTED';
    if (statement.describes <= describesBeforeFinished || statement.outcome === undefined) {
      return statement.describes <= 1 ? 'SUBMITTED' : 'STARTED';
    }
    return statement.outcome.kind === 'finished' ? 'FINISHED' : 'FAILED';
  }

  function target(input: Record<string, unknown>): Record<string, unknown> {
    const fields: Record<string, unknown> = { Database: input.Database };
    for (const key of ['ClusterIdentifier', 'WorkgroupName', 'DbUser', 'SecretArn']) {
      if (input[key] !== undefined) fields[key] = input[key];
    }
    return fields;
  }

  function executeStatement(input: Record<string, unknown>): { body: Record<string, unknown>; statementId: string } {
    const { Sql: sql, Database: database, ClusterIdentifier: cluster, WorkgroupName: workgroup } = input;
    if (typeof sql !== 'string' || sql.trim() === '') throw new ServiceError('ValidationException', 'Sql is required');
    if (typeof database !== 'string' || database === '') throw new ServiceError('ValidationException', 'Database is required');
    if ((cluster === undefined) === (workgroup === undefined)) {
      throw new ServiceError('ValidationException', 'Either ClusterIdentifier or WorkgroupName must be specified, but not both.');
    }
    const parameters = new Map<string, string>();
    for (const parameter of (input.Parameters ?? []) as { name?: unknown; value?: unknown }[]) {
      if (typeof parameter.name !== 'string' || !/^[0-9a-zA-Z_]+$/.test(parameter.name)) {
        throw new ServiceError('ValidationException', 'Parameter names must match [0-9a-zA-Z_]+.');
      }
      if (typeof parameter.value !== 'string' || parameter.value.length === 0) {
        throw new ServiceError('ValidationException', `Parameter ${parameter.name} must have a value of length 1 or more.`);
      }
      parameters.set(parameter.name, parameter.value);
    }
    let positional;
    try {
      // The same rewrite the wire-protocol adapter uses: Redshift binds `:name` the same way.
      positional = toPgPlaceholders({ text: sql, parameters: Object.fromEntries(parameters) });
    } catch (error) {
      if (error instanceof SqlStatementError) throw new ServiceError('ValidationException', error.message);
      throw error;
    }

    const id = randomUUID();
    const createdAt = new Date();
    let resolveSettled!: () => void;
    const settled = new Promise<void>((resolve) => (resolveSettled = resolve));
    const statement: Statement = { id, input, createdAt, updatedAt: createdAt, describes: 0, aborted: false, durationNs: 0, settled };
    statements.set(id, statement);
    const failure = failures.shift();
    const outcome: Promise<Outcome> =
      failure === undefined ? run(statement, positional.text, positional.values) : Promise.resolve({ kind: 'failed', error: failure });
    void outcome.then((result) => {
      statement.outcome = result;
      statement.updatedAt = new Date();
      resolveSettled();
    });
    return { body: { Id: id, CreatedAt: epochSeconds(createdAt), ...target(input) }, statementId: id };
  }

  async function describeStatement(input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const statement = statementOf(input);
    statement.describes += 1;
    if (!statement.aborted && statement.describes > describesBeforeFinished) await statement.settled;
    const status = statusOf(statement);
    const { outcome } = statement;
    const done = status === 'FINISHED' || status === 'FAILED';
    const body: Record<string, unknown> = {
      Id: statement.id,
      Status: status,
      CreatedAt: epochSeconds(statement.createdAt),
      UpdatedAt: epochSeconds(statement.updatedAt),
      Duration: done ? statement.durationNs : -1,
      QueryString: statement.input.Sql,
      HasResultSet: status === 'FINISHED' && outcome?.kind === 'finished' && outcome.columns.length > 0,
      ResultRows: status === 'FINISHED' && outcome?.kind === 'finished' ? outcome.resultRows : -1,
      ResultFormat: 'JSON',
      ...target(statement.input),
    };
    if (statement.input.Parameters !== undefined) body.QueryParameters = statement.input.Parameters;
    if (status === 'FAILED' && outcome?.kind === 'failed') body.Error = outcome.error;
    return body;
  }

  function getStatementResult(input: Record<string, unknown>): string {
    const statement = statementOf(input);
    const { outcome } = statement;
    if (statusOf(statement) !== 'FINISHED' || outcome?.kind !== 'finished') {
      throw new ServiceError('ValidationException', 'Query has not finished: check its status with DescribeStatement.');
    }
    if (outcome.columns.length === 0) throw new ServiceError('ValidationException', 'Query does not have a result set.');
    const offset = offsetOf(input.NextToken, statement.id);
    const page = outcome.rows.slice(offset, offset + pageSize);
    const records = page.map(
      (row) =>
        `[${outcome.columns.map((column, i) => (row[i] === null || row[i] === undefined ? '{"isNull":true}' : column.field(row[i]))).join(',')}]`,
    );
    const metadata = outcome.columns.map((column) => ({
      name: column.name,
      label: column.name,
      typeName: column.typeName,
      nullable: 1,
    }));
    const next =
      offset + page.length < outcome.rows.length ? Buffer.from(`${statement.id}:${offset + page.length}`).toString('base64url') : undefined;
    // Records are spliced in as text so that int8 digits reach the client exactly as written.
    return `{"ColumnMetadata":${JSON.stringify(metadata)},"Records":[${records.join(',')}],"TotalNumRows":${outcome.rows.length}${next === undefined ? '' : `,"NextToken":${JSON.stringify(next)}`}}`;
  }

  function offsetOf(token: unknown, id: string): number {
    if (token === undefined || token === null || token === '') return 0;
    const [tokenId, offset] = Buffer.from(String(token), 'base64url').toString('utf8').split(':');
    if (tokenId !== id || offset === undefined || !/^\d+$/.test(offset))
      throw new ServiceError('ValidationException', 'NextToken is not valid for this statement.');
    return Number(offset);
  }

  function cancelStatement(input: Record<string, unknown>): Record<string, unknown> {
    const statement = statementOf(input);
    const status = statusOf(statement);
    if (status === 'FINISHED' || status === 'FAILED' || status === 'ABORTED') {
      throw new ServiceError('ValidationException', `Could not cancel a query that is already in ${status} state.`);
    }
    // The database cannot be interrupted; its outcome is ignored from now on.
    statement.aborted = true;
    statement.updatedAt = new Date();
    return { Status: true };
  }

  async function handle(operation: string, input: Record<string, unknown>): Promise<{ body: string; statementId?: string }> {
    const throttle = throttles.get(operation)?.shift();
    if (throttle !== undefined) throw new ServiceError(throttle, 'Rate exceeded');
    switch (operation) {
      case 'ExecuteStatement': {
        const { body, statementId } = executeStatement(input);
        return { body: JSON.stringify(body), statementId };
      }
      case 'DescribeStatement':
        return { body: JSON.stringify(await describeStatement(input)) };
      case 'GetStatementResult':
        return { body: getStatementResult(input) };
      case 'CancelStatement':
        return { body: JSON.stringify(cancelStatement(input)) };
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
      failures.push(message);
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      // The database outlives the emulator: leave it with no statement still running.
      await Promise.all([...statements.values()].map((statement) => statement.settled));
    },
  };
}
