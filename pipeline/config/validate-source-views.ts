import {
  dialectOfView,
  dialectTables,
  EXPORT_TABLE_NAMES,
  type ExportTableName,
  isExportTableName,
  isSourceViewName,
  type SourceKind,
} from '../tables/registry.js';
import { type ConfigLocation, describeType, quote } from './config-location.js';
import { field, type RawRecord } from './config-fields.js';
import type { ViewsSetting } from './opslake-config.js';

/**
 * Which system views a source is read through (`views`), and which tables it exports (`tables`),
 * checked together: a table must be one its views can give.
 */

const VIEWS_SETTINGS: readonly ViewsSetting[] = ['auto', 'stl', 'sys'];

/** `views: stl | sys | auto`; auto (the default) lets the export find out. */
export function validateViews(record: RawRecord, at: ConfigLocation, kind: SourceKind): ViewsSetting {
  const raw = field(record, 'views', at) ?? 'auto';
  const where = at.key('views');
  if (!VIEWS_SETTINGS.includes(raw as ViewsSetting)) {
    const shown = typeof raw === 'string' ? quote(raw) : describeType(raw);
    throw where.error(
      `${shown} is not a family of system views; choose auto (the default: SYS on Serverless, ` +
        'STL where a provisioned cluster can read it and SYS where it cannot), stl or sys',
    );
  }
  const views = raw as ViewsSetting;
  if (views === 'stl' && kind === 'serverless') {
    throw where.error('is stl, but a Serverless workgroup has no STL views; set views: sys or leave views out');
  }
  return views;
}

/** The tables a source may list: those of every dialect its `views` setting may lead to. */
export function allowedTables(kind: SourceKind, views: ViewsSetting): readonly ExportTableName[] {
  const dialects = views === 'auto' ? (kind === 'serverless' ? (['sys'] as const) : (['stl', 'sys'] as const)) : [views];
  const allowed = new Set<ExportTableName>(dialects.flatMap((dialect) => dialectTables(dialect, kind)));
  return EXPORT_TABLE_NAMES.filter((name) => allowed.has(name));
}

/**
 * Tables to export, each checked against the registry and the source's views. Absent means all
 * of them: each run exports those of the dialect the source is read through.
 */
export function validateTables(raw: unknown, at: ConfigLocation, kind: SourceKind, views: ViewsSetting): readonly ExportTableName[] {
  const allowed = allowedTables(kind, views);
  const choices = `choose from ${allowed.join(', ')}`;
  if (raw === undefined) return [...EXPORT_TABLE_NAMES];
  if (!Array.isArray(raw)) throw at.error(`expected a list of tables, got ${describeType(raw)}; ${choices}`);
  if (raw.length === 0) {
    throw at.error('lists no tables; list at least one, leave tables out to export all of them, or set enabled: false');
  }
  const firstSeen = new Map<string, number>();
  return raw.map((value: unknown, position) => {
    const tableAt = at.index(position);
    if (!isExportTableName(value)) {
      const what =
        typeof value === 'string' ? `${quote(value)} is not an exportable table` : `expected a table name, got ${describeType(value)}`;
      throw tableAt.error(`${what}; ${choices}`);
    }
    if (!allowed.includes(value)) throw tableAt.error(`${unavailable(value, kind, views)}; ${choices}`);
    const earlier = firstSeen.get(value);
    if (earlier !== undefined) throw tableAt.error(`${quote(value)} is listed twice (also at tables[${earlier}])`);
    firstSeen.set(value, position);
    return value;
  });
}

function unavailable(table: ExportTableName, kind: SourceKind, views: ViewsSetting): string {
  if (!isSourceViewName(table)) return `${quote(table)} cannot be exported here`;
  const dialect = dialectOfView(table);
  if (dialect === 'sys') {
    if (kind === 'provisioned' && views !== 'stl') return `${quote(table)} exists only on Serverless workgroups`;
    return `${quote(table)} is a SYS view, and views: stl reads the STL views`;
  }
  if (kind === 'serverless') return `${quote(table)} is an STL view, and a Serverless workgroup has only the SYS views`;
  return `${quote(table)} is an STL view, and views: sys reads the SYS views`;
}
