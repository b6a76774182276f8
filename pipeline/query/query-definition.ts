import { parse as parseYaml } from 'yaml';
import { QueryDefinitionError } from '../errors.js';
import { PARAMETER_TYPES, normalizeValue, type ParameterType, type QueryParameter } from './query-parameters.js';
import { parameterUses, sqlTokens } from './sql-tokens.js';

export const CHART_TYPES = ['line', 'bar', 'stacked-bar', 'table'] as const;
export type ChartType = (typeof CHART_TYPES)[number];

/**
 * How the result is best shown (QuickSight visual, report panel): `x` is the category or time
 * column, `y` the measure, `series` the column that splits lines or bar segments.
 */
export interface ChartSuggestion {
  readonly type: ChartType;
  readonly x?: string;
  readonly y?: string;
  readonly series?: string;
}

/**
 * One file of `queries/`: a header comment in YAML, then one Athena (Trino) statement.
 *
 * ```sql
 * /*
 * name: redshift_hourly_statements        # the file name without .sql
 * title: Statements per hour and cluster
 * description: ...
 * parameters:
 *   - { name: from_day, type: day, default: today-7d, description: First UTC day }
 * chart: { type: line, x: hour, y: statements, series: cluster }
 * view: cloudtrail_events_unique          # only for files that define a view
 * *\/
 * SELECT ...
 * ```
 */
export interface QueryDefinition {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly parameters: readonly QueryParameter[];
  readonly chart: ChartSuggestion;
  /** Set when the file defines a view of that name: the statement becomes `CREATE VIEW <view> AS ...`. */
  readonly view?: string;
  /** The statement, without the header and the final semicolon. */
  readonly sql: string;
}

const NAME = /^[a-z][a-z0-9_]{0,62}$/;
const HEADER = /^\s*\/\*([\s\S]*?)\*\//;

/** Parses and checks one query file. `file` names it in errors; `name` must be its file name without `.sql`. */
export function parseQueryFile(name: string, text: string): QueryDefinition {
  const fail = (problem: string): never => {
    throw new QueryDefinitionError(`queries/${name}.sql`, problem);
  };
  if (!NAME.test(name)) fail('file names are lower-case letters, digits and _, starting with a letter');
  const header = HEADER.exec(text);
  if (!header) return fail('starts with a /* ... */ header in YAML (name, title, description, parameters, chart)');
  let meta: unknown;
  try {
    meta = parseYaml(header[1] ?? '');
  } catch (error) {
    return fail(`header is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return fail('header must be a YAML mapping');
  const fields = meta as Record<string, unknown>;
  const allowed = new Set(['name', 'title', 'description', 'parameters', 'chart', 'view']);
  for (const key of Object.keys(fields)) if (!allowed.has(key)) fail(`unknown header field ${key}`);
  if (fields.name !== name) fail(`header name ${JSON.stringify(fields.name)} differs from the file name ${name}`);
  const title = requiredText(fields.title, 'title', fail);
  const description = requiredText(fields.description, 'description', fail);
  const parameters = parseParameters(fields.parameters, fail);
  const chart = parseChart(fields.chart, fail);
  const view = fields.view;
  if (view !== undefined && (typeof view !== 'string' || !NAME.test(view))) fail('view must be a lower-case name');

  const sql = text.slice(header[0].length).trim().replace(/;\s*$/, '').trim();
  if (sql.length === 0) fail('has no statement after its header');
  if ([...sqlTokens(sql)].some((token) => token.kind === 'other' && token.text === ';'))
    fail('holds more than one statement; one question per file');
  const used = new Set(parameterUses(sql));
  for (const parameter of parameters) if (!used.has(parameter.name)) fail(`parameter ${parameter.name} is declared but not used`);
  const declared = new Set(parameters.map((parameter) => parameter.name));
  for (const use of used) if (!declared.has(use)) fail(`:${use} is used but not declared in the header`);
  if (view !== undefined && parameters.length > 0) fail('a view cannot take parameters');
  return { name, title, description, parameters, chart, ...(view === undefined ? {} : { view: view as string }), sql };
}

function requiredText(value: unknown, field: string, fail: (problem: string) => never): string {
  if (typeof value !== 'string' || value.trim().length === 0) return fail(`header needs a ${field}`);
  return value.trim();
}

function parseParameters(value: unknown, fail: (problem: string) => never): QueryParameter[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return fail('parameters must be a list');
  const seen = new Set<string>();
  return value.map((item: unknown) => {
    if (item === null || typeof item !== 'object') return fail('each parameter is a mapping with name, type, description');
    const fields = item as Record<string, unknown>;
    const name = fields.name;
    if (typeof name !== 'string' || !NAME.test(name)) return fail(`parameter name ${JSON.stringify(name)} must be a lower-case name`);
    if (seen.has(name)) fail(`parameter ${name} is declared twice`);
    seen.add(name);
    const type = fields.type;
    if (typeof type !== 'string' || !(PARAMETER_TYPES as readonly string[]).includes(type)) {
      return fail(`parameter ${name} has type ${JSON.stringify(type)}; use one of ${PARAMETER_TYPES.join(', ')}`);
    }
    const description = requiredText(fields.description, `description for parameter ${name}`, fail);
    const fallback = fields.default;
    if (fallback !== undefined && typeof fallback !== 'string' && typeof fallback !== 'number')
      fail(`parameter ${name} default must be text`);
    const parameter: QueryParameter = {
      name,
      type: type as ParameterType,
      description,
      ...(fallback === undefined ? {} : { default: String(fallback) }),
    };
    // A default that could never bind is a defect of the file, found when it loads.
    if (parameter.default !== undefined) normalizeValue(`queries/${name}`, parameter, parameter.default, new Date(0));
    return parameter;
  });
}

function parseChart(value: unknown, fail: (problem: string) => never): ChartSuggestion {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail('header needs a chart: { type, x, y, series }');
  const fields = value as Record<string, unknown>;
  const type = fields.type;
  if (typeof type !== 'string' || !(CHART_TYPES as readonly string[]).includes(type)) {
    return fail(`chart type ${JSON.stringify(type)}; use one of ${CHART_TYPES.join(', ')}`);
  }
  const column = (key: string): Record<string, string> => {
    const found = fields[key];
    if (found === undefined) return {};
    if (typeof found !== 'string' || !NAME.test(found)) return fail(`chart ${key} must name a result column`);
    return { [key]: found };
  };
  const chart: ChartSuggestion = { type: type as ChartType, ...column('x'), ...column('y'), ...column('series') };
  if (chart.type !== 'table' && (chart.x === undefined || chart.y === undefined)) fail(`a ${chart.type} chart needs x and y`);
  return chart;
}
