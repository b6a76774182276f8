import nodeSqlParser from 'node-sql-parser';
import type { QueryDefinition } from '../../pipeline/query/query-definition.js';
import type { QueryParameter } from '../../pipeline/query/query-parameters.js';
import { sqlTokens } from '../../pipeline/query/sql-tokens.js';
import type { LakeType } from '../../pipeline/tables/column-types.js';
import type { LakeTable } from '../../pipeline/tables/lake-table.js';

/** QuickSight's input column types (the subset a query of `queries/` can produce). */
export type QuickSightColumnType = 'STRING' | 'INTEGER' | 'DECIMAL' | 'DATETIME' | 'BOOLEAN';

export interface DataSetColumn {
  readonly name: string;
  readonly type: QuickSightColumnType;
}

/** The custom SQL of one QuickSight data set and the columns it declares. */
export interface DataSetSql {
  readonly sql: string;
  readonly columns: readonly DataSetColumn[];
}

/** Why a query cannot become a data set, for the synth's warning. */
export interface DataSetSkipped {
  readonly skipped: string;
}

const ATHENA_TYPE: Record<QuickSightColumnType, string> = {
  STRING: 'varchar',
  INTEGER: 'bigint',
  DECIMAL: 'double',
  DATETIME: 'timestamp',
  BOOLEAN: 'boolean',
};

const LAKE_TO_QUICKSIGHT: Record<LakeType, QuickSightColumnType> = {
  SMALLINT: 'INTEGER',
  INTEGER: 'INTEGER',
  BIGINT: 'INTEGER',
  DOUBLE: 'DECIMAL',
  BOOLEAN: 'BOOLEAN',
  TIMESTAMP: 'DATETIME',
  VARCHAR: 'STRING',
};

/** Functions whose result type does not depend on their arguments. */
const FUNCTION_TYPES: Readonly<Record<string, QuickSightColumnType>> = {
  count: 'INTEGER',
  count_if: 'INTEGER',
  approx_distinct: 'INTEGER',
  sum: 'DECIMAL',
  avg: 'DECIMAL',
  round: 'DECIMAL',
  date_diff: 'DECIMAL',
  approx_percentile: 'DECIMAL',
  date_trunc: 'DATETIME',
  from_iso8601_timestamp: 'DATETIME',
};

/** Functions that return the type of their first argument. */
const PASS_THROUGH = new Set(['coalesce', 'max', 'min', 'max_by', 'min_by', 'arbitrary', 'any_value']);

/**
 * A query of `queries/` as a QuickSight custom-SQL data set. QuickSight needs the result
 * columns and their types up front, and cannot ask for the values of `:name` parameters, so:
 *
 * - each parameter becomes the SQL of its default, relative defaults staying relative
 *   (`today-7d` is seven days before the day the dashboard is looked at, not before the deploy);
 * - the result columns are read from the statement's select list and typed from the schema
 *   registry (a column of a lake table), the function that makes them, or the chart (its `y`
 *   is a measure, a line chart's `x` is time); anything else is text;
 * - the statement is wrapped in a SELECT that casts every column to the declared type, so the
 *   declaration holds whatever the inference got wrong (TRY_CAST gives NULL, not an error).
 */
export function dataSetSql(query: QueryDefinition, lakeTables: readonly LakeTable[]): DataSetSql | DataSetSkipped {
  if (query.view) return { skipped: 'it defines a view (the data sets of the queries that read it include it)' };
  const parameters = new Map(query.parameters.map((parameter) => [parameter.name, parameter]));
  const missing = query.parameters.filter((parameter) => parameter.default === undefined).map((parameter) => parameter.name);
  if (missing.length > 0) return { skipped: `parameters without a default: ${missing.join(', ')}` };

  const tokens = [...sqlTokens(query.sql)];
  const inner = tokens
    .map((token) => (token.kind === 'parameter' ? parameterSql(parameterOf(parameters, token.text.slice(1))) : token.text))
    .join('');
  // The parser only reads the select list; literals stand in for the parameter expressions.
  const parsable = tokens.map((token) => (token.kind === 'parameter' ? "'2000-01-01'" : token.text)).join('');

  let columnsAst: Array<{ expr: SqlExpr; as: string | null }>;
  try {
    const parsed = new nodeSqlParser.Parser().astify(parsable, { database: 'trino' });
    const select = (Array.isArray(parsed) ? parsed[0] : parsed) as unknown as { type: string; columns: typeof columnsAst };
    if (select?.type !== 'select' || !Array.isArray(select.columns)) return { skipped: 'it is not a SELECT' };
    columnsAst = select.columns;
  } catch (error) {
    return { skipped: `its select list could not be read (${(error as Error).message.split('\n')[0]})` };
  }

  const registryTypes = registryColumnTypes(lakeTables);
  const columns: DataSetColumn[] = [];
  for (const column of columnsAst) {
    const name = column.as ?? columnRefName(column.expr);
    if (!name || name === '*') return { skipped: 'its select list has a column without a name (or *)' };
    const inferred = expressionType(column.expr, registryTypes);
    columns.push({ name, type: chartType(query, name, inferred) ?? inferred ?? 'STRING' });
  }
  const select = columns.map((column) => `  ${cast(column)} AS ${quoteIdentifier(column.name)}`).join(',\n');
  return { sql: `SELECT\n${select}\nFROM (\n${inner}\n) AS q`, columns };
}

/** The default of a parameter as SQL that yields the same text `bindParameters` would. */
export function parameterSql(parameter: QueryParameter): string {
  const fallback = (parameter.default ?? '').trim();
  if (parameter.type === 'integer') return String(Number(fallback));
  if (parameter.type === 'string') return `'${fallback.replaceAll("'", "''")}'`;
  const relative = /^(today|now)(?:([-+])(\d{1,4})([dhm]))?$/.exec(fallback);
  const format = parameter.type === 'day' ? 'yyyy-MM-dd' : 'yyyy-MM-dd HH:mm:ss';
  if (!relative) return `'${fallback.replaceAll("'", "''")}'`;
  const base = relative[1] === 'today' ? "date_trunc('day', current_timestamp AT TIME ZONE 'UTC')" : "current_timestamp AT TIME ZONE 'UTC'";
  const unit = { d: 'DAY', h: 'HOUR', m: 'MINUTE' }[relative[4] as 'd' | 'h' | 'm'];
  const shifted = relative[2] ? `${base} ${relative[2]} INTERVAL '${relative[3]}' ${unit}` : base;
  return `format_datetime(${shifted}, '${format}')`;
}

type SqlExpr = { type: string; [key: string]: unknown };

function chartType(query: QueryDefinition, column: string, inferred: QuickSightColumnType | undefined): QuickSightColumnType | undefined {
  if (query.chart.y === column) return 'DECIMAL';
  if (query.chart.x === column) return query.chart.type === 'line' || inferred === 'DATETIME' ? 'DATETIME' : 'STRING';
  if (query.chart.series === column) return 'STRING';
  return undefined;
}

/** The type of a select-list expression, or undefined when nothing says (a CTE column, say). */
function expressionType(expr: SqlExpr | undefined, registry: ReadonlyMap<string, QuickSightColumnType>): QuickSightColumnType | undefined {
  switch (expr?.type) {
    case 'column_ref':
      return registry.get(columnRefName(expr) ?? '');
    case 'aggr_func': {
      const name = String(expr.name).toLowerCase();
      if (PASS_THROUGH.has(name)) return expressionType((expr.args as { expr?: SqlExpr } | undefined)?.expr, registry);
      return FUNCTION_TYPES[name];
    }
    case 'function': {
      const name = functionName(expr);
      if (!PASS_THROUGH.has(name)) return FUNCTION_TYPES[name];
      // coalesce(x, 0): the first argument that says what it is.
      for (const argument of (expr.args as { value?: SqlExpr[] } | undefined)?.value ?? []) {
        const type = expressionType(argument, registry);
        if (type) return type;
      }
      return undefined;
    }
    case 'cast': {
      const target = JSON.stringify(expr.target ?? '').toLowerCase();
      if (/double|decimal|real/.test(target)) return 'DECIMAL';
      if (/int/.test(target)) return 'INTEGER';
      if (/timestamp|date/.test(target)) return 'DATETIME';
      return 'STRING';
    }
    case 'number':
      return 'DECIMAL';
    case 'single_quote_string':
    case 'string':
      return 'STRING';
    default:
      return undefined;
  }
}

function functionName(expr: SqlExpr): string {
  const parts = (expr.name as { name?: Array<{ value: string }> } | undefined)?.name ?? [];
  return parts
    .map((part) => part.value)
    .join('.')
    .toLowerCase();
}

function columnRefName(expr: SqlExpr): string | undefined {
  if (expr.type !== 'column_ref') return undefined;
  const column = expr.column as string | { expr?: { value?: string } };
  return typeof column === 'string' ? column : column?.expr?.value;
}

/** A column's QuickSight type by name, where every lake table that has it agrees. */
function registryColumnTypes(tables: readonly LakeTable[]): ReadonlyMap<string, QuickSightColumnType> {
  const types = new Map<string, QuickSightColumnType | null>();
  for (const table of tables) {
    for (const column of [...table.columns, ...table.partitionKeys.map((key) => ({ name: key.name, type: 'VARCHAR' as LakeType }))]) {
      const type = LAKE_TO_QUICKSIGHT[column.type];
      const seen = types.get(column.name);
      types.set(column.name, seen === undefined || seen === type ? type : null);
    }
  }
  return new Map([...types].filter((entry): entry is [string, QuickSightColumnType] => entry[1] !== null));
}

function cast(column: DataSetColumn): string {
  const source = `q.${quoteIdentifier(column.name)}`;
  return column.type === 'STRING' ? `CAST(${source} AS varchar)` : `TRY_CAST(${source} AS ${ATHENA_TYPE[column.type]})`;
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The query file's header declares every parameter its SQL uses (the query library checks it on load). */
function parameterOf(parameters: ReadonlyMap<string, QueryParameter>, name: string): QueryParameter {
  const parameter = parameters.get(name);
  if (parameter === undefined) throw new RangeError(`the query uses :${name}, which its header does not declare`);
  return parameter;
}
