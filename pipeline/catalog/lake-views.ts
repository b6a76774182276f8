import type { LakeTable } from '../tables/lake-table.js';
import type { LakeView } from '../tables/lake-view.js';
import { cloudTrailLogsView } from './cloudtrail-logs-view.js';
import { redshiftStatementsView } from './redshift-statements-view.js';

/** Every view over the lake tables that the catalogs declare (besides the views of `queries/`). */
export function lakeViews(): readonly LakeView[] {
  return [cloudTrailLogsView(), redshiftStatementsView()];
}

/** The lake views whose tables are all among `tables`: a catalog that declares only some tables declares only these. */
export function lakeViewsOver(tables: readonly LakeTable[]): readonly LakeView[] {
  const declared = new Set(tables.map((table) => table.name));
  return lakeViews().filter((view) => view.reads.every((name) => declared.has(name)));
}
