import { SeededRandom } from '../seeded-random.js';
import { formatMicros } from './format-micros.js';
import { type NumberedStatement, orderedValues, type RowSink } from './row-sink.js';
import { PLACEHOLDER_TIME, type FinalStatus, type StatementTimes } from './sys-statement-rows.js';
import type { WorkloadProfile } from './workload-profile.js';

/**
 * The load and unload rows of a SYS statement: `sys_load_history` for a COPY and
 * `sys_unload_history` for an UNLOAD, each with a row while it runs and the final one; a COPY
 * that allows errors (MAXERROR) sometimes skips bad records, one `sys_load_error_detail` row each.
 */

/** The bad records a COPY may meet, as Redshift reports them. */
const LOAD_ERRORS = [
  { code: 1207, column: 'customer_id', type: 'int8', message: "Invalid digit, Value 'n', Pos 0, Type: Long" },
  { code: 1206, column: 'event_ts', type: 'timestamp', message: 'Invalid timestamp format or value [YYYY-MM-DD HH24:MI:SS]' },
  { code: 1214, column: 'url', type: 'varchar', message: 'Delimiter not found' },
  { code: 1204, column: 'user_agent', type: 'varchar', message: 'String length exceeds DDL length' },
] as const;

function quoted(text: string, after: RegExp): string {
  return new RegExp(`${after.source}\\s+'([^']*)'`, 'i').exec(text)?.[1] ?? '';
}

export function emitLoad(
  profile: WorkloadProfile,
  statement: NumberedStatement,
  times: StatementTimes,
  status: FinalStatus,
  sink: RowSink,
): void {
  const { placed } = statement;
  const spec = placed.spec;
  const rng = SeededRandom.of('sys-load', statement.query ?? 0, statement.xid);
  const draft = spec.scans?.[0];
  const rows = draft ? Math.round(draft.table.rowsPerSlice * profile.slices * Math.min(1, draft.fraction)) : 0;
  const bytes = rows * (draft?.table.width ?? 100);
  const files = rng.int(4, 64);
  const allowsErrors = /\bMAXERROR\b/i.test(spec.text);
  const errors = allowsErrors && status === 'success' && rng.chance(0.35) ? rng.int(1, 3) : 0;
  const source = quoted(spec.text, /\bFROM/);
  const row = (final: boolean) =>
    orderedValues('sys_load_history', {
      user_id: spec.user.userid,
      query_id: statement.query ?? 0,
      transaction_id: statement.xid,
      session_id: placed.pid,
      database_name: spec.database ?? profile.databases[0] ?? 'dev',
      status: final ? (status === 'success' ? 'completed' : 'aborted') : 'running',
      table_name: /^\s*COPY\s+([\w.]+)/i.exec(spec.text)?.[1] ?? '',
      start_time: formatMicros(placed.startUs),
      end_time: final ? formatMicros(placed.endUs) : PLACEHOLDER_TIME,
      duration: final ? placed.endUs - placed.startUs : 0,
      data_source: source,
      file_format: /FORMAT\s+AS\s+JSON/i.test(spec.text) ? 'json' : 'txt',
      loaded_rows: final && status === 'success' ? rows - errors : 0,
      loaded_bytes: final && status === 'success' ? bytes : 0,
      source_file_count: files,
      source_file_bytes: Math.round(bytes / 6),
      file_count_scanned: final ? files : 0,
      file_bytes_scanned: final ? Math.round(bytes / 6) : 0,
      error_count: final ? errors : 0,
      copy_job_id: 0,
    });
  if (times.visibleAtStartUs < times.finalVisibleUs) sink.add('sys_load_history', row(false), times.finalUs, times.visibleAtStartUs);
  sink.add('sys_load_history', row(true), times.finalUs, times.finalVisibleUs);
  for (let index = 0; index < errors; index += 1) {
    const error = rng.pick(LOAD_ERRORS);
    const detail = {
      user_id: spec.user.userid,
      query_id: statement.query ?? 0,
      transaction_id: statement.xid,
      session_id: placed.pid,
      database_name: spec.database ?? profile.databases[0] ?? 'dev',
      table_id: draft?.table.id ?? 0,
      start_time: formatMicros(placed.startUs),
      file_name: `${source}part-${String(rng.int(0, files - 1)).padStart(4, '0')}.gz`,
      line_number: rng.int(2, 90_000),
      column_name: error.column,
      column_type: error.type,
      column_length: error.type === 'varchar' ? '512' : '',
      position: rng.int(0, 30),
      error_code: error.code,
      error_message: error.message,
    };
    sink.add('sys_load_error_detail', orderedValues('sys_load_error_detail', detail), times.finalUs, times.finalVisibleUs);
  }
}

export function emitUnload(
  profile: WorkloadProfile,
  statement: NumberedStatement,
  times: StatementTimes,
  status: FinalStatus,
  sink: RowSink,
): void {
  const { placed } = statement;
  const spec = placed.spec;
  const rng = SeededRandom.of('sys-unload', statement.query ?? 0, statement.xid);
  const draft = spec.scans?.[0];
  const rows = draft ? Math.round(draft.table.rowsPerSlice * profile.slices * Math.min(1, draft.fraction) * draft.selectivity) : 0;
  const parquet = /FORMAT\s+(AS\s+)?PARQUET/i.test(spec.text);
  const row = (final: boolean) =>
    orderedValues('sys_unload_history', {
      user_id: spec.user.userid,
      query_id: statement.query ?? 0,
      transaction_id: statement.xid,
      session_id: placed.pid,
      database_name: spec.database ?? profile.databases[0] ?? 'dev',
      status: final ? (status === 'success' ? 'completed' : 'aborted') : 'running',
      start_time: formatMicros(placed.startUs),
      end_time: final ? formatMicros(placed.endUs) : PLACEHOLDER_TIME,
      duration: final ? placed.endUs - placed.startUs : 0,
      file_format: parquet ? 'parquet' : 'text',
      compression_type: parquet ? 'snappy' : /\bGZIP\b/i.test(spec.text) ? 'gzip' : 'none',
      unloaded_location: quoted(spec.text, /\bTO/),
      unloaded_rows: final && status === 'success' ? rows : 0,
      unloaded_files_count: final && status === 'success' ? Math.max(1, profile.slices * rng.int(1, 3)) : 0,
      unloaded_files_size: final && status === 'success' ? rows * (draft?.table.width ?? 64) : 0,
      error_message: final && status !== 'success' ? 'UNLOAD was cancelled' : '',
    });
  if (times.visibleAtStartUs < times.finalVisibleUs) sink.add('sys_unload_history', row(false), times.finalUs, times.visibleAtStartUs);
  sink.add('sys_unload_history', row(true), times.finalUs, times.finalVisibleUs);
}
