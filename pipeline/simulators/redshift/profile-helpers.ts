import type { SeededRandom } from '../seeded-random.js';
import type { Arrival, MinuteContext, ScanDraft, SimTable, SimUser, StatementSpec, WlmQueue } from './workload-profile.js';

/** Building blocks shared by the profiles. */

/** The internal superuser: auto analyze, sampling, housekeeping. */
export const RDSDB: SimUser = { userid: 1, name: 'rdsdb' };

export const SUPERUSER_QUEUE: WlmQueue = { serviceClass: 5, name: 'Superuser queue' };
export const SHORT_QUERY_QUEUE: WlmQueue = { serviceClass: 14, name: 'Short query queue' };
export const MAINTENANCE_QUEUE: WlmQueue = { serviceClass: 15, name: 'Maintenance queue' };

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of the day `daysBack` days before `ms`. */
export function dayLiteral(ms: number, daysBack = 0): string {
  return new Date(ms - daysBack * DAY_MS).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD HH:MM:SS` of `ms`. */
export function timestampLiteral(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** `YYYY/MM/DD/HH` of `ms`, as S3 prefixes of landing zones spell it. */
export function hourPath(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}`;
}

export function hex(rng: SeededRandom, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += '0123456789abcdef'[rng.int(0, 15)];
  return text;
}

/** `schema.table` for SQL text. */
export function qualified(table: SimTable, schema: string): string {
  return `${schema}.${table.name}`;
}

export function scan(table: SimTable, alias: string, options: Partial<Omit<ScanDraft, 'table' | 'alias'>> = {}): ScanDraft {
  return {
    table,
    alias,
    type: options.type ?? (table.external ? 29 : 2),
    fraction: options.fraction ?? 1,
    selectivity: options.selectivity ?? 1,
    ...(options.filter === undefined ? {} : { filter: options.filter }),
  };
}

/** `count` arrivals spread uniformly over the minute, each built by `build`. */
export function spread(context: MinuteContext, count: number, build: () => StatementSpec | StatementSpec[]): Arrival[] {
  const arrivals: Arrival[] = [];
  for (let i = 0; i < count; i++) {
    const offsetMs = context.rng.int(0, 59_999);
    const built = build();
    arrivals.push({ offsetMs, statements: Array.isArray(built) ? built : [built] });
  }
  return arrivals;
}

/** Weekday office hours (UTC) get the full rate, evenings a fraction, nights and weekends less. */
export function officeLoad(context: MinuteContext): number {
  const weekend = context.weekday === 0 || context.weekday === 6;
  const hour = context.hour;
  const daytime = hour >= 8 && hour < 18 ? 1 : hour >= 6 && hour < 21 ? 0.35 : 0.08;
  return weekend ? daytime * 0.25 : daytime;
}

/**
 * Housekeeping by rdsdb: sampling for auto analyze (a query) followed by the ANALYZE itself (a
 * utility statement), on tables that auto analyze covers.
 */
export function autoAnalyze(context: MinuteContext, table: SimTable, schema: string): Arrival {
  const name = qualified(table, schema);
  return {
    offsetMs: context.rng.int(0, 59_999),
    statements: [
      {
        kind: 'query',
        user: RDSDB,
        text: `padb_fetch_sample: select count(*) from ${name}`,
        label: 'maintenance',
        medianMs: 800,
        sigma: 0.6,
        queue: MAINTENANCE_QUEUE,
        scans: [scan(table, table.name, { fraction: 0.02 })],
        plan: { aggregate: '' },
        session: 'rdsdb-maintenance',
      },
      { kind: 'utility', user: RDSDB, text: `Analyze ${name}`, label: 'maintenance', medianMs: 1500, session: 'rdsdb-maintenance' },
    ],
  };
}

/** The admin looking at recent work from the superuser queue. */
export function adminMonitoring(context: MinuteContext, admin: SimUser): Arrival {
  const rng = context.rng;
  const since = timestampLiteral(context.minuteStartMs - rng.int(5, 240) * 60_000);
  const limit = rng.pick([20, 50, 100]);
  return {
    offsetMs: rng.int(0, 59_999),
    statements: [
      { kind: 'utility', user: admin, text: "SET query_group TO 'superuser'", medianMs: 2, session: `admin-${context.minuteStartMs}` },
      {
        kind: 'query',
        user: admin,
        text: `SELECT query, userid, trim(label) AS label, starttime, endtime, aborted, substring(querytxt, 1, 80) AS sql
FROM stl_query
WHERE starttime > '${since}'
ORDER BY starttime DESC
LIMIT ${limit}`,
        label: 'superuser',
        medianMs: 600,
        queue: SUPERUSER_QUEUE,
        session: `admin-${context.minuteStartMs}`,
      },
      {
        kind: 'utility',
        user: admin,
        text: 'RESET query_group',
        label: 'superuser',
        medianMs: 2,
        session: `admin-${context.minuteStartMs}`,
      },
    ],
  };
}
