import { SeededRandom } from '../seeded-random.js';
import { formatMicros } from './format-micros.js';
import { type NumberedStatement, orderedValues, type RowSink } from './row-sink.js';
import { emitAlerts } from './stl-alert-rows.js';
import { emitPlan } from './stl-explain-rows.js';
import { emitLoadErrors, emitQueryMetrics } from './stl-metrics-rows.js';
import { emitScans } from './stl-scan-rows.js';
import { stlQueryTxt, stlTextChunks } from './stl-text.js';
import type { ScanDraft, WorkloadProfile } from './workload-profile.js';

/**
 * Turns one placed statement into the rows Redshift would write for it, in every view. Pure:
 * the rows go to a sink with the row's completion time (which decides retention) and the time it
 * becomes visible (completion plus the statement's delay).
 */

export function emitStatementRows(profile: WorkloadProfile, statement: NumberedStatement, sink: RowSink): void {
  const { placed, xid } = statement;
  const spec = placed.spec;
  const delay = placed.visibilityDelayUs;
  if (spec.kind !== 'query' || statement.query === undefined) {
    const view = spec.kind === 'ddl' ? 'stl_ddltext' : 'stl_utilitytext';
    stlTextChunks(spec.text).forEach((text, sequence) => {
      const row = {
        userid: spec.user.userid,
        xid,
        pid: placed.pid,
        label: spec.label ?? '',
        starttime: formatMicros(placed.startUs),
        endtime: formatMicros(placed.endUs),
        sequence,
        text,
      };
      sink.add(view, orderedValues(view, row), placed.endUs, placed.endUs + delay);
    });
    return;
  }

  const query = statement.query;
  const endUs = placed.endUs;
  const visible = endUs + delay;
  const start = formatMicros(placed.startUs);
  const end = formatMicros(endUs);
  const database = spec.database ?? profile.databases[0] ?? 'dev';
  sink.add(
    'stl_query',
    orderedValues('stl_query', {
      userid: spec.user.userid,
      query,
      label: spec.label ?? 'default',
      xid,
      pid: placed.pid,
      database,
      querytxt: stlQueryTxt(spec.text),
      starttime: start,
      endtime: end,
      aborted: placed.aborted ? 1 : 0,
      insert_pristine: 0,
      concurrency_scaling_status: placed.concurrencyScaling ? 1 : 0,
    }),
    endUs,
    visible,
  );
  stlTextChunks(spec.text).forEach((text, sequence) => {
    sink.add(
      'stl_querytext',
      orderedValues('stl_querytext', { userid: spec.user.userid, xid, pid: placed.pid, query, sequence, text }),
      endUs,
      visible,
    );
  });
  if (spec.queue) {
    const execStartUs = placed.startUs + placed.queueUs;
    sink.add(
      'stl_wlm_query',
      orderedValues('stl_wlm_query', {
        userid: spec.user.userid,
        xid,
        task: query,
        query,
        service_class: spec.queue.serviceClass,
        slot_count: spec.slotCount ?? 1,
        service_class_start_time: start,
        queue_start_time: start,
        queue_end_time: formatMicros(execStartUs),
        total_queue_time: placed.queueUs,
        exec_start_time: formatMicros(execStartUs),
        exec_end_time: end,
        total_exec_time: placed.execUs,
        service_class_end_time: end,
        final_state: placed.aborted ? 'Evicted' : 'Completed',
        est_peak_mem: estimatedPeakMemory(profile, spec.scans ?? []),
        query_priority: 'n/a',
        service_class_name: spec.queue.name,
      }),
      endUs,
      visible,
    );
  }
  emitLoadErrors(profile, statement, sink);
  // A concurrency-scaling run leaves no step-level rows (nor metrics) on the main cluster.
  if (placed.concurrencyScaling) return;
  const scans = spec.scans ?? [];
  const rng = SeededRandom.of('rows', query, xid);
  const scanRows = emitScans(profile, statement, scans, rng, sink);
  if (spec.plan) emitPlan(profile, statement, scans, spec.plan, sink);
  emitAlerts(statement, scans, spec.plan, scanRows, sink);
  emitQueryMetrics(profile, statement, scanRows, sink);
}

function estimatedPeakMemory(profile: WorkloadProfile, scans: readonly ScanDraft[]): number {
  const bytes = scans.reduce(
    (sum, draft) => sum + draft.table.rowsPerSlice * Math.min(1, draft.fraction) * draft.selectivity * Math.min(draft.table.width, 64),
    0,
  );
  return Math.round(Math.min(8 * 1024 ** 3, 4 * 1024 ** 2 + bytes / Math.max(1, profile.slices)));
}
