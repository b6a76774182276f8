import type { ClusterConfig, ExportSettings } from '../config/opslake-config.js';
import { ConfigError } from '../errors.js';
import type { SqlRunner } from '../ports/sql-runner.js';
import type { StateStore, Watermark } from '../ports/state-store.js';
import { DIALECTS, type DialectName, dialectTables, SOURCE_VIEWS } from '../tables/dialects.js';
import { customTableName, type ExportTable, isCustomTableName } from '../tables/custom-tables.js';
import { type ExportTableName, isSourceViewName, QUERY_TEXT_TABLE } from '../tables/registry.js';
import type { HoldBack, SourceView } from '../tables/source-view.js';
import { readHoldBack, readOldestCursor, type HoldBackTimes } from './cluster-reads.js';
import { planSlots, type SlotPlan } from './slot-planner.js';
import type { ResolvedDialect } from './source-dialect.js';

/** What a run reads once before it plans its tables: the clock, the source's horizon, what holds slots back. */
export interface PlanContext {
  readonly now: Date;
  /** Oldest completion time still in the dialect's statement view (null when empty). */
  readonly horizon: Date | null;
  readonly holdBack: HoldBackTimes;
}

export interface TablePlan {
  readonly table: ExportTable;
  readonly watermark: Watermark;
  readonly plan: SlotPlan;
}

/**
 * Open statements that began longer ago than this hold nothing back. Redshift stops a statement
 * after at most a day (Serverless and the Data API), so an older open row is one that will never
 * be final, and waiting for it would keep every later slot unsealed.
 */
export const STALE_STATEMENT_HOURS = 24;

/**
 * The tables a run exports: those configured (and asked for) that the source's dialect has, then
 * its custom exports (`custom_<name>`, whatever the dialect). A source whose configured tables
 * are all of the other dialect is a configuration error, said plainly, rather than a run that
 * silently exports nothing.
 */
export function selectTables(
  cluster: ClusterConfig,
  resolved: ResolvedDialect,
  only: readonly ExportTable[] | undefined,
): readonly ExportTable[] {
  const available = new Set<ExportTableName>(dialectTables(resolved.dialect, cluster.kind));
  const usable = cluster.tables.filter((table) => available.has(table));
  if (usable.length === 0) {
    const title = DIALECTS[resolved.dialect].title;
    throw new ConfigError(
      `${cluster.name}.tables`,
      `lists none of the tables ${cluster.name} can export: it is read through the ${title} views (${resolved.reason}); ` +
        `list some of ${[...available].join(', ')}, or leave tables out`,
    );
  }
  const selected: ExportTable[] = [...usable, ...(cluster.exports ?? []).map((custom) => customTableName(custom.name))];
  return only ? selected.filter((table) => only.includes(table)) : selected;
}

/** The clock, the horizon and the hold-backs of a run, each read once. */
export async function readPlanContext(
  runner: SqlRunner,
  dialect: DialectName,
  tables: readonly ExportTable[],
  now: Date,
): Promise<PlanContext> {
  const horizon = await readOldestCursor(runner, DIALECTS[dialect].statements.view);
  const needsHoldBack = tables.some((table) => holdBackOf(table, dialect) !== undefined);
  const staleBefore = new Date(now.getTime() - STALE_STATEMENT_HOURS * 3_600_000);
  const holdBack = needsHoldBack ? await readHoldBack(runner, dialect, staleBefore) : { finishedEnd: null, openStart: null };
  return { now, horizon, holdBack };
}

/** Plans one table of a run without writing anything. */
export async function planTable(
  deps: { readonly runner: SqlRunner; readonly state: StateStore },
  cluster: ClusterConfig,
  settings: ExportSettings,
  dialect: DialectName,
  table: ExportTable,
  context: PlanContext,
): Promise<TablePlan> {
  const watermark = await deps.state.getWatermark({ cluster: cluster.name, table });
  // Tables whose cursor is the statement view's completion time have the horizon as their
  // oldest row: it was read once for the run, so it is not asked for again per table. So do
  // custom exports: their SQL cannot be asked for its oldest row without reading all of it, and
  // the system views they read keep about as long as the statement view.
  const statementView = DIALECTS[dialect].statements.view;
  const ownCursor = isSourceViewName(table) && SOURCE_VIEWS[table].cursor.kind === 'own' && table !== statementView;
  const oldestInView = ownCursor ? await readOldestCursor(deps.runner, table) : context.horizon;
  const holdBack = holdBackOf(table, dialect);
  const sealLimit =
    holdBack === 'finished-statements' ? context.holdBack.finishedEnd : holdBack === 'open-statements' ? context.holdBack.openStart : null;
  const plan = planSlots({
    sealedThrough: watermark.sealedThrough,
    oldestInView,
    clusterHorizon: context.horizon,
    now: context.now,
    slotMinutes: settings.slotMinutes,
    latenessMinutes: settings.latenessMinutes,
    sealLimit,
  });
  return { table, watermark, plan };
}

/** What holds a table's slots back: its own rule, or that of the view it borrows its completion time from. */
export function holdBackOf(table: ExportTable, dialect: DialectName): HoldBack | undefined {
  if (isCustomTableName(table)) return undefined;
  const view: SourceView =
    table === QUERY_TEXT_TABLE ? SOURCE_VIEWS[DIALECTS[dialect].statements.view] : SOURCE_VIEWS[table as keyof typeof SOURCE_VIEWS];
  if (view.holdBack || view.cursor.kind === 'own') return view.holdBack;
  return SOURCE_VIEWS[view.cursor.from as keyof typeof SOURCE_VIEWS]?.holdBack;
}
