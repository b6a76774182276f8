import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { Command } from 'commander';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerQueryCommand } from '../../../jobs/cli/commands/query-command.js';
import { ConfigError, QueryDefinitionError, UnsupportedSqlError } from '../../../pipeline/errors.js';
import { cloudTrailLogsView } from '../../../pipeline/catalog/cloudtrail-logs-view.js';
import { buildSmallLake, SMALL_LAKE } from '../../pipeline/catalog/small-lake.js';

let root: string;
let config: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-query-command-'));
  await buildSmallLake(join(root, 'lake'));
  config = join(root, 'opslake.yaml');
  await writeFile(config, 'lake: ./lake\ncatalog: ./catalog.duckdb\nclusters: []\n', 'utf8');
});

afterAll(async () => rm(root, { recursive: true, force: true }));

/** Runs `opslake query ...` in-process; returns what it printed. */
async function opslake(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return opslakeWithInput('', ...args);
}

async function opslakeWithInput(input: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk) => out.push(String(chunk)));
  stderr.on('data', (chunk) => err.push(String(chunk)));
  const program = new Command('opslake').exitOverride();
  registerQueryCommand(program, { stdout, stderr, stdin: Readable.from([input]) });
  await program.parseAsync(['query', ...args], { from: 'user' });
  return { stdout: out.join(''), stderr: err.join('') };
}

const DAYS = ['--param', `from_day=${SMALL_LAKE.days[0]}`, '--param', `to_day=${SMALL_LAKE.days[1]}`];

describe('opslake query', () => {
  it('lists every query with its title and parameters', async () => {
    const { stdout } = await opslake('--list');
    expect(stdout.split('\n')[0]).toMatch(/^name\s+title\s+parameters \(default\)$/);
    expect(stdout).toMatch(/redshift_nested_loop_joins\s+Statements with nested-loop joins\s+from_day=today-7d to_day=today/);
    expect(stdout).toMatch(/cloudtrail_events_unique\s+CloudTrail events without duplicates\s+-/);
  });

  it('runs a query on the lake of the config file and prints a table', async () => {
    const { stdout, stderr } = await opslake('redshift_nested_loop_joins', '--config', config, ...DAYS);
    const [header, row] = stdout.trim().split('\n');
    expect(header).toMatch(/^cluster\s+dialect\s+query_id\s+start_time\s+end_time\s+seconds/);
    expect(row).toMatch(/^alpha\s+stl\s+1,003\s+2024-03-04 13:00:00/);
    expect(stderr).toBe('1 row\n');
  });

  it('prints CSV and JSON', async () => {
    const csv = await opslake('cloudtrail_access_denied', '-c', config, ...DAYS, '--format', 'csv');
    expect(csv.stdout.split('\n').slice(0, 2)).toEqual([
      'principal,identity_type,eventsource,errors,actions,last_action,first_seen,last_seen',
      `${SMALL_LAKE.deniedPrincipal},IAMUser,s3.amazonaws.com,4,1,GetObject,2024-03-05 02:36:00,2024-03-05 02:39:00`,
    ]);
    const json = await opslake('redshift_ddl_history', '-c', config, ...DAYS, '-f', 'json');
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ command: 'CREATE TABLE', text: SMALL_LAKE.ddl })]);
    const none = await opslake(
      'redshift_ddl_history',
      '-c',
      config,
      '--param',
      'from_day=2020-01-01',
      '--param',
      'to_day=2020-01-02',
      '-f',
      'json',
    );
    expect(JSON.parse(none.stdout)).toEqual([]);
  });

  it('refuses an unknown query or parameter with a message that says what to do', async () => {
    await expect(opslake('redshift_nested_loop', '-c', config)).rejects.toThrow(/did you mean redshift_nested_loop_joins\?/);
    await expect(opslake('redshift_ddl_history', '-c', config, '--param', 'from=2024-01-01')).rejects.toThrow(QueryDefinitionError);
    await expect(opslake('redshift_ddl_history', '-c', config, '--param', 'nonsense')).rejects.toThrow(/expected name=value/);
    await expect(opslake('redshift_ddl_history', '-c', config, '--engine', 'spark')).rejects.toThrow(
      /engine must be one of duckdb, athena/,
    );
  });

  it('runs the same file in Athena, creating the views it reads first', async () => {
    const athena = mockClient(AthenaClient);
    try {
      athena.on(StartQueryExecutionCommand).resolvesOnce({ QueryExecutionId: 'view-1' }).resolves({ QueryExecutionId: 'query-1' });
      athena
        .on(GetQueryExecutionCommand, { QueryExecutionId: 'view-1' })
        .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' }, StatementType: 'DDL' } });
      athena
        .on(GetQueryExecutionCommand, { QueryExecutionId: 'query-1' })
        .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' }, StatementType: 'DML' } });
      athena
        .on(GetQueryResultsCommand, { QueryExecutionId: 'view-1' })
        .resolves({ ResultSet: { Rows: [], ResultSetMetadata: { ColumnInfo: [] } } });
      athena.on(GetQueryResultsCommand, { QueryExecutionId: 'query-1' }).resolves({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: [{ Name: 'eventname', Type: 'varchar' }] },
          Rows: [{ Data: [{ VarCharValue: 'eventname' }] }, { Data: [{ VarCharValue: 'ConsoleLogin' }] }],
        },
      });
      const { stdout, stderr } = await opslake(
        'cloudtrail_events_in_range',
        '--engine',
        'athena',
        '--workgroup',
        'opslake',
        '--database',
        'lake_db',
        '--param',
        'from_time=2024-03-05 10:00',
        '--param',
        'to_time=2024-03-05T11:00:00Z',
        '--format',
        'csv',
      );
      expect(stdout).toBe('eventname\nConsoleLogin\n');
      expect(stderr).toMatch(/^Running cloudtrail_events_in_range in Athena \(workgroup opslake, database lake_db\) \.\.\.\n1 row\n$/);
      const starts = athena.commandCalls(StartQueryExecutionCommand).map((call) => call.args[0].input);
      expect(starts[0]?.QueryString).toMatch(/^CREATE OR REPLACE VIEW cloudtrail_events_unique AS\n/);
      expect(starts[1]?.QueryString).toContain('FROM cloudtrail_events_unique');
      expect(starts[1]?.ExecutionParameters).toEqual([
        "'2024-03-05 10:00:00'",
        "'2024-03-05 11:00:00'",
        "'2024-03-05 10:00:00'",
        "'2024-03-05 11:00:00'",
      ]);
      expect(starts[1]).toMatchObject({ WorkGroup: 'opslake', QueryExecutionContext: { Database: 'lake_db', Catalog: 'AwsDataCatalog' } });
    } finally {
      athena.restore();
    }
  });

  it('runs any Athena SQL from a file (--sql) through the dialect layer, with its :name values as text', async () => {
    const file = join(root, 'no-mfa.sql');
    await writeFile(
      file,
      [
        "-- Console sign-ins without MFA, written for the documentation's CloudTrail table",
        'SELECT useridentity.username AS who, sourceipaddress, eventtime, "timestamp"',
        'FROM cloudtrail_logs',
        "WHERE eventname = 'ConsoleLogin'",
        "  AND json_extract_scalar(additionaleventdata, '$.MFAUsed') = :mfa",
        "  AND from_iso8601_timestamp(eventtime) > from_iso8601_timestamp('2024-03-01T00:00:00Z');",
        '',
      ].join('\n'),
      'utf8',
    );
    const { stdout, stderr } = await opslake('--sql', file, '-c', config, '--param', 'mfa=No', '--format', 'csv');
    const [header, row, ...rest] = stdout.trim().split('\n');
    expect(header).toBe('who,sourceipaddress,eventtime,timestamp');
    expect(row).toMatch(new RegExp(`^mallory,${SMALL_LAKE.consoleWithoutMfa.ip},${SMALL_LAKE.days[0]}T09:\\d\\d:00Z,2024/03/04$`));
    expect(rest).toEqual([]);
    expect(stderr).toBe('1 row\n');
  });

  it('reads the statement from standard input with --sql -', async () => {
    const sql = `SELECT count(*) AS denied FROM cloudtrail_logs WHERE errorcode = 'AccessDenied' AND "day" = '05'`;
    const { stdout } = await opslakeWithInput(sql, '--sql', '-', '-c', config, '-f', 'json');
    expect(JSON.parse(stdout)).toEqual([{ denied: 4 }]);
  });

  it('names a Trino function the dialect layer cannot translate, and its line, and refuses what is not one statement', async () => {
    const file = join(root, 'joda.sql');
    await writeFile(
      file,
      "SELECT eventname,\n  format_datetime(from_iso8601_timestamp(eventtime), 'yyyy-MM-dd')\nFROM cloudtrail_logs",
      'utf8',
    );
    const failure = opslake('--sql', file, '-c', config);
    await expect(failure).rejects.toThrow(UnsupportedSqlError);
    await expect(failure).rejects.toThrow(/^joda\.sql: line 2: format_datetime: Joda-style formats are not translated/);
    await writeFile(file, 'SELECT 1; SELECT 2;', 'utf8');
    await expect(opslake('--sql', file, '-c', config)).rejects.toThrow(/joda\.sql: holds more than one statement/);
    await expect(opslake('redshift_ddl_history', '--sql', file, '-c', config)).rejects.toThrow(ConfigError);
  });

  it('runs --sql in Athena as written, creating cloudtrail_logs first when it reads it', async () => {
    const athena = mockClient(AthenaClient);
    try {
      athena.on(StartQueryExecutionCommand).resolvesOnce({ QueryExecutionId: 'view-1' }).resolves({ QueryExecutionId: 'query-1' });
      athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' }, StatementType: 'DDL' } });
      athena.on(GetQueryResultsCommand).resolves({ ResultSet: { Rows: [], ResultSetMetadata: { ColumnInfo: [] } } });
      const sql = "SELECT format_datetime(from_iso8601_timestamp(eventtime), 'yyyy') FROM cloudtrail_logs WHERE region = :region";
      await opslakeWithInput(sql, '--sql', '-', '--engine', 'athena', '--param', 'region=eu-west-1');
      const starts = athena.commandCalls(StartQueryExecutionCommand).map((call) => call.args[0].input);
      expect(starts.map((start) => start.QueryString)).toEqual([
        `CREATE OR REPLACE VIEW cloudtrail_logs AS\n${cloudTrailLogsView().athenaSql}`,
        sql.replace(':region', '?'),
      ]);
      expect(starts[1]?.ExecutionParameters).toEqual(["'eu-west-1'"]);
    } finally {
      athena.restore();
    }
  });
});
