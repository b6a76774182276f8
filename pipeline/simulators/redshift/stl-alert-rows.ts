import { formatMicros } from './format-micros.js';
import { type NumberedStatement, orderedValues, type RowSink } from './row-sink.js';
import type { SliceScan } from './stl-scan-rows.js';
import type { PlanDraft, ScanDraft } from './workload-profile.js';

/** Ghost rows or a filter this selective, on one slice, are worth an alert. */
const ALERT_MIN_ROWS = 100_000;

/** stl_alert_event_log rows of a query: missing statistics, nested loops, deleted rows, very selective filters. */
export function emitAlerts(
  statement: NumberedStatement,
  scans: readonly ScanDraft[],
  plan: PlanDraft | undefined,
  sliceScans: readonly SliceScan[],
  sink: RowSink,
): void {
  const { placed } = statement;
  const visible = placed.endUs + placed.visibilityDelayUs;
  const eventTime = formatMicros(placed.startUs);
  const add = (slice: number, segment: number, step: number, event: string, solution: string): void => {
    const row = {
      userid: placed.spec.user.userid,
      query: statement.query as number,
      slice,
      segment,
      step,
      pid: placed.pid,
      xid: statement.xid,
      event,
      solution,
      event_time: eventTime,
    };
    sink.add('stl_alert_event_log', orderedValues('stl_alert_event_log', row), placed.endUs, visible);
  };
  const flagged = new Set<string>();
  scans.forEach((draft, segment) => {
    if (draft.table.missingStats && !flagged.has(draft.table.name)) {
      flagged.add(draft.table.name);
      add(0, segment, 0, 'Missing query planner statistics', 'Run the ANALYZE command');
    }
  });
  if (plan?.joins?.some((join) => join.kind === 'nested-loop')) {
    add(0, scans.length, 2, 'Nested Loop Join in the query plan', 'Review the join predicates to avoid Cartesian products');
  }
  for (const slice of sliceScans) {
    const draft = slice.draft;
    const ghosts = slice.preFilter - slice.preUserFilter;
    if (ghosts > ALERT_MIN_ROWS && ghosts > slice.preFilter * 0.2) {
      add(slice.slice, slice.scanIndex, 0, 'Scanned a large number of deleted rows', 'Run the VACUUM command to reclaim deleted space');
    }
    if (draft.type === 2 && draft.fraction >= 1 && slice.preUserFilter > ALERT_MIN_ROWS && slice.rows < slice.preUserFilter * 0.05) {
      const ratio = slice.rows / slice.preUserFilter;
      add(
        slice.slice,
        slice.scanIndex,
        0,
        `Very selective query filter:ratio=rows(${slice.rows})/rows_pre_user_filter(${slice.preUserFilter})=${ratio.toFixed(6)}`,
        'Review the choice of sort key to enable range restricted scans, ' +
          'and the choice of distribution key to collocate the join or aggregation',
      );
    }
  }
}
