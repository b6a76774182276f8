import type { QueryDefinition } from './query-definition.js';
import type { QueryLibrary } from './query-library.js';
import { toPositional } from './sql-tokens.js';

/** An Athena saved query (`AWS::Athena::NamedQuery`, `CreateNamedQuery`). */
export interface AthenaNamedQuery {
  readonly name: string;
  readonly description: string;
  readonly database: string;
  readonly workGroup?: string;
  readonly queryString: string;
}

/** Athena's limits on a named query. */
const MAX_NAME = 128;
const MAX_DESCRIPTION = 1024;

/**
 * One named query per file of `queries/`, for the stack to deploy: the statement with its
 * parameters as `?` (the Athena console asks for their values, in the order the leading comment
 * lists them), and for the files that define a view, the `CREATE OR REPLACE VIEW` to run first.
 */
export function athenaNamedQueries(library: QueryLibrary, options: { database: string; workGroup?: string }): AthenaNamedQuery[] {
  return library.queries.map((query) => ({
    name: query.name.slice(0, MAX_NAME),
    description: truncate(
      query.view ? `Creates the view ${query.view}: ${query.title}. ${query.description}` : `${query.title}. ${query.description}`,
    ),
    database: options.database,
    ...(options.workGroup ? { workGroup: options.workGroup } : {}),
    queryString: query.view ? athenaViewDdl(query) : athenaQueryString(query),
  }));
}

/** The statement of a query with a leading comment that says what it is and what `?` stands for. */
export function athenaQueryString(query: QueryDefinition): string {
  const { sql, order } = toPositional(query.sql);
  const byName = new Map(query.parameters.map((parameter) => [parameter.name, parameter]));
  const lines = [`-- ${query.title} (opslake queries/${query.name}.sql)`];
  if (order.length > 0) {
    lines.push('-- Parameters, in order of the ? marks:');
    order.forEach((name, index) => {
      const parameter = byName.get(name);
      const fallback = parameter?.default !== undefined ? `, e.g. ${parameter.default}` : '';
      lines.push(
        `--   ${index + 1}. ${name} (${parameter?.type ?? 'string'}${fallback}, quoted if not a number): ${parameter?.description ?? ''}`,
      );
    });
  }
  return `${lines.join('\n')}\n${sql}`;
}

/** `CREATE OR REPLACE VIEW` for a file that defines a view. */
export function athenaViewDdl(query: QueryDefinition): string {
  if (!query.view) return athenaQueryString(query);
  return `CREATE OR REPLACE VIEW ${query.view} AS\n${query.sql}`;
}

function truncate(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= MAX_DESCRIPTION ? flat : `${flat.slice(0, MAX_DESCRIPTION - 3)}...`;
}
