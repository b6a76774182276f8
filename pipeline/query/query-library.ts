import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueryDefinitionError } from '../errors.js';
import { parseQueryFile, type QueryDefinition } from './query-definition.js';
import type { PreparedQuery } from '../ports/query-engine.js';
import { bindParameters } from './query-parameters.js';
import { sqlTokens } from './sql-tokens.js';

/** The `queries/` folder of this checkout or package. */
export const QUERIES_DIR = fileURLToPath(new URL('../../queries/', import.meta.url));

/** The questions of `queries/`, one file each, checked when loaded. */
export class QueryLibrary {
  readonly queries: readonly QueryDefinition[];
  readonly #byName: ReadonlyMap<string, QueryDefinition>;

  constructor(queries: readonly QueryDefinition[]) {
    this.queries = [...queries].sort((a, b) => a.name.localeCompare(b.name));
    this.#byName = new Map(this.queries.map((query) => [query.name, query]));
    const views = new Set<string>();
    for (const query of this.queries) {
      if (query.view === undefined) continue;
      if (views.has(query.view)) throw new QueryDefinitionError(query.name, `defines view ${query.view}, which another file defines too`);
      views.add(query.view);
    }
  }

  /** Loads every `*.sql` file of `dir`. Throws QueryDefinitionError naming the first bad file. */
  static async load(dir: string = QUERIES_DIR): Promise<QueryLibrary> {
    const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
    const queries: QueryDefinition[] = [];
    for (const file of files) queries.push(parseQueryFile(basename(file, '.sql'), await readFile(join(dir, file), 'utf8')));
    return new QueryLibrary(queries);
  }

  /** The same, synchronously: for the CDK app, which builds its stacks synchronously. */
  static loadSync(dir: string = QUERIES_DIR): QueryLibrary {
    const files = readdirSync(dir)
      .filter((file) => file.endsWith('.sql'))
      .sort();
    return new QueryLibrary(files.map((file) => parseQueryFile(basename(file, '.sql'), readFileSync(join(dir, file), 'utf8'))));
  }

  get(name: string): QueryDefinition {
    const found = this.#byName.get(name);
    if (!found) {
      const close = this.queries.filter((query) => query.name.includes(name) || name.includes(query.name)).map((query) => query.name);
      const hint = close.length > 0 ? `did you mean ${close.slice(0, 3).join(', ')}?` : 'opslake query --list shows them';
      throw new QueryDefinitionError(name, `no such query in queries/; ${hint}`);
    }
    return found;
  }

  /** The files that define views, in an order where a view comes after the views it reads. */
  views(): readonly QueryDefinition[] {
    const views = this.queries.filter((query) => query.view !== undefined);
    const ordered: QueryDefinition[] = [];
    const visit = (view: QueryDefinition, path: readonly string[]) => {
      if (ordered.includes(view)) return;
      if (path.includes(view.name))
        throw new QueryDefinitionError(view.name, `views read each other in a cycle: ${[...path, view.name].join(' -> ')}`);
      for (const used of this.viewsUsedBy(view)) visit(used, [...path, view.name]);
      ordered.push(view);
    };
    for (const view of views) visit(view, []);
    return ordered;
  }

  /** The library views a statement names directly. */
  viewsUsedBy(query: QueryDefinition): QueryDefinition[] {
    const words = new Set([...sqlTokens(query.sql)].filter((token) => token.kind === 'word').map((token) => token.text.toLowerCase()));
    return this.queries.filter((other) => other !== query && other.view !== undefined && words.has(other.view));
  }

  /** The query with its parameters bound (given values, else defaults resolved against `now`). */
  prepare(name: string, given: Readonly<Record<string, string>> = {}, now: Date = new Date()): PreparedQuery {
    const query = this.get(name);
    return { name: query.name, sql: query.sql, parameters: bindParameters(query.name, query.parameters, given, now) };
  }
}
