import { type NumberedStatement, orderedValues, type RowSink } from './row-sink.js';
import type { PlanDraft, ScanDraft, WorkloadProfile } from './workload-profile.js';

/** A plan node as EXPLAIN prints it: the node line, its detail line, its inputs. */
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
    const location = `location:"s3://acme-archive/${draft.table.name}" format:PARQUET`;
    return {
      text: `XN S3 Query Scan ${draft.alias}  ${cost(rows, draft.table.width)}`,
      info: '',
      children: [
        {
          text: `S3 Seq Scan spectrum.${draft.table.name} ${draft.alias} ${location}  ${cost(rows, draft.table.width)}`,
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

/** stl_explain rows of a query: its plan tree, node by node, and the notes EXPLAIN prints under it. */
export function emitPlan(
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
    sink.add('stl_explain', orderedValues('stl_explain', row), placed.endUs, visible);
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
