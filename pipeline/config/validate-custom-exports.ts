import { type CustomExport, customTableName } from '../tables/custom-tables.js';
import { isExportTableName } from '../tables/registry.js';
import { type ConfigLocation, describeType, quote } from './config-location.js';
import { asRecord, checkKeys, field } from './config-fields.js';
import { CustomSqlProblem, checkCustomSql } from './custom-export-sql.js';

/**
 * `exports:` of a source: custom exports, each a name, one SELECT over the source with
 * `:slot_start` and `:slot_end`, and the completion-time column that decides a row's slot.
 * Checked as strictly as the registry's own views: nothing here reaches a cluster until it passes.
 */

const EXPORT_KEYS = ['name', 'sql', 'timeColumn'] as const;

/** Like a registry table name, short enough that `custom_<name>` stays a valid catalog name. */
const EXPORT_NAME = /^[a-z][a-z0-9_]{0,62}$/;
const COLUMN_NAME = /^[a-z_][a-z0-9_]{0,126}$/;

/** At most this many per source: each is a statement per slot on the cluster. */
export const MAX_CUSTOM_EXPORTS = 20;

export function validateCustomExports(raw: unknown, at: ConfigLocation): readonly CustomExport[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw at.error(`expected a list of exports (name, sql, timeColumn), got ${describeType(raw)}`);
  if (raw.length > MAX_CUSTOM_EXPORTS) throw at.error(`lists ${raw.length} exports; at most ${MAX_CUSTOM_EXPORTS} per source`);
  const seen = new Map<string, number>();
  return raw.map((entry: unknown, position) => {
    const entryAt = at.index(position);
    const custom = validateCustomExport(entry, entryAt);
    const earlier = seen.get(custom.name);
    if (earlier !== undefined) throw entryAt.key('name').error(`${quote(custom.name)} is used twice (also at exports[${earlier}])`);
    seen.set(custom.name, position);
    return custom;
  });
}

function validateCustomExport(raw: unknown, at: ConfigLocation): CustomExport {
  const record = asRecord(raw, at);
  checkKeys(record, EXPORT_KEYS, at);
  const name = exportName(field(record, 'name', at), at.key('name'));
  const timeColumn = columnName(field(record, 'timeColumn', at), at.key('timeColumn'));
  const sql = field(record, 'sql', at);
  const sqlAt = at.key('sql');
  if (typeof sql !== 'string') {
    throw sqlAt.error(`expected one SELECT as a string, got ${describeType(sql)}`);
  }
  try {
    checkCustomSql(sql, timeColumn);
  } catch (error) {
    if (error instanceof CustomSqlProblem) throw sqlAt.error(error.problem);
    throw error;
  }
  return { name, sql, timeColumn };
}

function exportName(raw: unknown, at: ConfigLocation): string {
  if (raw === undefined) throw at.error('is missing; name the export (its lake table is custom_<name>)');
  if (typeof raw !== 'string') throw at.error(`expected a name, got ${describeType(raw)}`);
  if (!EXPORT_NAME.test(raw)) {
    throw at.error(`${quote(raw)} is not a table name; use 1-63 lower-case letters, digits and _, starting with a letter`);
  }
  if (isExportTableName(raw) || isExportTableName(customTableName(raw))) {
    throw at.error(`${quote(raw)} is the name of a built-in table; choose another name`);
  }
  return raw;
}

function columnName(raw: unknown, at: ConfigLocation): string {
  if (raw === undefined) throw at.error("is missing; name the result column that holds each row's completion time");
  if (typeof raw !== 'string') throw at.error(`expected a column name, got ${describeType(raw)}`);
  if (!COLUMN_NAME.test(raw)) {
    throw at.error(`${quote(raw)} is not a column name; use lower-case letters, digits and _, starting with a letter or _`);
  }
  return raw;
}
