import { STL_VIEWS, STL_VIEW_NAMES, type StlViewName } from '../../tables/stl-views.js';
import { SeededRandom } from '../seeded-random.js';
import { stlQueryTxt, stlTextChunks } from './stl-text.js';
import type { PlacedStatement } from './workload-generator.js';
import type { PlanDraft, ScanDraft, SimTable, WorkloadProfile } from './workload-profile.js';

/**
 * Turns one placed statement into the rows Redshift would write for it, in every view. Pure:
 * the rows go to a sink with the row's completion time (which decides retention) and the time it
 * becomes visible (completion plus the statement's delay).
 */

export type SqlCell = string | number;

export interface RowSink {
  add(view: StlViewName, values: readonly SqlCell[], completionUs: number, visibleUs: number): void;
}

export interface NumberedStatement {
  readonly placed: PlacedStatement;
  /** Queries only. */
  readonly query: number | undefined;
  readonly xid: number;
}

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** `YYYY-MM-DD HH:MM:SS.ffffff` (UTC) of microseconds since the epoch. */
export function formatMicros(us: number): string {
  const second = Math.floor(us / 1_000_000);
  // Rows of one statement share their second; formatting a Date is the costly part.
  if (second !== cachedSecond) {
    cachedSecond = second;
    const iso = new Date(second * 1000).toISOString();
    cachedPrefix = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  }
  return `${cachedPrefix}.${String(us - second * 1_000_000).padStart(6, '0')}`;
}

/** Microseconds since the epoch of a `YYYY-MM-DD HH:MM:SS[.ffffff]` UTC text. */
export function parseMicros(text: string): number {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) throw new RangeError(`not a timestamp: ${text}`);
  const ms = Date.parse(`${match[1]}T${match[2]}Z`);
  return ms * 1000 + Number((match[3] ?? '').padEnd(6, '0'));
}

const COLUMN_NAMES = new Map<StlViewName, readonly string[]>(
  STL_VIEW_NAMES.map((view) => [view, STL_VIEWS[view].columns.map((column) => column.name)]),
);

/** Values in the registry's column order; a column the builder forgot is a bug, caught here. */
function ordered(view: StlViewName, row: Readonly<Record<string, SqlCell>>): SqlCell[] {
  const names = COLUMN_NAMES.get(view)!;
  const values = new Array<SqlCell>(names.length);
  for (let index = 0; index < names.length; index++) {
    const value = row[names[index]!];
    if (value === undefined) throw new RangeError(`${view}.${names[index]} has no value`);
    values[index] = value;
  }
  return values;
}

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
      sink.add(view, ordered(view, row), placed.endUs, placed.endUs + delay);
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
    ordered('stl_query', {
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
      ordered('stl_querytext', { userid: spec.user.userid, xid, pid: placed.pid, query, sequence, text }),
      endUs,
      visible,
    );
  });
  if (spec.queue) {
    const execStartUs = placed.startUs + placed.queueUs;
    sink.add(
      'stl_wlm_query',
      ordered('stl_wlm_query', {
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
  // A concurrency-scaling run leaves no step-level rows on the main cluster.
  if (placed.concurrencyScaling) return;
  const scans = spec.scans ?? [];
  const rng = SeededRandom.of('rows', query, xid);
  const scanRows = emitScans(profile, statement, scans, rng, sink);
  if (spec.plan) emitPlan(profile, statement, scans, spec.plan, sink);
  emitAlerts(statement, scans, spec.plan, scanRows, sink);
}

interface SliceScan {
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

function emitScans(
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
      result.push({ scanIndex, slice, rows, preUserFilter, preFilter });
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
      sink.add('stl_scan', ordered('stl_scan', row), endUs, endUs + placed.visibilityDelayUs);
    }
  });
  return result;
}

interface PlanNode {
  readonly text: string;
  readonly info: string;
  readonly children: readonly PlanNode[];
}

function cost(rows: number, width: number, penalty = 0): string {
  const total = penalty + rows * 0.01 + width * 0.001;
  return `(cost=${penalty.toFixed(2)}..${total.toFixed(2)} rows=${Math.max(1, Math.round(rows))} width=${width})`;
}

/** The planner's row estimate: without statistics it guesses. */
function estimatedRows(profile: WorkloadProfile, draft: ScanDraft): number {
  if (draft.table.missingStats) return 1000;
  return draft.table.rowsPerSlice * profile.slices * Math.min(1, draft.fraction) * draft.selectivity;
}

function leaf(profile: WorkloadProfile, draft: ScanDraft): PlanNode {
  const rows = estimatedRows(profile, draft);
  if (draft.type === 29) {
    return {
      text: `XN S3 Query Scan ${draft.alias}  ${cost(rows, draft.table.width)}`,
      info: '',
      children: [
        {
          text: `S3 Seq Scan spectrum.${draft.table.name} ${draft.alias} location:"s3://acme-archive/${draft.table.name}" format:PARQUET  ${cost(rows, draft.table.width)}`,
          info: draft.filter ?? '',
          children: [],
        },
      ],
    };
  }
  return {
    text: `XN Seq Scan on ${draft.table.name} ${draft.alias}  ${cost(rows, draft.table.width)}`,
    info: draft.filter ?? '',
    children: [],
  };
}

function buildPlan(profile: WorkloadProfile, scans: readonly ScanDraft[], plan: PlanDraft): PlanNode | undefined {
  const first = scans[0];
  if (!first) return undefined;
  let top = leaf(profile, first);
  let rows = estimatedRows(profile, first);
  const width = scans.reduce((sum, draft) => sum + Math.min(draft.table.width, 64), 0);
  (plan.joins ?? []).forEach((join, index) => {
    const inner = scans[index + 1];
    if (!inner) return;
    const innerNode = leaf(profile, inner);
    const innerRows = estimatedRows(profile, inner);
    const distribution = join.distribution ? ` ${join.distribution}` : '';
    if (join.kind === 'hash') {
      top = {
        text: `XN Hash Join${distribution}  ${cost(rows, width)}`,
        info: join.condition,
        children: [top, { text: `XN Hash  ${cost(innerRows, inner.table.width)}`, info: '', children: [innerNode] }],
      };
    } else if (join.kind === 'merge') {
      top = { text: `XN Merge Join${distribution}  ${cost(rows, width)}`, info: join.condition, children: [top, innerNode] };
    } else {
      rows = rows * Math.max(1, innerRows) * 0.3;
      top = {
        text: `XN Nested Loop${distribution}  ${cost(rows, width, 1_000_000_000_000)}`,
        info: join.condition,
        children: [top, innerNode],
      };
    }
  });
  if (plan.aggregate !== undefined) {
    rows = Math.max(1, rows / 50);
    top =
      plan.aggregate === 'Unique'
        ? { text: `XN Unique  ${cost(rows, width)}`, info: '', children: [top] }
        : { text: `XN HashAggregate  ${cost(rows, width)}`, info: plan.aggregate, children: [top] };
  }
  if (plan.sortKey !== undefined) {
    const sorted = { text: `XN Sort  ${cost(rows, width, 1_000_000_000)}`, info: `Sort Key: ${plan.sortKey}`, children: [top] };
    const network = { text: `XN Network  ${cost(rows, width, 1_000_000_000)}`, info: 'Send to leader', children: [sorted] };
    top = { text: `XN Merge  ${cost(rows, width, 1_000_000_000)}`, info: `Merge Key: ${plan.sortKey}`, children: [network] };
  }
  if (plan.limit !== undefined) {
    top = { text: `XN Limit  ${cost(Math.min(rows, plan.limit), width)}`, info: '', children: [top] };
  }
  return top;
}

function emitPlan(
  profile: WorkloadProfile,
  statement: NumberedStatement,
  scans: readonly ScanDraft[],
  plan: PlanDraft,
  sink: RowSink,
): void {
  const root = buildPlan(profile, scans, plan);
  if (!root) return;
  const { placed } = statement;
  const visible = placed.endUs + placed.visibilityDelayUs;
  let nodeid = 0;
  const add = (parentid: number, plannode: string, info: string): number => {
    nodeid++;
    const row = {
      userid: placed.spec.user.userid,
      query: statement.query as number,
      nodeid,
      parentid,
      plannode: plannode.slice(0, 400),
      info: info.slice(0, 400),
    };
    sink.add('stl_explain', ordered('stl_explain', row), placed.endUs, visible);
    return nodeid;
  };
  const walk = (node: PlanNode, parentid: number): void => {
    const id = add(parentid, node.text, node.info);
    for (const child of node.children) walk(child, id);
  };
  walk(root, 0);
  // EXPLAIN's closing notes, as Redshift prints them under the plan.
  const missing = [...new Set(scans.filter((draft) => draft.table.missingStats).map((draft) => draft.table.name))];
  if (missing.length > 0) {
    add(0, `----- Tables missing statistics: ${missing.join(', ')} -----`, '');
    add(0, '----- Update statistics by running the ANALYZE command on these tables -----', '');
  }
  if ((plan.joins ?? []).some((join) => join.kind === 'nested-loop')) {
    add(0, '----- Nested Loop Join in the query plan - review the join predicates to avoid Cartesian products -----', '');
  }
}

/** Ghost rows or a filter this selective, on one slice, are worth an alert. */
const ALERT_MIN_ROWS = 100_000;

function emitAlerts(
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
    sink.add('stl_alert_event_log', ordered('stl_alert_event_log', row), placed.endUs, visible);
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
    const draft = scans[slice.scanIndex]!;
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
        'Review the choice of sort key to enable range restricted scans, and the choice of distribution key to collocate the join or aggregation',
      );
    }
  }
}

function estimatedPeakMemory(profile: WorkloadProfile, scans: readonly ScanDraft[]): number {
  const bytes = scans.reduce(
    (sum, draft) => sum + draft.table.rowsPerSlice * Math.min(1, draft.fraction) * draft.selectivity * Math.min(draft.table.width, 64),
    0,
  );
  return Math.round(Math.min(8 * 1024 ** 3, 4 * 1024 ** 2 + bytes / Math.max(1, profile.slices)));
}
