import { createHash } from 'node:crypto';
import { normalizeStatement } from '../../redshift/fingerprint.js';
import { SeededRandom } from '../seeded-random.js';
import type { Deployment } from './deployment.js';
import { formatMicros } from './format-micros.js';
import { type NumberedStatement, orderedValues, type RowSink, type SqlCell } from './row-sink.js';
import { stlQueryTxt, sysTextChunks } from './stl-text.js';
import { emitQueryDetail, emitQueryExplain } from './sys-detail-rows.js';
import { emitLoad, emitUnload } from './sys-load-rows.js';
import type { WorkloadProfile } from './workload-profile.js';

/**
 * The SYS rows of one statement. Unlike STL, `sys_query_history` holds a row while the statement
 * runs and rewrites it as it goes: a version when it starts (status running, end time Redshift's
 * placeholder), one when it has finished running but still returns rows to a slow client
 * (returning, end time set), and the final one (success, failed or canceled). Each version is
 * written with the time it becomes visible; the simulator keeps the newest visible one. The text
 * and plan are there from the start, the step metrics once the statement is over.
 */

/** What Redshift shows as the end time of a statement that has not ended. */
export const PLACEHOLDER_TIME = '2000-01-01 00:00:00';

const REDSHIFT_VERSION = '1.0.87163';

export type FinalStatus = 'success' | 'failed' | 'canceled';

/** When a statement's rows appear: its text and plan early, its final rows after its visibility delay. */
export interface StatementTimes {
  readonly visibleAtStartUs: number;
  readonly finalUs: number;
  readonly finalVisibleUs: number;
}

export function statementTimes(statement: NumberedStatement): StatementTimes {
  const { placed } = statement;
  const finalUs = placed.endUs + (placed.returnUs ?? 0);
  return {
    visibleAtStartUs: placed.startUs + Math.floor(placed.visibilityDelayUs / 4),
    finalUs,
    finalVisibleUs: finalUs + placed.visibilityDelayUs,
  };
}

export function emitSysStatementRows(profile: WorkloadProfile, deployment: Deployment, statement: NumberedStatement, sink: RowSink): void {
  const { placed } = statement;
  const queryId = statement.query;
  if (queryId === undefined) throw new RangeError('a SYS statement needs its query_id');
  const rng = SeededRandom.of('sys', queryId, statement.xid);
  const times = statementTimes(statement);
  const status: FinalStatus = placed.aborted ? (rng.chance(0.6) ? 'canceled' : 'failed') : 'success';
  const row = (version: 'running' | 'returning' | FinalStatus) => historyRow(profile, deployment, statement, version, rng);
  if (times.visibleAtStartUs < times.finalVisibleUs) {
    sink.add('sys_query_history', row('running'), times.finalUs, times.visibleAtStartUs);
  }
  if (placed.returnUs !== undefined) {
    sink.add('sys_query_history', row('returning'), times.finalUs, placed.endUs + placed.visibilityDelayUs);
  }
  sink.add('sys_query_history', row(status), times.finalUs, times.finalVisibleUs);
  sysTextChunks(placed.spec.text).forEach((text, sequence) => {
    const chunk = {
      user_id: placed.spec.user.userid,
      query_id: queryId,
      transaction_id: statement.xid,
      session_id: placed.pid,
      start_time: formatMicros(placed.startUs),
      sequence,
      text,
    };
    sink.add('sys_query_text', orderedValues('sys_query_text', chunk), times.finalUs, times.visibleAtStartUs);
  });
  if (placed.spec.kind !== 'query') return;
  emitQueryExplain(profile, statement, times, sink);
  emitQueryDetail(profile, statement, times, sink);
  const verb = queryType(placed.spec.kind, placed.spec.text);
  if (verb === 'COPY') emitLoad(profile, statement, times, status, sink);
  if (verb === 'UNLOAD') emitUnload(profile, statement, times, status, sink);
}

/** sys_query_history.query_type of a statement, from its kind and first word. */
export function queryType(kind: 'query' | 'ddl' | 'utility', text: string): string {
  if (kind === 'ddl') return 'DDL';
  if (kind === 'utility') return 'UTILITY';
  const words = text.trimStart().toUpperCase();
  if (/^CREATE\s+TABLE\b[\s\S]*\bAS\s+SELECT\b/.test(words)) return 'CTAS';
  const first = /^[A-Z_]+/.exec(words)?.[0] ?? '';
  if (first === 'SELECT' || first === 'WITH' || first === 'PADB_FETCH_SAMPLE') return 'SELECT';
  return ['INSERT', 'UPDATE', 'DELETE', 'COPY', 'UNLOAD'].includes(first) ? first : 'OTHER';
}

function historyRow(
  profile: WorkloadProfile,
  deployment: Deployment,
  statement: NumberedStatement,
  version: 'running' | 'returning' | FinalStatus,
  rng: SeededRandom,
): SqlCell[] {
  const { placed } = statement;
  const spec = placed.spec;
  const serverless = deployment === 'serverless';
  const running = version === 'running';
  const done = !running && version !== 'returning';
  const elapsedUs = running ? 0 : placed.endUs - placed.startUs + (done ? (placed.returnUs ?? 0) : 0);
  const returnedRows = done && version === 'success' && queryType(spec.kind, spec.text) === 'SELECT' ? resultRows(spec, rng) : 0;
  const queue = spec.queue;
  return orderedValues('sys_query_history', {
    user_id: spec.user.userid,
    query_id: statement.query ?? 0,
    query_label: spec.label ?? 'default',
    transaction_id: statement.xid,
    session_id: placed.pid,
    database_name: spec.database ?? profile.databases[0] ?? 'dev',
    query_type: queryType(spec.kind, spec.text),
    status: version,
    result_cache_hit: 'false',
    start_time: formatMicros(placed.startUs),
    end_time: running ? PLACEHOLDER_TIME : formatMicros(placed.endUs),
    elapsed_time: elapsedUs,
    queue_time: running ? 0 : placed.queueUs,
    execution_time: running ? 0 : placed.execUs,
    error_message: version === 'canceled' ? "Query cancelled on user's request" : version === 'failed' ? abortReason(spec.label) : '',
    returned_rows: returnedRows,
    returned_bytes: returnedRows * 72,
    query_text: stlQueryTxt(spec.text),
    redshift_version: REDSHIFT_VERSION,
    usage_limit: '',
    compute_type: serverless ? '' : placed.pid % 2 === 0 ? 'primary' : 'secondary',
    compile_time: running ? 0 : Math.min(placed.execUs, 1_000 + (statement.xid % 7) * 1_500),
    planning_time: running ? 0 : Math.min(placed.execUs, 400 + (statement.xid % 5) * 300),
    lock_wait_time: 0,
    service_class_id: serverless ? -1 : (queue?.serviceClass ?? 100),
    service_class_name: serverless ? '' : (queue?.name ?? 'Default queue'),
    query_priority: serverless ? '' : 'normal',
    short_query_accelerated: serverless ? '' : queue?.serviceClass === 14 ? 'true' : 'false',
    user_query_hash: sha1(spec.text),
    generic_query_hash: sha1(normalizeStatement(spec.text)),
    query_hash_version: 2,
    result_cache_query_id: 0,
    username: spec.user.name,
  });
}

function resultRows(spec: NumberedStatement['placed']['spec'], rng: SeededRandom): number {
  if (spec.plan?.limit !== undefined) return spec.plan.limit;
  if (spec.plan?.aggregate !== undefined) return rng.int(1, 400);
  return rng.int(1, 5_000);
}

function abortReason(label: string | undefined): string {
  return `Query terminated by WLM query monitoring rule "abort_long_${label === 'maintenance' ? 'maintenance' : 'adhoc'}"`;
}

function sha1(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}
