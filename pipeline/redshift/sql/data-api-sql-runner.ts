import { setTimeout as delay } from 'node:timers/promises';
import {
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  type DescribeStatementResponse,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { awsErrorDetails } from '../../aws/aws-error-details.js';
import { failureFields, transientAwsError, translateAwsError } from '../../aws/aws-errors.js';
import type { ClusterConfig } from '../../config/opslake-config.js';
import { ConnectionError, type OpslakeError, SqlStatementError, ThrottledError } from '../../errors.js';
import type { SqlRow, SqlRunner, SqlStatement } from '../../ports/sql-runner.js';
import { keepExactIntegers } from './data-api-exact-integers.js';
import { columnDecoders, rowsOf, type ColumnDecoder } from './data-api-field-values.js';

export interface DataApiSqlRunnerOptions {
  /** The caller owns the client: `close()` leaves it open. */
  readonly client: RedshiftDataClient;
  readonly cluster: ClusterConfig;
  /** First wait before DescribeStatement, and the first throttling backoff. Default 250 ms. */
  readonly pollInitialDelayMs?: number;
  /** Longest wait between polls or throttled retries (the wait doubles up to it). Default 5,000 ms. */
  readonly pollMaxDelayMs?: number;
  /** A statement still running after this long is cancelled. Default 15 minutes. */
  readonly statementTimeoutMs?: number;
  /** Retries of a throttled call before `ThrottledError`. Default 6. */
  readonly maxThrottleRetries?: number;
  /** How the runner waits; tests pass one that returns at once. */
  readonly sleep?: (ms: number) => Promise<void>;
}

type Operation = 'ExecuteStatement' | 'DescribeStatement' | 'GetStatementResult' | 'CancelStatement';

/** The fields of ExecuteStatement that say where and as whom a statement runs. */
interface Target {
  readonly Database: string;
  readonly ClusterIdentifier?: string;
  readonly WorkgroupName?: string;
  readonly DbUser?: string;
  readonly SecretArn?: string;
}

/**
 * Runs statements through the Redshift Data API: ExecuteStatement, DescribeStatement polling
 * with exponential backoff, then GetStatementResult page by page. One page is held at a time.
 */
export class DataApiSqlRunner implements SqlRunner {
  readonly #client: RedshiftDataClient;
  readonly #clusterName: string;
  readonly #target: Target;
  readonly #pollInitialDelayMs: number;
  readonly #pollMaxDelayMs: number;
  readonly #statementTimeoutMs: number;
  readonly #maxThrottleRetries: number;
  readonly #sleep: (ms: number) => Promise<void>;
  #closed = false;

  constructor(options: DataApiSqlRunnerOptions) {
    this.#client = options.client;
    this.#clusterName = options.cluster.name;
    this.#target = targetOf(options.cluster);
    this.#pollInitialDelayMs = options.pollInitialDelayMs ?? 250;
    this.#pollMaxDelayMs = options.pollMaxDelayMs ?? 5_000;
    this.#statementTimeoutMs = options.statementTimeoutMs ?? 15 * 60_000;
    this.#maxThrottleRetries = options.maxThrottleRetries ?? 6;
    this.#sleep = options.sleep ?? ((ms) => delay(ms));
  }

  async *pages(statement: SqlStatement): AsyncIterable<readonly SqlRow[]> {
    if (this.#closed) throw new SqlStatementError(`the Data API runner of ${this.#clusterName} is closed`);
    const parameters = Object.entries(statement.parameters).map(([name, value]) => ({ name, value }));
    const executed = await this.#send(
      'ExecuteStatement',
      (client) =>
        client.send(
          new ExecuteStatementCommand({
            ...this.#target,
            Sql: statement.text,
            ...(parameters.length > 0 ? { Parameters: parameters } : {}),
          }),
        ),
      statement,
    );
    const id = executed.Id;
    if (id === undefined) throw new SqlStatementError(`ExecuteStatement on ${this.#clusterName} returned no statement id`);

    const described = await this.#waitUntilDone(id, statement);
    if (described.HasResultSet !== true) return;

    let columns: ColumnDecoder[] | undefined;
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page = await this.#send(
        'GetStatementResult',
        (client) =>
          client.send(keepExactIntegers(new GetStatementResultCommand({ Id: id, ...(token === undefined ? {} : { NextToken: token }) }))),
        statement,
        id,
      );
      if (page.ColumnMetadata !== undefined && page.ColumnMetadata.length > 0) columns = columnDecoders(page.ColumnMetadata);
      const records = page.Records ?? [];
      if (records.length > 0) {
        if (columns === undefined) {
          throw new SqlStatementError(`statement ${id} on ${this.#clusterName} returned records without column metadata`, {
            statementId: id,
          });
        }
        yield rowsOf(records, columns);
      }
      nextToken = page.NextToken === '' ? undefined : page.NextToken;
    } while (nextToken !== undefined);
  }

  /** The client is the caller's; there is nothing else to release. */
  async close(): Promise<void> {
    this.#closed = true;
  }

  async #waitUntilDone(id: string, statement: SqlStatement): Promise<DescribeStatementResponse> {
    const startedAt = Date.now();
    let waited = 0;
    let wait = this.#pollInitialDelayMs;
    for (;;) {
      await this.#sleep(wait);
      waited += wait;
      const described = await this.#send(
        'DescribeStatement',
        (client) => client.send(new DescribeStatementCommand({ Id: id })),
        statement,
        id,
      );
      switch (described.Status) {
        case 'FINISHED':
          return described;
        case 'FAILED': {
          const databaseMessage = redact(described.Error ?? 'no message', statement);
          throw new SqlStatementError(`statement ${id} on ${this.#clusterName} failed: ${databaseMessage}`, {
            statementId: id,
            databaseMessage,
          });
        }
        case 'ABORTED':
          throw new SqlStatementError(`statement ${id} on ${this.#clusterName} was aborted before it finished`, {
            statementId: id,
            retryable: true,
          });
        default:
          break;
      }
      // Waits are counted as well as the clock, so that an injected sleeper still times out.
      const elapsed = Math.max(waited, Date.now() - startedAt);
      if (elapsed >= this.#statementTimeoutMs) {
        await this.#cancel(id, statement);
        throw new SqlStatementError(
          `statement ${id} on ${this.#clusterName} was still ${described.Status ?? 'running'} after ` +
            `${Math.round(elapsed / 1000)} s and was cancelled; try again, or raise the statement timeout`,
          { statementId: id, retryable: true },
        );
      }
      wait = Math.min(wait * 2, this.#pollMaxDelayMs);
    }
  }

  /** Best effort: the statement may have finished meanwhile, and the timeout is reported anyway. */
  async #cancel(id: string, statement: SqlStatement): Promise<void> {
    try {
      await this.#send('CancelStatement', (client) => client.send(new CancelStatementCommand({ Id: id })), statement, id);
    } catch {
      // The timeout error that follows is what the caller needs to see.
    }
  }

  /** One Data API call, retried with backoff while the service throttles it. */
  async #send<Output>(
    operation: Operation,
    call: (client: RedshiftDataClient) => Promise<Output>,
    statement: SqlStatement,
    statementId?: string,
  ): Promise<Output> {
    let wait = this.#pollInitialDelayMs;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call(this.#client);
      } catch (error) {
        if (!awsErrorDetails(error).throttled) throw this.#translate(operation, error, statement, statementId);
        if (attempt > this.#maxThrottleRetries) {
          throw new ThrottledError(`Redshift Data API ${operation} on ${this.#clusterName}`, attempt, { cause: error });
        }
        await this.#sleep(wait);
        wait = Math.min(wait * 2, this.#pollMaxDelayMs);
      }
    }
  }

  /**
   * No answer, or the Data API could not reach the database: a retryable ConnectionError.
   * Credentials or permissions refused: a ConnectionError that retrying does not mend. Anything
   * else is the statement's: SqlStatementError, retryable for a fault on the service's side.
   */
  #translate(operation: Operation, error: unknown, statement: SqlStatement, statementId?: string): OpslakeError {
    const call = {
      service: 'redshift-data',
      operation,
      resource: this.#clusterName,
      action: `call ${operation} for ${this.#clusterName}`,
      redact: (text: string) => redact(text, statement),
    } as const;
    return translateAwsError(error, call, (failure) => {
      const message = `Redshift Data API ${operation} on ${this.#clusterName} failed: ${failure.summary}`;
      const transient = transientAwsError(failure);
      if (transient !== undefined) return transient;
      if (failure.name === 'DatabaseConnectionException') return new ConnectionError(message, failureFields(failure));
      if (failure.kind === 'credentials' || failure.kind === 'access-denied') return new ConnectionError(message, failureFields(failure));
      return new SqlStatementError(message, { ...failureFields(failure), ...(statementId === undefined ? {} : { statementId }) });
    });
  }
}

function targetOf(cluster: ClusterConfig): Target {
  const where =
    cluster.kind === 'serverless'
      ? { WorkgroupName: cluster.workgroupName ?? cluster.name }
      : { ClusterIdentifier: cluster.clusterIdentifier ?? cluster.name };
  const auth = cluster.auth;
  const who = auth.type === 'db-user' ? { DbUser: auth.dbUser } : auth.type === 'secret' ? { SecretArn: auth.secretArn } : {};
  return { Database: cluster.database, ...where, ...who };
}

/**
 * Messages from the service or the database may quote what was sent (`invalid input syntax for
 * type timestamp: "..."`): parameter values are replaced by their names. Values shorter than
 * four characters are left, since hiding them would garble ordinary words and numbers.
 */
function redact(text: string, statement: SqlStatement): string {
  const values = Object.entries(statement.parameters)
    .filter(([, value]) => value.length >= 4)
    .sort(([, a], [, b]) => b.length - a.length);
  let out = text;
  for (const [name, value] of values) out = out.split(value).join(`:${name}`);
  return out;
}
