import { randomUUID } from 'node:crypto';
import { SqlStatementError } from '../../pipeline/errors.js';
import { toPgPlaceholders } from '../../pipeline/redshift/sql/pg-placeholders.js';
import { type EmulatorDatabase, type Outcome, StatementExecutor } from './data-api-execution.js';
import { type ResultFormat, ServiceError } from './data-api-fields.js';
import { type CsvStyle, csvPage, jsonPage, type PageLimits } from './data-api-pages.js';

/** How the emulated statements behave; see DataApiEmulatorOptions. */
export interface StatementSettings {
  readonly pageLimits: PageLimits;
  readonly describesBeforeFinished: number;
  readonly csvStyle: CsvStyle;
  readonly resultFormats: readonly ResultFormat[];
  readonly retainedResults: number;
}

/** Which read each format is fetched with; the other one is refused. */
const READ_OF: Readonly<Record<ResultFormat, string>> = { JSON: 'GetStatementResult', CSV: 'GetStatementResultV2' };

interface Statement {
  readonly id: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly format: ResultFormat;
  readonly createdAt: Date;
  updatedAt: Date;
  describes: number;
  aborted: boolean;
  outcome?: Outcome;
  durationNs: number;
  readonly settled: Promise<void>;
}

function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

/** The statement's `:name` parameters checked as the wire-protocol adapter checks them: Redshift binds them alike. */
function checkParameters(sql: string, parameters: ReadonlyMap<string, string>): void {
  try {
    toPgPlaceholders({ text: sql, parameters: Object.fromEntries(parameters) });
  } catch (error) {
    if (error instanceof SqlStatementError) throw new ServiceError('ValidationException', error.message);
    throw error;
  }
}

/**
 * The statements of the emulated Data API: each runs on the database once, asynchronously, and
 * its result is held and paged without running the query again.
 */
export class EmulatedStatements {
  readonly #executor: StatementExecutor;
  readonly #settings: StatementSettings;
  readonly #describesBeforeFinished: number;
  readonly #statements = new Map<string, Statement>();
  readonly #failures: string[] = [];
  /** Statements whose result is held, oldest first. */
  readonly #held: Statement[] = [];

  constructor(db: EmulatorDatabase, settings: StatementSettings) {
    this.#executor = new StatementExecutor(db);
    this.#settings = settings;
    this.#describesBeforeFinished = settings.describesBeforeFinished;
  }

  /** The next statement executed does not run and ends FAILED with `message` as its `Error`. */
  failNext(message: string): void {
    this.#failures.push(message);
  }

  /** Resolves once no statement is still running on the database. */
  async settled(): Promise<void> {
    await Promise.all([...this.#statements.values()].map((statement) => statement.settled));
  }

  async #run(statement: Statement, sql: string, parameters: ReadonlyMap<string, string>): Promise<Outcome> {
    try {
      return await this.#executor.run({ text: sql, parameters: Object.fromEntries(parameters) });
    } finally {
      statement.durationNs = (Date.now() - statement.createdAt.getTime()) * 1_000_000;
    }
  }

  #statementOf(input: Record<string, unknown>): Statement {
    const id = input.Id;
    if (typeof id !== 'string' || id === '') throw new ServiceError('ValidationException', 'Id is required');
    const statement = this.#statements.get(id);
    if (statement === undefined) throw new ServiceError('ResourceNotFoundException', `Query ${id} does not exist.`);
    return statement;
  }

  /** What DescribeStatement would say now, without counting as a describe. */
  #statusOf(statement: Statement): string {
    if (statement.aborted) return 'ABORTED';
    if (statement.describes <= this.#describesBeforeFinished || statement.outcome === undefined) {
      return statement.describes <= 1 ? 'SUBMITTED' : 'STARTED';
    }
    return statement.outcome.kind === 'finished' ? 'FINISHED' : 'FAILED';
  }

  #targetOf(input: Record<string, unknown>): Record<string, unknown> {
    const fields: Record<string, unknown> = { Database: input.Database };
    for (const key of ['ClusterIdentifier', 'WorkgroupName', 'DbUser', 'SecretArn']) {
      if (input[key] !== undefined) fields[key] = input[key];
    }
    return fields;
  }

  execute(input: Record<string, unknown>): { body: Record<string, unknown>; statementId: string } {
    const { Sql: sql, Database: database, ClusterIdentifier: cluster, WorkgroupName: workgroup, ResultFormat: format = 'JSON' } = input;
    if (typeof sql !== 'string' || sql.trim() === '') throw new ServiceError('ValidationException', 'Sql is required');
    if (!this.#settings.resultFormats.includes(format as ResultFormat)) {
      throw new ServiceError('ValidationException', `ResultFormat must be one of ${this.#settings.resultFormats.join(', ')}.`);
    }
    if (typeof database !== 'string' || database === '') throw new ServiceError('ValidationException', 'Database is required');
    if ((cluster === undefined) === (workgroup === undefined)) {
      throw new ServiceError('ValidationException', 'Either ClusterIdentifier or WorkgroupName must be specified, but not both.');
    }
    // Temporary credentials on a workgroup come from the caller's IAM identity: a database user
    // name is for provisioned clusters only.
    if (workgroup !== undefined && input.DbUser !== undefined) {
      throw new ServiceError('ValidationException', 'DbUser is not supported with WorkgroupName; use the IAM identity or SecretArn.');
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
    checkParameters(sql, parameters);

    const id = randomUUID();
    const createdAt = new Date();
    let resolveSettled: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => {
      resolveSettled = resolve;
    });
    const statement: Statement = {
      id,
      input,
      format: format as ResultFormat,
      createdAt,
      updatedAt: createdAt,
      describes: 0,
      aborted: false,
      durationNs: 0,
      settled,
    };
    this.#statements.set(id, statement);
    const failure = this.#failures.shift();
    const outcome: Promise<Outcome> =
      failure === undefined ? this.#run(statement, sql, parameters) : Promise.resolve({ kind: 'failed', error: failure });
    void outcome.then((result) => {
      statement.outcome = result;
      statement.updatedAt = new Date();
      if (result.kind === 'finished') this.#hold(statement);
      resolveSettled();
    });
    return { body: { Id: id, CreatedAt: epochSeconds(createdAt), ...this.#targetOf(input) }, statementId: id };
  }

  async describe(input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const statement = this.#statementOf(input);
    statement.describes += 1;
    if (!statement.aborted && statement.describes > this.#describesBeforeFinished) await statement.settled;
    const status = this.#statusOf(statement);
    const { outcome } = statement;
    const done = status === 'FINISHED' || status === 'FAILED';
    const body: Record<string, unknown> = {
      Id: statement.id,
      Status: status,
      CreatedAt: epochSeconds(statement.createdAt),
      UpdatedAt: epochSeconds(statement.updatedAt),
      Duration: done ? statement.durationNs : -1,
      QueryString: statement.input.Sql,
      HasResultSet: status === 'FINISHED' && outcome?.kind === 'finished' && outcome.result.columns.length > 0,
      ResultRows: status === 'FINISHED' && outcome?.kind === 'finished' ? outcome.resultRows : -1,
      ResultFormat: statement.format,
      ...this.#targetOf(statement.input),
    };
    if (statement.input.Parameters !== undefined) body.QueryParameters = statement.input.Parameters;
    if (status === 'FAILED' && outcome?.kind === 'failed') body.Error = outcome.error;
    return body;
  }

  /** A page of the result, for `operation` (GetStatementResult or GetStatementResultV2). */
  result(input: Record<string, unknown>, operation: string): string {
    const statement = this.#statementOf(input);
    const { outcome } = statement;
    if (this.#statusOf(statement) !== 'FINISHED' || outcome?.kind !== 'finished') {
      throw new ServiceError('ValidationException', 'Query has not finished: check its status with DescribeStatement.');
    }
    const { result } = outcome;
    if (result.columns.length === 0) throw new ServiceError('ValidationException', 'Query does not have a result set.');
    if (READ_OF[statement.format] !== operation) {
      throw new ServiceError(
        'ValidationException',
        `The result format of this query is ${statement.format}: read it with ${READ_OF[statement.format]}.`,
      );
    }
    if (!this.#held.includes(statement))
      throw new ServiceError('ResourceNotFoundException', `The result of query ${statement.id} has expired.`);
    const offset = this.#offsetOf(input.NextToken, statement.id);
    const limits = this.#settings.pageLimits;
    const page = statement.format === 'CSV' ? csvPage(result, offset, limits, this.#settings.csvStyle) : jsonPage(result, offset, limits);
    const next = page.next < result.csv.length ? Buffer.from(`${statement.id}:${page.next}`).toString('base64url') : undefined;
    return `${page.body}${next === undefined ? '' : `,"NextToken":${JSON.stringify(next)}`}}`;
  }

  /** Holds a finished result, letting go of the oldest beyond the number retained (the service keeps results 24 hours). */
  #hold(statement: Statement): void {
    this.#held.push(statement);
    while (this.#held.length > this.#settings.retainedResults) {
      const expired = this.#held.shift();
      if (expired?.outcome?.kind === 'finished') {
        expired.outcome = { ...expired.outcome, result: { ...expired.outcome.result, csv: Buffer.alloc(0) } };
      }
    }
  }

  #offsetOf(token: unknown, id: string): number {
    if (token === undefined || token === null || token === '') return 0;
    const [tokenId, offset] = Buffer.from(String(token), 'base64url').toString('utf8').split(':');
    if (tokenId !== id || offset === undefined || !/^\d+$/.test(offset))
      throw new ServiceError('ValidationException', 'NextToken is not valid for this statement.');
    return Number(offset);
  }

  cancel(input: Record<string, unknown>): Record<string, unknown> {
    const statement = this.#statementOf(input);
    const status = this.#statusOf(statement);
    if (status === 'FINISHED' || status === 'FAILED' || status === 'ABORTED') {
      throw new ServiceError('ValidationException', `Could not cancel a query that is already in ${status} state.`);
    }
    // The database cannot be interrupted; its outcome is ignored from now on.
    statement.aborted = true;
    statement.updatedAt = new Date();
    return { Status: true };
  }
}
