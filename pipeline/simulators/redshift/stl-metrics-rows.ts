import { SeededRandom } from '../seeded-random.js';
import { formatMicros } from './format-micros.js';
import { type NumberedStatement, orderedValues, type RowSink } from './row-sink.js';
import type { SliceScan } from './stl-scan-rows.js';
import type { WorkloadProfile } from './workload-profile.js';

/**
 * What a provisioned cluster logs about a query besides its steps: `stl_query_metrics` (a row
 * for the query and one per scan segment, spill included) and `stl_wlm_rule_action` (the query
 * monitoring rules it tripped) for queries in user-defined queues, and `stl_load_errors` for the
 * records a COPY with MAXERROR skipped. Drawn from a generator of their own, so the rows the
 * cluster wrote before these views existed stay the same.
 */

const BLOCK_BYTES = 1024 * 1024;

/** Rows a sort keeps in memory; a sort of more spills (as in the SYS views of the same workload). */
const SORT_IN_MEMORY_ROWS = 5_000_000;

/** The query monitoring rules of the user queues: WLM checks them every 10 seconds. */
export const MONITORING_RULES = {
  /** Logs queries that spilled more than 1,000 MB to disk. */
  spill: { name: 'spill_to_disk', blocks: 1_000 },
  /** Logs queries that ran longer than a minute. */
  long: { name: 'long_running', execUs: 60_000_000 },
} as const;

const RULE_CHECK_US = 10_000_000;

/** User-defined WLM queues (manual WLM 6-13, automatic 100 and up); superuser, SQA and maintenance are not. */
export function isUserQueue(serviceClass: number): boolean {
  return (serviceClass >= 6 && serviceClass <= 13) || serviceClass >= 100;
}

/** 1 MB blocks a query spills: a nested loop, or a sort too big for memory. Zero for most. */
export function spilledBlocks(statement: NumberedStatement, sortedRows: number, rng: SeededRandom): number {
  const plan = statement.placed.spec.plan;
  if (plan?.joins?.some((join) => join.kind === 'nested-loop')) return rng.int(4_000, 12_000);
  return plan?.sortKey !== undefined && sortedRows > SORT_IN_MEMORY_ROWS ? rng.int(200, 1_500) : 0;
}

export function emitQueryMetrics(profile: WorkloadProfile, statement: NumberedStatement, scans: readonly SliceScan[], sink: RowSink): void {
  const { placed } = statement;
  const spec = placed.spec;
  const query = statement.query;
  if (query === undefined || spec.queue === undefined || !isUserQueue(spec.queue.serviceClass)) return;
  const rng = SeededRandom.of('stl-metrics', query, statement.xid);
  const visible = placed.endUs + placed.visibilityDelayUs;
  const sortedRows = scans.filter((scan) => scan.scanIndex === 0).reduce((sum, scan) => sum + scan.rows, 0);
  const spilled = spilledBlocks(statement, sortedRows, rng);
  const slices = profile.slices;
  const base = {
    userid: spec.user.userid,
    service_class: spec.queue.serviceClass,
    query,
    starttime: formatMicros(placed.startUs),
    slices,
    query_priority: -1,
    query_queue_time: placed.queueUs,
    service_class_name: spec.queue.name,
  };
  const row = (segment: number, of: readonly SliceScan[], runUs: number, blocksToDisk: number) => {
    const rows = of.reduce((sum, scan) => sum + scan.rows, 0);
    const bytes = of.reduce((sum, scan) => sum + scan.preFilter * scan.draft.table.width, 0);
    const blocks = Math.ceil(bytes / BLOCK_BYTES);
    const cpuUs = Math.round(runUs * slices * (0.4 + 0.4 * rng.next()));
    return orderedValues('stl_query_metrics', {
      ...base,
      segment,
      step_type: -1,
      step: -1,
      max_rows: Math.max(0, ...of.map((scan) => scan.rows)),
      rows,
      max_cpu_time: Math.round((cpuUs / slices) * 1.15),
      cpu_time: cpuUs,
      max_blocks_read: Math.ceil((blocks / slices) * 1.12),
      blocks_read: blocks,
      max_run_time: runUs,
      run_time: runUs * slices,
      max_blocks_to_disk: Math.ceil((blocksToDisk / slices) * 1.2),
      blocks_to_disk: blocksToDisk,
      max_query_scan_size: Math.ceil((blocks / slices) * 1.12),
      query_scan_size: blocks,
    });
  };
  sink.add('stl_query_metrics', row(-1, scans, placed.execUs, spilled), placed.endUs, visible);
  const segments = [...new Set(scans.map((scan) => scan.scanIndex))];
  for (const segment of segments) {
    const of = scans.filter((scan) => scan.scanIndex === segment);
    // The spill happens above the first scan: in the join or the sort its rows feed.
    const runUs = Math.max(1, Math.round(placed.execUs * (0.5 + 0.4 * rng.next())));
    sink.add('stl_query_metrics', row(segment, of, runUs, segment === 0 ? spilled : 0), placed.endUs, visible);
  }
  emitRuleActions(statement, spilled, sink);
}

/** One `log` row per rule a query tripped, when WLM's check after the threshold saw it. */
function emitRuleActions(statement: NumberedStatement, spilled: number, sink: RowSink): void {
  const { placed } = statement;
  const spec = placed.spec;
  if (statement.query === undefined || spec.queue === undefined) return;
  const execStartUs = placed.startUs + placed.queueUs;
  const tripped: Array<{ rule: string; atUs: number }> = [];
  if (placed.execUs > MONITORING_RULES.long.execUs) {
    tripped.push({ rule: MONITORING_RULES.long.name, atUs: execStartUs + MONITORING_RULES.long.execUs + RULE_CHECK_US });
  }
  if (spilled > MONITORING_RULES.spill.blocks) {
    // Spilling starts in the second half of the run; the next check sees it.
    tripped.push({ rule: MONITORING_RULES.spill.name, atUs: execStartUs + Math.round(placed.execUs * 0.6) + RULE_CHECK_US });
  }
  for (const { rule, atUs } of tripped) {
    const recordUs = Math.min(atUs, placed.endUs);
    const row = {
      userid: spec.user.userid,
      query: statement.query,
      service_class: spec.queue.serviceClass,
      rule,
      action: 'log',
      recordtime: formatMicros(recordUs),
      action_value: '',
      service_class_name: spec.queue.name,
    };
    sink.add('stl_wlm_rule_action', orderedValues('stl_wlm_rule_action', row), recordUs, recordUs + placed.visibilityDelayUs);
  }
}

/** The bad records a COPY may meet, as Redshift reports them. */
const LOAD_ERRORS = [
  { code: 1207, column: 'customer_id', type: 'int8', reason: "Invalid digit, Value 'n', Pos 0, Type: Long", raw: 'n/a' },
  { code: 1206, column: 'event_ts', type: 'timestamp', reason: 'Invalid timestamp format or value [YYYY-MM-DD HH24:MI:SS]', raw: '31/02' },
  { code: 1214, column: 'url', type: 'varchar', reason: 'Delimiter not found', raw: 'https://shop.example/?q=a' },
  { code: 1204, column: 'user_agent', type: 'varchar', reason: 'String length exceeds DDL length', raw: 'Mozilla/5.0 (X11; Linux)' },
] as const;

/** A COPY that allows errors (MAXERROR) skips a few bad records now and then: one row each. */
export function emitLoadErrors(profile: WorkloadProfile, statement: NumberedStatement, sink: RowSink): void {
  const { placed } = statement;
  const spec = placed.spec;
  const load = spec.scans?.find((scan) => scan.type === 21);
  if (statement.query === undefined || placed.aborted || load === undefined || !/\bMAXERROR\b/i.test(spec.text)) return;
  const rng = SeededRandom.of('stl-load-errors', statement.query, statement.xid);
  if (!rng.chance(0.35)) return;
  const source = /\bFROM\s+'([^']*)'/i.exec(spec.text)?.[1] ?? '';
  const errors = rng.int(1, 3);
  for (let index = 0; index < errors; index += 1) {
    const error = rng.pick(LOAD_ERRORS);
    const row = {
      userid: spec.user.userid,
      slice: rng.int(0, profile.slices - 1),
      tbl: load.table.id,
      starttime: formatMicros(placed.startUs),
      session: placed.pid,
      query: statement.query,
      filename: `${source}part-${String(rng.int(0, 63)).padStart(4, '0')}.gz`,
      line_number: rng.int(2, 90_000),
      colname: error.column,
      type: error.type,
      col_length: error.type === 'varchar' ? '512' : '',
      position: rng.int(0, 30),
      raw_line: `${rng.int(100_000, 999_999)}\t${error.raw}\t${formatMicros(placed.startUs).slice(0, 19)}`,
      raw_field_value: error.raw,
      err_code: error.code,
      err_reason: error.reason,
      is_partial: 0,
      start_offset: 0,
      copy_job_id: 0,
    };
    sink.add('stl_load_errors', orderedValues('stl_load_errors', row), placed.endUs, placed.endUs + placed.visibilityDelayUs);
  }
}
