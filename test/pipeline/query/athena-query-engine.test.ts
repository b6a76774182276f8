import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  InvalidRequestException,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type GetQueryResultsOutput,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { QueryFailedError } from '../../../pipeline/errors.js';
import { AthenaQueryEngine, toValue } from '../../../pipeline/query/athena-query-engine.js';
import { collectRows, type PreparedQuery } from '../../../pipeline/ports/query-engine.js';

const athena = mockClient(AthenaClient);

const QUERY: PreparedQuery = {
  name: 'redshift_hourly_statements',
  sql: 'SELECT cluster, hour, statements FROM x WHERE day BETWEEN :from_day AND :to_day AND cluster <> :skip',
  parameters: [
    { name: 'from_day', type: 'day', value: '2024-03-01' },
    { name: 'to_day', type: 'day', value: '2024-03-05' },
    { name: 'skip', type: 'string', value: "o'neil" },
  ],
};

const COLUMNS = [
  { Name: 'cluster', Type: 'varchar' },
  { Name: 'hour', Type: 'timestamp' },
  { Name: 'statements', Type: 'bigint' },
];

function page(rows: Array<Array<string | undefined>>, next?: string): GetQueryResultsOutput {
  return {
    ResultSet: {
      ResultSetMetadata: { ColumnInfo: COLUMNS },
      Rows: rows.map((row) => ({ Data: row.map((value) => (value === undefined ? {} : { VarCharValue: value })) })),
    },
    ...(next ? { NextToken: next } : {}),
  };
}

/** A clock that moves only when the engine sleeps: no real waiting, no timing in the test. */
function fakeTime() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

function engine(time = fakeTime(), timeoutMs = 60_000): AthenaQueryEngine {
  return new AthenaQueryEngine({
    client: new AthenaClient({ region: 'eu-west-1' }),
    workGroup: 'opslake',
    database: 'opslake_lake',
    timeoutMs,
    pollIntervalMs: 500,
    sleep: time.sleep,
    now: time.now,
  });
}

describe('AthenaQueryEngine', () => {
  beforeEach(() => athena.reset());

  it('starts the query in the workgroup with its parameters as literals, polls until it succeeds, and reads every page', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' }, StatementType: 'DML' } });
    athena
      .on(GetQueryResultsCommand)
      .resolvesOnce(
        page(
          [
            ['cluster', 'hour', 'statements'],
            ['analytics', '2024-03-01 10:00:00.000', '12'],
          ],
          't-2',
        ),
      )
      .resolvesOnce(page([['etl', '2024-03-01 10:00:00.000', '9007199254740993']], 't-3'))
      .resolvesOnce(page([['etl', '2024-03-01 11:00:00.000', undefined]]));
    const time = fakeTime();
    const pages = [];
    for await (const result of engine(time).pages(QUERY)) pages.push(result);

    expect(pages.map((result) => result.rows)).toEqual([
      [{ cluster: 'analytics', hour: '2024-03-01 10:00:00', statements: 12 }],
      [{ cluster: 'etl', hour: '2024-03-01 10:00:00', statements: '9007199254740993' }],
      [{ cluster: 'etl', hour: '2024-03-01 11:00:00', statements: null }],
    ]);
    expect(pages[0]?.columns).toEqual([
      { name: 'cluster', type: 'varchar' },
      { name: 'hour', type: 'timestamp' },
      { name: 'statements', type: 'bigint' },
    ]);
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input).toEqual({
      QueryString: 'SELECT cluster, hour, statements FROM x WHERE day BETWEEN ? AND ? AND cluster <> ?',
      WorkGroup: 'opslake',
      QueryExecutionContext: { Database: 'opslake_lake', Catalog: 'AwsDataCatalog' },
      ExecutionParameters: ["'2024-03-01'", "'2024-03-05'", "'o''neil'"],
    });
    expect(athena.commandCalls(GetQueryResultsCommand).map((call) => call.args[0].input.NextToken)).toEqual([undefined, 't-2', 't-3']);
    expect(time.sleeps).toEqual([500, 750]);
  });

  it("fails with Athena's reason when the query fails", async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-2' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: {
          State: 'FAILED',
          StateChangeReason: "COLUMN_NOT_FOUND: line 1:8: Column 'clustr' cannot be resolved",
          AthenaError: { ErrorCategory: 2, ErrorType: 1006, Retryable: false },
        },
      },
    });
    const error = await collectRows(engine().pages(QUERY)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect((error as QueryFailedError).message).toBe(
      "redshift_hourly_statements: Athena query q-2 failed: COLUMN_NOT_FOUND: line 1:8: Column 'clustr' cannot be resolved",
    );
    expect((error as QueryFailedError).queryId).toBe('q-2');
    expect((error as QueryFailedError).retryable).toBe(false);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('stops a query that outlives the timeout and says so', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-3' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const time = fakeTime();
    const error = await collectRows(engine(time, 30_000).pages(QUERY)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect((error as QueryFailedError).message).toMatch(
      /Athena query q-3 did not finish within 30 s \(last state RUNNING\); it was stopped/,
    );
    expect((error as QueryFailedError).retryable).toBe(true);
    expect(athena.commandCalls(StopQueryExecutionCommand)[0]?.args[0].input).toEqual({ QueryExecutionId: 'q-3' });
    // The waits grow, are capped at 5 s, and never overshoot the deadline.
    expect(time.sleeps.slice(0, 6)).toEqual([500, 750, 1125, 1687.5, 2531.25, 3796.875]);
    expect(Math.max(...time.sleeps)).toBe(5000);
    expect(time.sleeps.reduce((sum, ms) => sum + ms, 0)).toBe(30_000);
  });

  it('reports a cancelled query and an SDK error as QueryFailedError', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-4' });
    athena
      .on(GetQueryExecutionCommand)
      .resolves({ QueryExecution: { Status: { State: 'CANCELLED', StateChangeReason: 'Query cancelled by user' } } });
    await expect(collectRows(engine().pages(QUERY))).rejects.toThrow(/q-4 was cancelled: Query cancelled by user/);

    athena.reset();
    athena
      .on(StartQueryExecutionCommand)
      .rejects(new InvalidRequestException({ message: 'WorkGroup opslake is not found.', $metadata: {} }));
    const error = await collectRows(engine().pages(QUERY)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect((error as QueryFailedError).message).toBe(
      'redshift_hourly_statements: Athena InvalidRequestException: WorkGroup opslake is not found.',
    );
  });

  it('says what to grant when Athena denies the query, and keeps throttling retryable', async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    athena.on(StartQueryExecutionCommand).rejects(denied);
    const error = await collectRows(engine().pages(QUERY)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect(error).toMatchObject({ retryable: false, cause: denied });
    expect((error as QueryFailedError).hint).toContain(
      'athena:StartQueryExecution, GetQueryExecution and GetQueryResults in workgroup opslake',
    );
    expect((error as QueryFailedError).hint).toContain("s3:PutObject on the workgroup's results bucket");

    athena.reset();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-6' });
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    athena.on(GetQueryExecutionCommand).rejects(throttled);
    const later = await collectRows(engine().pages(QUERY)).catch((caught: unknown) => caught);
    expect(later).toMatchObject({ name: 'QueryFailedError', queryId: 'q-6', retryable: true });
  });

  it('yields no header row for statements that are not SELECTs', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-5' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' }, StatementType: 'DDL' } });
    athena.on(GetQueryResultsCommand).resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: [] }, Rows: [] } });
    expect(await collectRows(engine().pages({ name: 'view', sql: 'CREATE OR REPLACE VIEW v AS SELECT 1 AS x', parameters: [] }))).toEqual({
      columns: [],
      rows: [],
    });
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input.ExecutionParameters).toBeUndefined();
  });
});

describe('toValue', () => {
  it('types Athena text by the column type', () => {
    expect(toValue('12', 'integer')).toBe(12);
    expect(toValue('1.5', 'double')).toBe(1.5);
    expect(toValue('true', 'boolean')).toBe(true);
    expect(toValue('2024-03-01 10:00:00.123', 'timestamp')).toBe('2024-03-01 10:00:00.123');
    expect(toValue('x', 'varchar')).toBe('x');
    expect(toValue(undefined, 'varchar')).toBeNull();
  });
});
