import { SeededRandom } from '../seeded-random.js';
import { formatMicros } from './format-micros.js';
import { type NumberedStatement, orderedValues, type RowSink } from './row-sink.js';
import { planRows } from './stl-explain-rows.js';
import type { StatementTimes } from './sys-statement-rows.js';
import type { ScanDraft, WorkloadProfile } from './workload-profile.js';

/**
 * The plan (sys_query_explain) and step metrics (sys_query_detail) of a SYS statement. The plan
 * is known when the statement starts; the metrics are written once it is over, one row for the
 * child query, then per scan a segment row and a scan step row, linked to the plan's leaves.
 */

const BLOCK_BYTES = 1024 * 1024;

export function emitQueryExplain(profile: WorkloadProfile, statement: NumberedStatement, times: StatementTimes, sink: RowSink): void {
  const spec = statement.placed.spec;
  if (!spec.plan) return;
  for (const node of planRows(profile, spec.scans ?? [], spec.plan)) {
    const row = {
      user_id: spec.user.userid,
      query_id: statement.query ?? 0,
      child_query_sequence: 1,
      plan_node_id: node.nodeId,
      plan_parent_id: node.parentId,
      plan_node: node.text.slice(0, 400),
      node_info: node.info.slice(0, 400),
    };
    sink.add('sys_query_explain', orderedValues('sys_query_explain', row), times.finalUs, times.visibleAtStartUs);
  }
}

interface StepMetrics {
  readonly inputRows: number;
  readonly outputRows: number;
  readonly inputBytes: number;
  readonly outputBytes: number;
  readonly blocks: number;
}

function scanMetrics(profile: WorkloadProfile, draft: ScanDraft, progress: number, rng: SeededRandom): StepMetrics {
  const inputRows = Math.round(
    draft.table.rowsPerSlice * profile.slices * Math.min(1, draft.fraction) * progress * (0.97 + 0.06 * rng.next()),
  );
  const outputRows = Math.round(inputRows * draft.selectivity);
  const inputBytes = inputRows * draft.table.width;
  return { inputRows, outputRows, inputBytes, outputBytes: outputRows * draft.table.width, blocks: Math.ceil(inputBytes / BLOCK_BYTES) };
}

export function emitQueryDetail(profile: WorkloadProfile, statement: NumberedStatement, times: StatementTimes, sink: RowSink): void {
  const { placed } = statement;
  const spec = placed.spec;
  const scans = spec.scans ?? [];
  if (scans.length === 0) return;
  const rng = SeededRandom.of('sys-detail', statement.query ?? 0, statement.xid);
  const execStartUs = placed.startUs + placed.queueUs;
  const progress = placed.aborted ? Math.min(1, placed.execUs / Math.max(1, placed.plannedExecUs)) : 1;
  const leaves = new Map<number, { nodeId: number; parentId: number }>();
  for (const node of spec.plan ? planRows(profile, scans, spec.plan) : []) {
    if (node.scanIndex !== undefined) leaves.set(node.scanIndex, { nodeId: node.nodeId, parentId: node.parentId });
  }
  const base = {
    user_id: spec.user.userid,
    query_id: statement.query ?? 0,
    child_query_sequence: 1,
    is_active: 'f',
    step_attribute: '',
  };
  const add = (row: Record<string, string | number>) =>
    sink.add('sys_query_detail', orderedValues('sys_query_detail', { ...base, ...row }), times.finalUs, times.finalVisibleUs);

  const metrics = scans.map((draft) => scanMetrics(profile, draft, progress, rng));
  const nestedLoop = spec.plan?.joins?.some((join) => join.kind === 'nested-loop') ?? false;
  // A nested loop or a large sort does not fit in memory: it spills to local disk.
  const sortedRows = spec.plan?.sortKey === undefined ? 0 : (metrics[0]?.outputRows ?? 0);
  const spilled = nestedLoop ? rng.int(4_000, 12_000) : sortedRows > 5_000_000 ? rng.int(200, 1_500) : 0;
  const total = (pick: (step: StepMetrics) => number) => metrics.reduce((sum, step) => sum + pick(step), 0);
  add({
    stream_id: -1,
    segment_id: -1,
    step_id: -1,
    step_name: '',
    table_id: 0,
    table_name: '',
    is_rrscan: 'f',
    start_time: formatMicros(execStartUs),
    end_time: formatMicros(placed.endUs),
    duration: placed.execUs,
    alert: nestedLoop ? 'Nested Loop Join in the query plan' : '',
    ...io(
      total((step) => step.inputRows),
      total((step) => step.outputRows),
      total((step) => step.inputBytes),
    ),
    output_bytes: total((step) => step.outputBytes),
    blocks_read: total((step) => step.blocks),
    blocks_write: spilled,
    source: '',
    data_skewness: 0,
    time_skewness: 0,
    spilled_block_local_disk: spilled,
    spilled_block_remote_disk: 0,
    metrics_level: 'Child query',
    plan_parent_id: 0,
    plan_node_id: 0,
  });
  scans.forEach((draft, index) => {
    const step = metrics[index] ?? { inputRows: 0, outputRows: 0, inputBytes: 0, outputBytes: 0, blocks: 0 };
    const startUs = execStartUs + Math.round(placed.plannedExecUs * 0.04 * index);
    const endUs = Math.max(startUs + 1, Math.min(placed.endUs, execStartUs + Math.round(placed.execUs * (0.55 + 0.4 * rng.next()))));
    const leaf = leaves.get(index) ?? { nodeId: 0, parentId: 0 };
    const permanent = draft.type === 2;
    const segment = {
      stream_id: index,
      segment_id: index,
      table_id: permanent ? draft.table.id : 0,
      table_name: permanent ? draft.table.name : '',
      is_rrscan: permanent && draft.fraction < 1 ? 't' : 'f',
      start_time: formatMicros(startUs),
      end_time: formatMicros(endUs),
      duration: endUs - startUs,
      ...io(step.inputRows, step.outputRows, step.inputBytes),
      output_bytes: step.outputBytes,
      blocks_read: step.blocks,
      blocks_write: 0,
      data_skewness: rng.int(0, draft.table.ghostFraction ? 40 : 15),
      time_skewness: rng.int(0, 20),
      spilled_block_local_disk: 0,
      spilled_block_remote_disk: 0,
      plan_parent_id: leaf.parentId,
      plan_node_id: leaf.nodeId,
    };
    add({ ...segment, step_id: -1, step_name: '', alert: '', source: '', metrics_level: 'Segment' });
    add({
      ...segment,
      step_id: 0,
      step_name: 'scan',
      alert: draft.table.missingStats ? 'Missing query planner statistics' : '',
      source: draft.type === 29 ? 'S3' : draft.type === 21 ? 'S3 load' : 'Redshift table',
      metrics_level: 'Step',
    });
  });
}

/** Rows and bytes in and out, and how the blocks read split between the local cache and remote storage. */
function io(inputRows: number, outputRows: number, inputBytes: number): Record<string, number> {
  const blocks = Math.ceil(inputBytes / BLOCK_BYTES);
  const remote = Math.floor(blocks / 10);
  return {
    input_rows: inputRows,
    output_rows: outputRows,
    input_bytes: inputBytes,
    local_read_io: blocks - remote,
    remote_read_io: remote,
  };
}
