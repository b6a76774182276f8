import { AthenaClient } from '@aws-sdk/client-athena';
import { InvalidArgumentError, type Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { text } from 'node:stream/consumers';
import { lakeViews } from '../../../pipeline/catalog/lake-views.js';
import { ConfigError } from '../../../pipeline/errors.js';
import { prepareAdHocQuery, wordsOf } from '../../../pipeline/query/ad-hoc-query.js';
import { AthenaQueryEngine } from '../../../pipeline/query/athena-query-engine.js';
import { athenaViewDdl } from '../../../pipeline/query/athena-named-queries.js';
import { openLocalQueries } from '../../../pipeline/query/local-queries.js';
import type { QueryDefinition } from '../../../pipeline/query/query-definition.js';
import type { PreparedQuery, QueryEngine, QueryPage, QueryValue } from '../../../pipeline/ports/query-engine.js';
import { QueryLibrary } from '../../../pipeline/query/query-library.js';
import { environmentVariable } from '../../shared/environment-variable.js';
import { athenaLakeViewDdl } from '../../../pipeline/tables/lake-view.js';
import { lakeTablesWithCustom } from '../../../pipeline/tables/custom-tables.js';
import { lakeTables } from '../../../pipeline/tables/registry.js';
import { loadLocalConfig, requireSetting } from '../load-config.js';
import { openConfiguredState } from '../run-export.js';
import { formatTable } from '../table-format.js';

export interface QueryFlags {
  readonly config?: string;
  readonly engine: string;
  readonly param: Record<string, string>;
  readonly format: string;
  readonly list?: boolean;
  readonly sql?: string;
  readonly workgroup?: string;
  readonly database?: string;
  readonly outputLocation?: string;
}

interface Output {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Where `--sql -` reads its statement; the process's standard input by default. */
  readonly stdin?: NodeJS.ReadableStream;
}

const ENGINES = ['duckdb', 'athena'];
const FORMATS = ['table', 'csv', 'json'];
/** Longest cell of `--format table`; csv and json print values whole. */
const TABLE_CELL = 100;

export function registerQueryCommand(program: Command, output: Output = { stdout: process.stdout, stderr: process.stderr }): void {
  program
    .command('query')
    .description('Run a query of queries/, or any Athena SQL (--sql), on the local lake (DuckDB) or in Athena; --list shows them all.')
    .argument('[name]', 'query name: its file name in queries/ without .sql')
    .option('-s, --sql <file>', 'run the Athena (Trino) SQL statement in <file> (- reads it from standard input) instead of a named query')
    .option('-c, --config <file>', 'config file (default: $OPSLAKE_CONFIG or ./opslake.yaml)')
    .option('-e, --engine <engine>', `where to run it: ${ENGINES.join(' or ')}`, choice('engine', ENGINES), 'duckdb')
    .option('-p, --param <name=value>', 'a parameter of the query, or a :name of --sql, as text (repeatable)', collectParam, {})
    .option('-f, --format <format>', `output: ${FORMATS.join(', ')}`, choice('format', FORMATS), 'table')
    .option('-l, --list', 'list the queries with their titles and parameters')
    .option('--workgroup <name>', 'Athena workgroup (default: $OPSLAKE_ATHENA_WORKGROUP, else primary)')
    .option('--database <name>', 'Glue database of the lake tables (default: $OPSLAKE_GLUE_DATABASE, else opslake)')
    .option('--output-location <s3-uri>', 'Athena result location, for workgroups that do not set one ($OPSLAKE_ATHENA_OUTPUT)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  opslake query --list',
        '  opslake query redshift_hourly_statements --param from_day=2024-03-01 --format csv',
        '  opslake query cloudtrail_access_denied --engine athena --workgroup opslake',
        '  opslake query --sql detections/root-logins.sql --format json',
        '  echo "SELECT useridentity.arn, eventname FROM cloudtrail_logs LIMIT 10" | opslake query --sql -',
        '',
        "With --sql, the statement is Athena SQL as written for the documentation's CloudTrail table:",
        'the view cloudtrail_logs has its columns (useridentity.arn, eventtime as text, requestparameters',
        'as JSON text, resources, ...) and its partitions (region, year, month, day, timestamp), plus',
        'account. On DuckDB the SQL goes through the dialect layer; a Trino function it cannot translate',
        'is named with its line. See README, "Bring your CloudTrail queries".',
      ].join('\n'),
    )
    .action(async (name: string | undefined, flags: QueryFlags) => {
      await runQueryCommand(name, flags, output);
    });
}

export async function runQueryCommand(name: string | undefined, flags: QueryFlags, output: Output): Promise<void> {
  const library = await QueryLibrary.load();
  if (flags.list) {
    output.stdout.write(`${formatList(library)}\n`);
    return;
  }
  if (name && flags.sql) throw new ConfigError('query', `give a query name or --sql, not both (${name} and --sql ${flags.sql})`);
  if (!name && !flags.sql) throw new ConfigError('query', 'name a query to run (opslake query --list shows them), or give --sql <file>');
  let prepared: PreparedQuery;
  let views: Array<{ name: string; ddl: string }>;
  if (flags.sql) {
    const source = flags.sql === '-' ? 'stdin' : basename(flags.sql);
    const statement = flags.sql === '-' ? await text(output.stdin ?? process.stdin) : await readFile(flags.sql, 'utf8');
    prepared = prepareAdHocQuery(source, statement, flags.param);
    views = athenaViewsFor(library, prepared.sql);
  } else {
    const definition = library.get(name ?? '');
    prepared = library.prepare(definition.name, flags.param);
    views = athenaViewsFor(library, definition.sql);
  }
  let engine: QueryEngine;
  if (flags.engine === 'athena') {
    const workGroup = flags.workgroup ?? environmentVariable(process.env, 'OPSLAKE_ATHENA_WORKGROUP') ?? 'primary';
    const database = flags.database ?? environmentVariable(process.env, 'OPSLAKE_GLUE_DATABASE') ?? 'opslake';
    const outputLocation = flags.outputLocation ?? environmentVariable(process.env, 'OPSLAKE_ATHENA_OUTPUT');
    engine = new AthenaQueryEngine({ client: new AthenaClient({}), workGroup, database, ...(outputLocation ? { outputLocation } : {}) });
    output.stderr.write(`Running ${prepared.name} in Athena (workgroup ${workGroup}, database ${database}) ...\n`);
    for (const view of views) await drain(engine.pages({ name: view.name, sql: view.ddl, parameters: [] }));
  } else {
    const { config } = await loadLocalConfig(flags.config);
    const lake = requireSetting(config.lake, 'lake', 'lake: in the config file (the lake folder)');
    if (lake.startsWith('s3://')) {
      throw new ConfigError('lake', `${lake} is in S3; DuckDB reads local lakes only here: run it with --engine athena`);
    }
    // Custom exports' tables are declared from the columns their first export recorded.
    const tables = config.state ? await lakeTablesWithCustom(openConfiguredState(config)) : [...lakeTables()];
    const local = await openLocalQueries({ lakeDir: lake, library, tables, ...(config.catalog ? { catalogPath: config.catalog } : {}) });
    engine = local.engine;
  }
  try {
    const rows = await printResult(engine.pages(prepared), flags.format, output.stdout);
    output.stderr.write(`${rows} row${rows === 1 ? '' : 's'}\n`);
  } finally {
    await engine.close();
  }
}

/**
 * The `CREATE OR REPLACE VIEW`s to run in Athena before a statement: the views of `queries/` it
 * reads (with the views they read), and the lake views (`cloudtrail_logs`) any of them names.
 */
function athenaViewsFor(library: QueryLibrary, sql: string): Array<{ name: string; ddl: string }> {
  const statement: QueryDefinition = { name: '', title: '', description: '', parameters: [], chart: { type: 'table' }, sql };
  const queryViews = viewsNeeded(library, statement);
  const words = [statement, ...queryViews].map((query) => wordsOf(query.sql));
  return [
    ...lakeViews()
      .filter((view) => words.some((used) => used.has(view.name)))
      .map((view) => ({ name: view.name, ddl: athenaLakeViewDdl(view) })),
    ...queryViews.map((view) => ({ name: view.name, ddl: athenaViewDdl(view) })),
  ];
}

/** The views a query reads, with the views they read in turn, in creation order. */
function viewsNeeded(library: QueryLibrary, query: QueryDefinition): QueryDefinition[] {
  const needed = new Set<QueryDefinition>();
  const visit = (current: QueryDefinition) => {
    for (const view of library.viewsUsedBy(current)) {
      if (needed.has(view)) continue;
      needed.add(view);
      visit(view);
    }
  };
  visit(query);
  return library.views().filter((view) => needed.has(view));
}

function formatList(library: QueryLibrary): string {
  const rows = library.queries.map((query) => [
    query.name,
    query.title,
    query.parameters.map((parameter) => `${parameter.name}${parameter.default !== undefined ? `=${parameter.default}` : ''}`).join(' ') ||
      '-',
  ]);
  return formatTable(['name', 'title', 'parameters (default)'], rows);
}

/** Prints pages as they come (csv, json) or once all are in (table, which needs the widths). Returns the row count. */
export async function printResult(pages: AsyncIterable<QueryPage>, format: string, out: NodeJS.WritableStream): Promise<number> {
  let count = 0;
  if (format === 'table') {
    let header: string[] = [];
    const rows: Array<Array<string | number>> = [];
    for await (const page of pages) {
      header = page.columns.map((column) => column.name);
      for (const row of page.rows) rows.push(header.map((name) => tableCell(row[name] ?? null)));
    }
    out.write(`${rows.length === 0 && header.length === 0 ? '(no result)' : formatTable(header, rows)}\n`);
    return rows.length;
  }
  let started = false;
  for await (const page of pages) {
    const names = page.columns.map((column) => column.name);
    let chunk = '';
    if (!started) chunk += format === 'csv' ? `${names.map(csvCell).join(',')}\n` : '[';
    for (const row of page.rows) {
      if (format === 'csv') chunk += `${names.map((name) => csvCell(row[name] ?? null)).join(',')}\n`;
      else chunk += `${count > 0 ? ',' : ''}\n${JSON.stringify(row)}`;
      count += 1;
    }
    started = true;
    out.write(chunk);
  }
  if (format === 'json') out.write(started ? '\n]\n' : '[]\n');
  return count;
}

function tableCell(value: QueryValue): string | number {
  if (typeof value === 'number') return value;
  const text = value === null ? '' : String(value).replace(/\s+/g, ' ');
  return text.length > TABLE_CELL ? `${text.slice(0, TABLE_CELL - 3)}...` : text;
}

function csvCell(value: QueryValue): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

async function drain(pages: AsyncIterable<QueryPage>): Promise<void> {
  for await (const _ of pages);
}

function collectParam(value: string, previous: Record<string, string>): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected name=value, got ${JSON.stringify(value)}`);
  return { ...previous, [value.slice(0, at).trim()]: value.slice(at + 1) };
}

function choice(what: string, allowed: readonly string[]): (value: string) => string {
  return (value) => {
    if (!allowed.includes(value)) throw new InvalidArgumentError(`${what} must be one of ${allowed.join(', ')}`);
    return value;
  };
}
