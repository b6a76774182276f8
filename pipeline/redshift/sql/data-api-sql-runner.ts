import { setTimeout as delay } from 'node:timers/promises';
import {
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  GetStatementResultV2Command,
  type DescribeStatementResponse,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { awsErrorDetails } from '../../aws/aws-error-details.js';
import { failureFields, transientAwsError, translateAwsError } from '../../aws/aws-errors.js';
import type { ClusterConfig } from '../../config/opslake-config.js';
import { ConnectionError, type OpslakeError, SqlStatementError, ThrottledError } from '../../errors.js';
import type { CsvTextPage, SqlColumnMeta, SqlRow, SqlRunner, SqlStatement } from '../../ports/sql-runner.js';
import { keepExactIntegers } from './data-api-exact-integers.js';
import { type DataApiResultFormat, firstDifference, RESULT_FORMAT_PROBE, type ResultFormatChoice } from './data-api-result-format.js';
import { after, redact, type Target, targetOf } from './data-api-requests.js';
import { csvResultPages, csvTextPages, jsonResultPages, type ResultSource } from './data-api-result-pages.js';
import { columnMetaOf } from './data-api-text-values.js';

export type { DataApiResultFormat, ResultFormatChoice } from './data-api-result-format.js';

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
  /**
   * How results are read: `csv` (GetStatementResultV2), `json` (GetStatementResult's typed
   * fields), or `auto` (the default): CSV, which is much cheaper to read, once a probe statement
   * read both ways gives the same rows, else JSON (see data-api-result-format.ts).
   */
  readonly resultFormat?: DataApiResultFormat | 'auto';
}

type Operation = 'ExecuteStatement' | 'DescribeStatement' | 'GetStatementResult' | 'GetStatementResultV2' | 'CancelStatement';

/**
 * Runs statements through the Redshift Data API: ExecuteStatement, DescribeStatement polling
 * with exponential backoff, then the result page by page, as CSV (GetStatementResultV2) or
 * typed JSON (GetStatementResult). One page is held at a time.
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
  readonly #resultFormat: DataApiResultFormat | 'auto';
  #choice: Promise<ResultFormatChoice> | undefined;
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
    this.#resultFormat = options.resultFormat ?? 'auto';
  }

  async *pages(statement: SqlStatement): AsyncIterable<readonly SqlRow[]> {
    this.#checkOpen();
    const { format } = await this.resultFormat();
    yield* this.#read(statement, format);
  }

  /** The result's CSV text as the service sent it, when the runner reads CSV (see the SqlRunner port). */
  async csvPages(statement: SqlStatement): Promise<AsyncIterable<CsvTextPage> | undefined> {
    this.#checkOpen();
    const { format } = await this.resultFormat();
    return format === 'csv' ? this.#readCsvText(statement) : undefined;
  }

  #checkOpen(): void {
    if (this.#closed) throw new SqlStatementError(`the Data API runner of ${this.#clusterName} is closed`);
  }

  /**
   * The format results are read in, and why. With `auto`, the first call runs the probe; its
   * answer holds for the runner's life (a failure to reach the service is not remembered).
   */
  resultFormat(): Promise<ResultFormatChoice> {
    if (this.#choice === undefined) {
      const choice = this.#choose();
      this.#choice = choice;
      choice.catch(() => {
        if (this.#choice === choice) this.#choice = undefined;
      });
    }
    return this.#choice;
  }

  async #choose(): Promise<ResultFormatChoice> {
    if (this.#resultFormat !== 'auto') return { format: this.#resultFormat, reason: `${this.#resultFormat} results as configured` };
    const json = await rowsOfAll(this.#read(RESULT_FORMAT_PROBE, 'json'));
    let csv: SqlRow[];
    try {
      csv = await rowsOfAll(this.#read(RESULT_FORMAT_PROBE, 'csv'));
    } catch (error) {
      // Refused or unreadable: JSON still works. A connection or throttling failure is the caller's.
      if (!(error instanceof SqlStatementError) || error.retryable) throw error;
      return { format: 'json', reason: `typed JSON results, since CSV could not be read: ${error.message}` };
    }
    const difference = firstDifference(json, csv);
    if (difference !== undefined) return { format: 'json', reason: `typed JSON results, since CSV reads differently (${difference})` };
    return { format: 'csv', reason: 'CSV results, which read the same as typed JSON and cost less to read' };
  }

  /**
   * The columns of a statement's result, from the first page's metadata (JSON: the format every
   * source can read); no rows are decoded.
   */
  async columns(statement: SqlStatement): Promise<readonly SqlColumnMeta[]> {
    if (this.#closed) throw new SqlStatementError(`the Data API runner of ${this.#clusterName} is closed`);
    const id = await this.#execute(statement, 'json');
    if (id === undefined) return [];
    const page = await this.#send(
      'GetStatementResult',
      (client) => client.send(new GetStatementResultCommand(after(id, undefined))),
      statement,
      id,
    );
    return columnMetaOf(page.ColumnMetadata ?? []);
  }

  async *#read(statement: SqlStatement, format: DataApiResultFormat): AsyncGenerator<readonly SqlRow[]> {
    const id = await this.#execute(statement, format);
    if (id === undefined) return;
    const source: ResultSource = { statementId: id, cluster: this.#clusterName };
    if (format === 'csv') {
      yield* csvResultPages(this.#fetchCsv(id, statement), source);
    } else {
      const fetch = (token: string | undefined) =>
        this.#send(
          'GetStatementResult',
          (client) => client.send(keepExactIntegers(new GetStatementResultCommand(after(id, token)))),
          statement,
          id,
        );
      yield* jsonResultPages(fetch, source);
    }
  }

  async *#readCsvText(statement: SqlStatement): AsyncGenerator<CsvTextPage> {
    const id = await this.#execute(statement, 'csv');
    if (id !== undefined) yield* csvTextPages(this.#fetchCsv(id, statement), { statementId: id, cluster: this.#clusterName });
  }

  #fetchCsv(id: string, statement: SqlStatement) {
    return (token: string | undefined) =>
      this.#send('GetStatementResultV2', (client) => client.send(new GetStatementResultV2Command(after(id, token))), statement, id);
  }

  /** Runs the statement until it finished: its id when it has a result set to read. */
  async #execute(statement: SqlStatement, format: DataApiResultFormat): Promise<string | undefined> {
    const parameters = Object.entries(statement.parameters).map(([name, value]) => ({ name, value }));
    const executed = await this.#send(
      'ExecuteStatement',
      (client) =>
        client.send(
          new ExecuteStatementCommand({
            ...this.#target,
            Sql: statement.text,
            ...(parameters.length > 0 ? { Parameters: parameters } : {}),
            ...(format === 'csv' ? { ResultFormat: 'CSV' } : {}),
          }),
        ),
      statement,
    );
    const id = executed.Id;
    if (id === undefined) throw new SqlStatementError(`ExecuteStatement on ${this.#clusterName} returned no statement id`);

    const described = await this.#waitUntilDone(id, statement);
    return described.HasResultSet === true ? id : undefined;
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

async function rowsOfAll(pages: AsyncIterable<readonly SqlRow[]>): Promise<SqlRow[]> {
  const rows: SqlRow[] = [];
  for await (const page of pages) rows.push(...page);
  return rows;
}
