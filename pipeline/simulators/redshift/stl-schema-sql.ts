import type { RedshiftType } from '../../tables/column-types.js';
import { quoteIdent } from '../../redshift/slot-sql.js';
import { SOURCE_VIEWS, type SourceViewName } from '../../tables/dialects.js';
import { STL_VIEW_NAMES } from '../../tables/stl-views.js';
import { type Deployment, simulatedViews } from './deployment.js';
import { userAccessSql } from './user-access-sql.js';

/**
 * DDL of a simulated cluster, derived from the registry: the views of its deployment as tables
 * in `public` (the STL views of a provisioned cluster, the SYS views of a workgroup or a Multi-AZ
 * cluster), the same tables plus `visible_at` for rows not yet visible, STL views that refuse to
 * be read where the deployment has none, the simulator's own state, and `getdate()`. Pure.
 */

/** The simulator's own state: clock, generation frontier, id counters, settings. */
export const SIMULATOR_SCHEMA = 'opslake_sim';

/** Rows already generated but not yet visible (or not yet happened): the views plus `visible_at`. */
export const PENDING_SCHEMA = 'opslake_sim_pending';

/** Bumped when the layout below changes; a cluster folder of another version is refused. */
export const SIMULATOR_FORMAT_VERSION = 3;

/** PostgreSQL spelling of a registry type: CHAR stays blank-padded `character(n)`. */
export function postgresTypeOf(type: RedshiftType): string {
  if (type === 'timestamp') return 'timestamp without time zone';
  const char = /^char\((\d+)\)$/.exec(type);
  if (char) return `character(${char[1]})`;
  const varchar = /^varchar\((\d+)\)$/.exec(type);
  if (varchar) return `character varying(${varchar[1]})`;
  return type;
}

/** Columns of a view as `"name" type`, registry order. */
function columnDefinitions(view: SourceViewName): string[] {
  return SOURCE_VIEWS[view].columns.map((column) => `${quoteIdent(column.name)} ${postgresTypeOf(column.type)}`);
}

/** One `CREATE TABLE` per view, every column with its documented type, in `schema`. */
export function viewCreateTableSql(views: readonly SourceViewName[], schema = 'public'): string[] {
  return views.map((view) => `CREATE TABLE ${quoteIdent(schema)}.${quoteIdent(view)} (\n  ${columnDefinitions(view).join(',\n  ')}\n)`);
}

/** One `CREATE TABLE` per STL view, every column with its documented type, in `schema`. */
export function stlCreateTableSql(schema = 'public'): string[] {
  return viewCreateTableSql(STL_VIEW_NAMES, schema);
}

/** The pending twin of every view: the same columns, and when the row becomes visible. */
export function pendingCreateTableSql(views: readonly SourceViewName[] = STL_VIEW_NAMES): string[] {
  return views.map(
    (view) =>
      `CREATE TABLE ${quoteIdent(PENDING_SCHEMA)}.${quoteIdent(view)} (\n  ${[
        ...columnDefinitions(view),
        '"visible_at" timestamp without time zone NOT NULL',
      ].join(',\n  ')}\n)`,
  );
}

/**
 * The clock is a one-row table so that it survives a reopen; `getdate()` reads it because the
 * exporter asks the cluster for its time exactly as on Redshift, where GETDATE has no fraction
 * of a second.
 */
export function simulatorStateSql(): string[] {
  return [
    `CREATE SCHEMA ${quoteIdent(SIMULATOR_SCHEMA)}`,
    `CREATE TABLE ${quoteIdent(SIMULATOR_SCHEMA)}."state" (
  "singleton" boolean PRIMARY KEY DEFAULT true CHECK ("singleton"),
  "format_version" integer NOT NULL,
  "name" text NOT NULL,
  "profile" text NOT NULL,
  "deployment" text NOT NULL,
  "seed" bigint NOT NULL,
  "clock" timestamp without time zone NOT NULL,
  "retention_days" double precision NOT NULL,
  "max_visibility_delay_minutes" double precision NOT NULL,
  "next_minute" bigint NOT NULL,
  "next_query" integer NOT NULL,
  "next_xid" bigint NOT NULL,
  "regression_minute" bigint NOT NULL
)`,
    `CREATE FUNCTION public.getdate() RETURNS timestamp without time zone LANGUAGE sql STABLE AS $$
  SELECT date_trunc('second', "clock") FROM ${quoteIdent(SIMULATOR_SCHEMA)}."state"
$$`,
  ];
}

/** The function that refuses the STL views where a deployment cannot read them. */
const REFUSE = `${quoteIdent(SIMULATOR_SCHEMA)}."refuse_view"`;

/**
 * STL views that cannot be read: selecting from one fails as Redshift fails it where a user may
 * not read a system view (SQLSTATE 42501, `permission denied for relation stl_query`). The views
 * keep their columns, so a statement that names them parses and fails only when it runs.
 */
export function refusedStlViewsSql(): string[] {
  const refuse = `CREATE FUNCTION ${REFUSE}(relation text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RAISE EXCEPTION 'permission denied for relation %', relation USING ERRCODE = '42501';
END
$$`;
  const views = STL_VIEW_NAMES.map((view) => {
    const columns = SOURCE_VIEWS[view].columns.map((column) => `NULL::${postgresTypeOf(column.type)} AS ${quoteIdent(column.name)}`);
    return `CREATE VIEW public.${quoteIdent(view)} AS SELECT ${columns.join(', ')} WHERE ${REFUSE}('${view}')`;
  });
  return [refuse, ...views];
}

/** Everything a new simulated cluster needs, in order. */
export function simulatorSetupSql(deployment: Deployment = 'provisioned'): string[] {
  const views = simulatedViews(deployment);
  return [
    ...simulatorStateSql(),
    ...viewCreateTableSql(views, 'public'),
    `CREATE SCHEMA ${quoteIdent(PENDING_SCHEMA)}`,
    ...pendingCreateTableSql(views),
    ...(deployment === 'provisioned' ? [] : refusedStlViewsSql()),
    ...userAccessSql(),
  ];
}
