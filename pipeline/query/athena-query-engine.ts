import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
  type ColumnInfo,
  type QueryExecution,
  type Row,
} from '@aws-sdk/client-athena';
import { failureFields, translateAwsError } from '../aws/aws-errors.js';
import { QueryFailedError } from '../errors.js';
import type { PreparedQuery, QueryColumn, QueryEngine, QueryPage, QueryRow, QueryValue } from '../ports/query-engine.js';
import { athenaLiteral } from './query-parameters.js';
import { toPositional } from './sql-tokens.js';

export interface AthenaQueryEngineOptions {
  readonly client: Pick<AthenaClient, 'send'>;
  /** Workgroup to run in; its settings (result location, encryption, limits) apply. */
  readonly workGroup: string;
  /** Glue database holding the lake tables. */
  readonly database: string;
  /** Data catalog; `AwsDataCatalog` by default. */
  readonly catalog?: string;
  /** Result location, for workgroups that do not enforce one. */
  readonly outputLocation?: string;
  /** Give up (and stop the query) after this long. Default 10 minutes. */
  readonly timeoutMs?: number;
  /** First wait between status checks; it grows by half up to `maxPollIntervalMs`. Default 500 ms. */
  readonly pollIntervalMs?: number;
  /** Default 5 s. */
  readonly maxPollIntervalMs?: number;
  /** Rows per GetQueryResults call (at most 1,000). */
  readonly pageSize?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/**
 * Runs the queries in Athena: `StartQueryExecution` in the workgroup with the parameters as
 * `ExecutionParameters`, polling with a growing interval until the query ends, then every page of
 * `GetQueryResults`. A failed or cancelled query throws QueryFailedError with Athena's reason; one
 * that outlives the timeout is stopped, so it does not keep scanning (and billing) unattended.
 */
export class AthenaQueryEngine implements QueryEngine {
  readonly #options: AthenaQueryEngineOptions;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;

  constructor(options: AthenaQueryEngineOptions) {
    this.#options = options;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#now = options.now ?? Date.now;
  }

  async *pages(query: PreparedQuery): AsyncGenerator<QueryPage> {
    const id = await this.#start(query);
    const execution = await this.#wait(query.name, id);
    // For a SELECT, Athena repeats the column names as the first row of the first page.
    let skipHeader = execution.StatementType === 'DML';
    let token: string | undefined;
    let columns: QueryColumn[] | undefined;
    let infos: ColumnInfo[] = [];
    do {
      const response = await this.#call('GetQueryResults', query.name, id, () =>
        this.#options.client.send(
          new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token, MaxResults: this.#options.pageSize ?? 1000 }),
        ),
      );
      if (!columns) {
        infos = response.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
        columns = infos.map((info) => ({ name: info.Name ?? '', type: info.Type ?? 'varchar' }));
      }
      let rows = response.ResultSet?.Rows ?? [];
      if (skipHeader && rows.length > 0) {
        rows = rows.slice(1);
        skipHeader = false;
      }
      yield { columns, rows: rows.map((row) => toRow(row, infos)) };
      token = response.NextToken;
    } while (token);
  }

  async close(): Promise<void> {}

  async #start(query: PreparedQuery): Promise<string> {
    const { sql, order } = toPositional(query.sql);
    const byName = new Map(query.parameters.map((parameter) => [parameter.name, parameter]));
    const parameters = order.map((name) => {
      const parameter = byName.get(name);
      if (!parameter) throw new QueryFailedError(`${query.name}: parameter :${name} has no value`);
      return athenaLiteral(parameter);
    });
    const response = await this.#call('StartQueryExecution', query.name, undefined, () =>
      this.#options.client.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          WorkGroup: this.#options.workGroup,
          QueryExecutionContext: { Database: this.#options.database, Catalog: this.#options.catalog ?? 'AwsDataCatalog' },
          ...(parameters.length > 0 ? { ExecutionParameters: parameters } : {}),
          ...(this.#options.outputLocation ? { ResultConfiguration: { OutputLocation: this.#options.outputLocation } } : {}),
        }),
      ),
    );
    if (!response.QueryExecutionId) throw new QueryFailedError(`${query.name}: Athena returned no query execution id`);
    return response.QueryExecutionId;
  }

  async #wait(name: string, id: string): Promise<QueryExecution> {
    const timeoutMs = this.#options.timeoutMs ?? 600_000;
    const deadline = this.#now() + timeoutMs;
    let interval = this.#options.pollIntervalMs ?? 500;
    for (;;) {
      const response = await this.#call('GetQueryExecution', name, id, () =>
        this.#options.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id })),
      );
      const execution = response.QueryExecution ?? {};
      const state = execution.Status?.State;
      if (state === 'SUCCEEDED') return execution;
      if (state === 'FAILED' || state === 'CANCELLED') {
        const error = execution.Status?.AthenaError;
        const reason = execution.Status?.StateChangeReason ?? error?.ErrorMessage ?? 'no reason given';
        throw new QueryFailedError(`${name}: Athena query ${id} ${state === 'FAILED' ? 'failed' : 'was cancelled'}: ${reason}`, {
          queryId: id,
          retryable: error?.Retryable ?? false,
        });
      }
      if (this.#now() >= deadline) {
        await this.#options.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => undefined);
        throw new QueryFailedError(
          `${name}: Athena query ${id} did not finish within ${Math.round(timeoutMs / 1000)} s ` +
            `(last state ${state ?? 'unknown'}); it was stopped`,
          { queryId: id, retryable: true },
        );
      }
      await this.#sleep(Math.min(interval, Math.max(0, deadline - this.#now())));
      interval = Math.min(interval * 1.5, this.#options.maxPollIntervalMs ?? 5000);
    }
  }

  /** One Athena call; a failure becomes QueryFailedError, whose `retryable` says whether to run the query again. */
  async #call<T>(operation: string, name: string, id: string | undefined, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const target = { service: 'athena', operation, resource: this.#options.workGroup, action: `run ${operation} for ${name}` } as const;
      throw translateAwsError(
        error,
        target,
        (failure) =>
          new QueryFailedError(`${name}: Athena ${failure.summary}`, { ...(id ? { queryId: id } : {}), ...failureFields(failure) }),
      );
    }
  }
}

/** Athena gives every value as text; the column types say what it was. An absent value is NULL. */
function toRow(row: Row, infos: readonly ColumnInfo[]): QueryRow {
  const out: Record<string, QueryValue> = {};
  infos.forEach((info, index) => {
    out[info.Name ?? String(index)] = toValue(row.Data?.[index]?.VarCharValue, (info.Type ?? 'varchar').toLowerCase());
  });
  return out;
}

export function toValue(text: string | undefined, type: string): QueryValue {
  if (text === undefined) return null;
  switch (type) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'bigint': {
      const number = Number(text);
      return Number.isSafeInteger(number) ? number : text;
    }
    case 'real':
    case 'float':
    case 'double':
    case 'decimal':
      return Number(text);
    case 'boolean':
      return text === 'true';
    case 'timestamp':
      // Athena prints timestamps with milliseconds; the contract keeps DuckDB's form (no trailing .000).
      return text.replace(/\.0+$/, '');
    default:
      return text;
  }
}
