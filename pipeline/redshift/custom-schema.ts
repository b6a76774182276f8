import { ConfigError, OpslakeError } from '../errors.js';
import type { SqlColumnMeta, SqlRunner } from '../ports/sql-runner.js';
import type { StateStore } from '../ports/state-store.js';
import {
  type CustomColumn,
  type CustomExport,
  type CustomTableName,
  customTableName,
  lakeTypeOfResult,
  type TableSchema,
} from '../tables/custom-tables.js';
import { SLOT_END, SLOT_START } from './slot-sql.js';

/**
 * The columns of a custom export, learned from its result's metadata on the first run and
 * recorded in the state store; every later run compares what the SQL returns now with what was
 * recorded. A column added is added to the table (older files read it as NULL); a column whose
 * type changed or that is gone is refused: the lake's files and the catalog table hold the
 * recorded type, and a file of another type under the same name would break every reader.
 */

/** What a run found: the schema to export with, and whether it changed the catalog table. */
export interface CustomSchemaSync {
  readonly schema: TableSchema;
  readonly change: 'created' | 'added' | 'unchanged';
}

/** An empty slot: the SQL runs over no time at all, so the cluster returns only the result's shape. */
const NO_TIME = '1970-01-01 00:00:00';

/** Where a custom export's settings are, for errors: `<cluster>.exports.<name>.<field>`. */
export function customExportParameter(cluster: string, custom: CustomExport, field: 'sql' | 'timeColumn'): string {
  return `${cluster}.exports.${custom.name}.${field}`;
}

/**
 * The columns the SQL returns now, as lake columns, or a ConfigError naming the export: a name
 * that is not a plain lower-case identifier, a type with no exact lake form, a time column that
 * is missing or not a timestamp.
 */
export function learnColumns(cluster: string, custom: CustomExport, meta: readonly SqlColumnMeta[]): CustomColumn[] {
  const sqlParameter = customExportParameter(cluster, custom, 'sql');
  const seen = new Set<string>();
  const columns = meta.map((column) => {
    if (!/^[a-z_][a-z0-9_]{0,126}$/.test(column.name) || column.name === 'exported_at') {
      throw new ConfigError(
        sqlParameter,
        `returns a column named ${JSON.stringify(column.name)}; name every column with lower-case letters, digits and _ ` +
          '(AS some_name), and not exported_at (the lake adds it)',
      );
    }
    if (seen.has(column.name)) throw new ConfigError(sqlParameter, `returns two columns named ${column.name}; give each its own name`);
    seen.add(column.name);
    const type = lakeTypeOfResult(column.typeName);
    if (type === undefined) {
      throw new ConfigError(
        sqlParameter,
        `returns ${column.name} as ${column.typeName}, which the lake cannot hold exactly; ` +
          'cast it to timestamp, varchar, bigint, integer, double precision or boolean in the SELECT',
      );
    }
    return { name: column.name, type, sourceType: column.typeName };
  });
  if (columns.length === 0) throw new ConfigError(sqlParameter, 'returns no columns');
  const time = columns.find((column) => column.name === custom.timeColumn);
  if (time?.type !== 'TIMESTAMP') {
    const what = time === undefined ? 'is not a column of the result' : `is ${time.sourceType}, not a timestamp`;
    throw new ConfigError(customExportParameter(cluster, custom, 'timeColumn'), `${custom.timeColumn} ${what}`);
  }
  return columns;
}

/**
 * The schema to store given the one recorded (null: none yet) and the columns the SQL returns
 * now: the recorded columns in their order then the new ones, or a ConfigError that names the
 * column, both types and what to do.
 */
export function mergeColumns(
  cluster: string,
  custom: CustomExport,
  recorded: readonly CustomColumn[] | null,
  now: readonly CustomColumn[],
): { columns: readonly CustomColumn[]; change: CustomSchemaSync['change'] } {
  if (recorded === null) return { columns: now, change: 'created' };
  const table = customTableName(custom.name);
  const sqlParameter = customExportParameter(cluster, custom, 'sql');
  const fresh = new Map(now.map((column) => [column.name, column]));
  for (const old of recorded) {
    const current = fresh.get(old.name);
    if (current === undefined) {
      throw new ConfigError(
        sqlParameter,
        `no longer returns ${old.name}, a ${old.type} (${old.sourceType}) column of ${table}; return it again ` +
          `(CAST(NULL AS ${old.sourceType}) AS ${old.name} will do), or export under a new name (the old table keeps its rows)`,
      );
    }
    if (current.type !== old.type) {
      throw new ConfigError(
        sqlParameter,
        `returns ${old.name} as ${current.type} (${current.sourceType}), but ${table} holds it as ${old.type} (${old.sourceType}); ` +
          `cast it back in the SELECT (CAST(${old.name} AS ${old.sourceType})), or export under a new name ` +
          '(the old table keeps its rows); only new columns can be added to a table',
      );
    }
  }
  const known = new Set(recorded.map((column) => column.name));
  const added = now.filter((column) => !known.has(column.name));
  return added.length === 0 ? { columns: recorded, change: 'unchanged' } : { columns: [...recorded, ...added], change: 'added' };
}

/** Reads the SQL's result shape, compares it with the recorded schema, and records what changed. */
export async function syncCustomSchema(
  deps: { readonly runner: SqlRunner; readonly state: StateStore },
  cluster: string,
  custom: CustomExport,
  options: { readonly record: boolean },
): Promise<CustomSchemaSync> {
  const { runner } = deps;
  if (runner.columns === undefined) {
    throw new OpslakeError(`the connection to ${cluster} cannot tell a result's columns, so its custom exports cannot run`);
  }
  const meta = await runner.columns({ text: custom.sql, parameters: { [SLOT_START]: NO_TIME, [SLOT_END]: NO_TIME } });
  const now = learnColumns(cluster, custom, meta);
  const table: CustomTableName = customTableName(custom.name);
  const stored = await deps.state.getTableSchema(table);
  const merged = mergeColumns(cluster, custom, stored?.columns ?? null, now);
  const sameTime = stored?.timeColumn === custom.timeColumn;
  if (stored !== null && merged.change === 'unchanged' && sameTime) return { schema: stored, change: 'unchanged' };
  const update = { table, columns: merged.columns, timeColumn: custom.timeColumn };
  if (!options.record) return { schema: { ...update, version: stored?.version ?? 0, updatedAt: new Date(0) }, change: merged.change };
  // Conditional on the version read: of two sources that learn the same table at once, one wins
  // and the other fails this run and compares against the winner's columns on its next one.
  return { schema: await deps.state.putTableSchema(update, stored?.version ?? 0), change: merged.change };
}
