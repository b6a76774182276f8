import { SeededRandom } from '../seeded-random.js';
import { formatMicros } from './format-micros.js';
import { type NumberedStatement, orderedValues, type RowSink } from './row-sink.js';
import type { ScanDraft, SimTable, WorkloadProfile } from './workload-profile.js';

/** What one slice of one scan step read: the alerts are decided from it. */
export interface SliceScan {
  readonly draft: ScanDraft;
  readonly scanIndex: number;
  readonly slice: number;
  readonly rows: number;
  readonly preUserFilter: number;
  readonly preFilter: number;
}

const skewCache = new Map<string, number>();

/** Data is spread unevenly over slices, the same way for every query on a table. */
function sliceSkew(table: SimTable, slice: number): number {
  const key = `${table.id}:${slice}`;
  let skew = skewCache.get(key);
  if (skew === undefined) {
    skew = 0.88 + 0.24 * SeededRandom.of('skew', table.id, slice).next();
    skewCache.set(key, skew);
  }
  return skew;
}

/**
 * stl_scan rows of a query: one per slice and scan step, inside the query's execution, with row
 * counts from the table's size, the scan's selectivity and the table's deleted rows.
 */
export function emitScans(
  profile: WorkloadProfile,
  statement: NumberedStatement,
  scans: readonly ScanDraft[],
  rng: SeededRandom,
  sink: RowSink,
): SliceScan[] {
  const { placed } = statement;
  const execStartUs = placed.startUs + placed.queueUs;
  const planned = placed.plannedExecUs;
  const result: SliceScan[] = [];
  scans.forEach((draft, scanIndex) => {
    // Scans open their segments early and finish before the query does.
    const scanStartUs = execStartUs + Math.round(planned * 0.04 * scanIndex);
    const scanEndUs = execStartUs + Math.round(planned * (0.55 + 0.35 * rng.next()));
    if (scanStartUs >= placed.endUs) return;
    const progress = placed.aborted ? Math.min(1, (placed.endUs - scanStartUs) / Math.max(1, scanEndUs - scanStartUs)) : 1;
    const permanent = draft.type === 2;
    const rangeRestricted = permanent && draft.fraction < 1;
    for (let slice = 0; slice < profile.slices; slice++) {
      const startUs = scanStartUs + rng.int(0, Math.max(1, Math.round(planned * 0.01)));
      const endUs = Math.max(startUs + 1, Math.min(placed.endUs, scanEndUs - rng.int(0, Math.max(1, Math.round(planned * 0.03)))));
      const live = Math.round(
        draft.table.rowsPerSlice * Math.min(1, draft.fraction) * sliceSkew(draft.table, slice) * progress * (0.97 + 0.06 * rng.next()),
      );
      const ghostShare = permanent ? (draft.table.ghostFraction ?? 0) : 0;
      const ghosts = Math.round((live * ghostShare) / (1 - ghostShare));
      const rows = Math.round(live * draft.selectivity);
      const preUserFilter = permanent ? live : 0;
      const preFilter = permanent ? live + ghosts : 0;
      result.push({ draft, scanIndex, slice, rows, preUserFilter, preFilter });
      const row = {
        userid: placed.spec.user.userid,
        query: statement.query as number,
        slice,
        segment: scanIndex,
        step: 0,
        starttime: formatMicros(startUs),
        endtime: formatMicros(endUs),
        tasknum: slice,
        rows,
        bytes: rows * draft.table.width,
        fetches: 0,
        type: draft.type,
        tbl: draft.table.id,
        is_rrscan: rangeRestricted ? 't' : 'f',
        is_delayed_scan: 'f',
        rows_pre_filter: preFilter,
        rows_pre_user_filter: preUserFilter,
        perm_table_name: permanent ? draft.table.name : '',
        is_rlf_scan: 'f',
        is_rlf_scan_reason: 0,
        num_em_blocks: 0,
        checksum: 0,
        runtime_filtering: scanIndex === 0 && (placed.spec.plan?.joins?.length ?? 0) > 0 ? 't' : 'f',
        scan_region: 0,
        num_sortkey_as_predicate: rangeRestricted ? 1 : 0,
        row_fetcher_state: 0,
        consumed_scan_ranges: 0,
        work_stealing_reason: 0,
        is_vectorized_scan: permanent ? 't' : 'f',
        is_vectorized_scan_reason: 0,
        row_fetcher_reason: 0,
        topology_signature: 0,
        use_tpm_partition: 'f',
        is_rrscan_expr: 'f',
        scanned_mega_value: 'f',
      };
      sink.add('stl_scan', orderedValues('stl_scan', row), endUs, endUs + placed.visibilityDelayUs);
    }
  });
  return result;
}
