import { quoteIdent, terminalCondition } from '../../redshift/slot-sql.js';
import { SYS_QUERY_TERMINAL } from '../../tables/sys-views.js';
import type { Queryable } from './cluster-state.js';
import { formatMicros, parseMicros } from './format-micros.js';
import { orderedValues, type RowSink } from './row-sink.js';
import { PENDING_SCHEMA } from './stl-schema-sql.js';
import { MINUTE_US, type PlacedStatement } from './workload-generator.js';

/**
 * `sys_serverless_usage` of a simulated workgroup: one row per minute, compute from the
 * statements running in it (base capacity 8 RPUs, more when many run at once). The charge of a
 * minute is booked when the transactions running in it end: until the last of them is over (and
 * visible), the minute shows `charged_seconds` 0, then it is rewritten with the charge.
 */

const BASE_RPU = 8;
/** Average storage of the workgroup, MB. */
const DATA_STORAGE_MB = 182_400;
/** A minute's row appears this long after the minute ends. */
const ROW_DELAY_US = 60_000_000;

interface Running {
  readonly startUs: number;
  readonly endUs: number;
  /** When the statement's final row is visible: the charge of its minutes is known from then on. */
  readonly settledUs: number;
}

export class UsageMeter {
  readonly #running: Running[] = [];

  private constructor(running: readonly Running[]) {
    this.#running.push(...running);
  }

  /**
   * A meter that knows the statements of earlier advances still running at `fromMinute`: their
   * final rows wait in the pending schema, with their run and the time they become visible.
   */
  static async resume(tx: Queryable, fromMinute: number): Promise<UsageMeter> {
    const result = await tx.query<{ start: string; end: string; visible: string }>(
      `SELECT q."start_time"::text AS start, q."end_time"::text AS end, q."visible_at"::text AS visible
       FROM ${quoteIdent(PENDING_SCHEMA)}."sys_query_history" q
       WHERE ${terminalCondition(SYS_QUERY_TERMINAL, 'q')} AND q."end_time" > $1::timestamp`,
      [formatMicros(fromMinute * MINUTE_US)],
    );
    return new UsageMeter(
      result.rows.map((row) => ({ startUs: parseMicros(row.start), endUs: parseMicros(row.end), settledUs: parseMicros(row.visible) })),
    );
  }

  add(placed: PlacedStatement): void {
    const settledUs = placed.endUs + (placed.returnUs ?? 0) + placed.visibilityDelayUs;
    this.#running.push({ startUs: placed.startUs, endUs: placed.endUs, settledUs });
  }

  /** The rows of minutes [from, to): every statement that runs in them is known once they are generated. */
  emit(fromMinute: number, toMinute: number, sink: RowSink): void {
    const minutes = toMinute - fromMinute;
    if (minutes <= 0) return;
    const busy = new Float64Array(minutes);
    const settled = new Float64Array(minutes);
    for (const run of this.#running) {
      const first = Math.max(fromMinute, Math.floor(run.startUs / MINUTE_US));
      const last = Math.min(toMinute - 1, Math.floor((run.endUs - 1) / MINUTE_US));
      for (let minute = first; minute <= last; minute += 1) {
        const overlap = Math.min(run.endUs, (minute + 1) * MINUTE_US) - Math.max(run.startUs, minute * MINUTE_US);
        if (overlap <= 0) continue;
        busy[minute - fromMinute] = (busy[minute - fromMinute] ?? 0) + overlap / 1_000_000;
        settled[minute - fromMinute] = Math.max(settled[minute - fromMinute] ?? 0, run.settledUs);
      }
    }
    for (let index = 0; index < minutes; index += 1) {
      const startUs = (fromMinute + index) * MINUTE_US;
      const endUs = startUs + MINUTE_US;
      const seconds = busy[index] ?? 0;
      // Statements running side by side share the base capacity; beyond four at once it scales up.
      const capacity = seconds > 0 ? BASE_RPU * Math.max(1, Math.ceil(seconds / 60 / 4)) : 0;
      const computeSeconds = Math.round(Math.min(60, seconds) * capacity * 10) / 10;
      const charged = Math.ceil(computeSeconds);
      const row = (charge: number) =>
        orderedValues('sys_serverless_usage', {
          start_time: formatMicros(startUs),
          end_time: formatMicros(endUs),
          compute_seconds: computeSeconds,
          compute_capacity: capacity,
          data_storage: DATA_STORAGE_MB + ((fromMinute + index) % 97),
          cross_region_transferred_data: 0,
          charged_seconds: charge,
        });
      const shownAt = endUs + ROW_DELAY_US;
      // The charge appears with the final row of the last statement that ran in the minute.
      const settledAt = Math.max(settled[index] ?? 0, endUs);
      if (settledAt <= shownAt) {
        sink.add('sys_serverless_usage', row(charged), endUs, shownAt);
      } else {
        sink.add('sys_serverless_usage', row(0), endUs, shownAt);
        sink.add('sys_serverless_usage', row(charged), endUs, settledAt);
      }
    }
  }
}
