import { randomUUID } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import { SqlStatementError } from '../../pipeline/errors.js';
import { type PositionalStatement, toPgPlaceholders } from '../../pipeline/redshift/sql/pg-placeholders.js';
import { type Column, fieldWriter, RAW_TEXT_PARSERS, ServiceError, TYPE_NAMES } from './data-api-fields.js';

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

function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

/** `:name` placeholders rewritten as `$n`, the same way the wire-protocol adapter does: Redshift binds them alike. */
function positionalStatement(sql: string, parameters: ReadonlyMap<string, string>): PositionalStatement {
  try {
    return toPgPlaceholders({ text: sql, parameters: Object.fromEntries(parameters) });
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
  readonly #db: Pick<PGlite, 'query'>;
  readonly #pageSize: number;
  readonly #describesBeforeFinished: number;
  readonly #statements = new Map<string, Statement>();
  readonly #failures: string[] = [];
  readonly #typeNames = new Map<number, string>();

  constructor(db: Pick<PGlite, 'query'>, pageSize: number, describesBeforeFinished: number) {
    this.#db = db;
    this.#pageSize = pageSize;
    this.#describesBeforeFinished = describesBeforeFinished;
  }

  /** The next statement executed does not run and ends FAILED with `message` as its `Error`. */
  failNext(message: string): void {
    this.#failures.push(message);
  }

  /** Resolves once no statement is still running on the database. */
  async settled(): Promise<void> {
    await Promise.all([...this.#statements.values()].map((statement) => statement.settled));
  }

  async #typeNameOf(oid: number): Promise<string> {
    const known = TYPE_NAMES[oid] ?? this.#typeNames.get(oid);
    if (known !== undefined) return known;
    const result = await this.#db.query<{ typname: string }>('SELECT typname FROM pg_type WHERE oid = $1', [oid]);
    const name = result.rows[0]?.typname ?? 'unknown';
    this.#typeNames.set(oid, name);
    return name;
  }

  async #run(statement: Statement, sql: string, values: readonly string[]): Promise<Outcome> {
    try {
      const result = await this.#db.query<unknown[]>(sql, [...values], { rowMode: 'array', parsers: RAW_TEXT_PARSERS });
      const columns: Column[] = [];
      for (const field of result.fields) {
        columns.push({ name: field.name, typeName: await this.#typeNameOf(field.dataTypeID), field: fieldWriter(field.dataTypeID) });
      }
      const resultRows = columns.length > 0 ? result.rows.length : (result.affectedRows ?? 0);
      return { kind: 'finished', columns, rows: result.rows, resultRows };
    } catch (error) {
      return { kind: 'failed', error: error instanceof Error ? error.message : String(error) };
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
    const positional = positionalStatement(sql, parameters);

    const id = randomUUID();
    const createdAt = new Date();
    let resolveSettled: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => {
      resolveSettled = resolve;
    });
    const statement: Statement = { id, input, createdAt, updatedAt: createdAt, describes: 0, aborted: false, durationNs: 0, settled };
    this.#statements.set(id, statement);
    const failure = this.#failures.shift();
    const outcome: Promise<Outcome> =
      failure === undefined
        ? this.#run(statement, positional.text, positional.values)
        : Promise.resolve({ kind: 'failed', error: failure });
    void outcome.then((result) => {
      statement.outcome = result;
      statement.updatedAt = new Date();
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
      HasResultSet: status === 'FINISHED' && outcome?.kind === 'finished' && outcome.columns.length > 0,
      ResultRows: status === 'FINISHED' && outcome?.kind === 'finished' ? outcome.resultRows : -1,
      ResultFormat: 'JSON',
      ...this.#targetOf(statement.input),
    };
    if (statement.input.Parameters !== undefined) body.QueryParameters = statement.input.Parameters;
    if (status === 'FAILED' && outcome?.kind === 'failed') body.Error = outcome.error;
    return body;
  }

  result(input: Record<string, unknown>): string {
    const statement = this.#statementOf(input);
    const { outcome } = statement;
    if (this.#statusOf(statement) !== 'FINISHED' || outcome?.kind !== 'finished') {
      throw new ServiceError('ValidationException', 'Query has not finished: check its status with DescribeStatement.');
    }
    if (outcome.columns.length === 0) throw new ServiceError('ValidationException', 'Query does not have a result set.');
    const offset = this.#offsetOf(input.NextToken, statement.id);
    const page = outcome.rows.slice(offset, offset + this.#pageSize);
    const field = (column: Column, value: unknown) => (value === null || value === undefined ? '{"isNull":true}' : column.field(value));
    const records = page.map((row) => `[${outcome.columns.map((column, i) => field(column, row[i])).join(',')}]`);
    const metadata = outcome.columns.map((column) => ({
      name: column.name,
      label: column.name,
      typeName: column.typeName,
      nullable: 1,
    }));
    const next =
      offset + page.length < outcome.rows.length ? Buffer.from(`${statement.id}:${offset + page.length}`).toString('base64url') : undefined;
    // Records are spliced in as text so that int8 digits reach the client exactly as written.
    const nextToken = next === undefined ? '' : `,"NextToken":${JSON.stringify(next)}`;
    const total = `"TotalNumRows":${outcome.rows.length}`;
    return `{"ColumnMetadata":${JSON.stringify(metadata)},"Records":[${records.join(',')}],${total}${nextToken}}`;
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
