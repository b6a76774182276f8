import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedCluster } from '../../../../pipeline/simulators/redshift/index.js';
import { postgresTypeOf } from '../../../../pipeline/simulators/redshift/stl-schema-sql.js';
import { STL_VIEWS, STL_VIEW_NAMES } from '../../../../pipeline/tables/stl-views.js';
import {
  cluster,
  decode,
  EVENING,
  escapedStatements,
  firstRow,
  firstWord,
  MORNING,
  opened,
  rows,
  stitchEscaped,
} from './simulated-cluster-support.js';

let analytics: SimulatedCluster;
let etl: SimulatedCluster;

beforeAll(async () => {
  analytics = await cluster({ name: 'analytics', profile: 'analytics', seed: 7, start: EVENING, historyHours: 12 });
  etl = await cluster({ name: 'etl', profile: 'etl', seed: 7, start: MORNING, historyHours: 12 });
});

afterAll(async () => {
  for (const db of opened) await db.close();
});

describe('SimulatedCluster', () => {
  it('has one table per STL view with every registry column and its type', async () => {
    const columns = await rows<{
      table_name: string;
      column_name: string;
      data_type: string;
      character_maximum_length: number | null;
      ordinal_position: number;
    }>(
      analytics,
      `SELECT table_name, column_name, data_type, character_maximum_length, ordinal_position
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name LIKE 'stl\\_%' ORDER BY table_name, ordinal_position`,
    );
    for (const view of STL_VIEW_NAMES) {
      const actual = columns
        .filter((column) => column.table_name === view)
        .map((column) => {
          const type =
            column.character_maximum_length === null ? column.data_type : `${column.data_type}(${column.character_maximum_length})`;
          return `${column.column_name} ${type}`;
        });
      expect(actual).toEqual(STL_VIEWS[view].columns.map((column) => `${column.name} ${postgresTypeOf(column.type)}`));
    }
    expect(new Set(columns.map((column) => column.table_name))).toEqual(new Set(STL_VIEW_NAMES));
  });

  it('answers getdate() with its clock, as the exporter asks for it', async () => {
    const row = await firstRow<{ now: string }>(analytics, 'SELECT getdate()::text AS now');
    expect(row.now).toBe('2026-11-18 18:00:00');
    expect(await analytics.now()).toBe('2026-11-18 18:00:00');
  });

  it.each([
    ['analytics', () => analytics],
    ['etl', () => etl],
  ])('fills every STL view with the %s workload', async (_name, get) => {
    const counts = await get().rowCounts();
    for (const view of STL_VIEW_NAMES) expect(counts[view], view).toBeGreaterThan(0);
  });

  it('tells a story: users, queues, short and long, aborted queries, internal rdsdb work', async () => {
    for (const db of [analytics, etl]) {
      const users = await firstRow<{ internal: number; people: number }>(
        db,
        `SELECT count(*) FILTER (WHERE userid = 1)::int AS internal,
                count(DISTINCT userid) FILTER (WHERE userid > 1)::int AS people FROM stl_query`,
      );
      expect(users.internal).toBeGreaterThan(0);
      expect(users.people).toBeGreaterThanOrEqual(3);
      const queues = await rows<{ service_class: number; name: string }>(
        db,
        'SELECT DISTINCT service_class, rtrim(service_class_name) AS name FROM stl_wlm_query ORDER BY 1',
      );
      expect(queues.filter((queue) => queue.service_class >= 6 && queue.service_class <= 13).length).toBeGreaterThanOrEqual(3);
      for (const queue of queues) expect(queue.name).not.toBe('');
      const times = await firstRow<{ short: number; long: number; aborted: number }>(
        db,
        `SELECT count(*) FILTER (WHERE total_exec_time < 1000000)::int AS short,
                count(*) FILTER (WHERE total_exec_time > 60000000)::int AS long,
                (SELECT count(*)::int FROM stl_query WHERE aborted = 1) AS aborted FROM stl_wlm_query`,
      );
      expect(times).toMatchObject({ short: expect.any(Number), long: expect.any(Number) });
      expect(times.short).toBeGreaterThan(0);
      expect(times.long).toBeGreaterThan(0);
      expect(times.aborted).toBeGreaterThan(0);
    }
    const superuser = await firstRow<{ n: number }>(analytics, 'SELECT count(*)::int AS n FROM stl_wlm_query WHERE service_class = 5');
    expect(superuser.n).toBeGreaterThan(0);
  });

  it('keeps WLM times in microseconds consistent with its timestamps and with stl_query', async () => {
    for (const db of [analytics, etl]) {
      const check = await firstRow<{ total: number; bad: number }>(
        db,
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE
            w.total_queue_time <> (extract(epoch FROM w.queue_end_time - w.queue_start_time) * 1000000)::bigint
         OR w.total_exec_time <> (extract(epoch FROM w.exec_end_time - w.exec_start_time) * 1000000)::bigint
         OR w.queue_end_time <> w.exec_start_time OR w.service_class_end_time <> q.endtime OR w.queue_start_time <> q.starttime)::int AS bad
         FROM stl_wlm_query w JOIN stl_query q ON q.query = w.query AND q.xid = w.xid`,
      );
      expect(check.total).toBeGreaterThan(100);
      expect(check.bad).toBe(0);
    }
  });

  it('writes scan steps per slice inside their query, with consistent row counts', async () => {
    for (const db of [analytics, etl]) {
      const check = await firstRow<{ slices: number; bad_counts: number; outside: number; rr: number; not_rr: number; named: number }>(
        db,
        `SELECT count(DISTINCT s.slice)::int AS slices,
                count(*) FILTER (WHERE s.type = 2
                  AND NOT (s.rows <= s.rows_pre_user_filter AND s.rows_pre_user_filter <= s.rows_pre_filter))::int AS bad_counts,
                count(*) FILTER (WHERE s.starttime < q.starttime OR s.endtime > q.endtime OR s.starttime > s.endtime)::int AS outside,
                count(*) FILTER (WHERE s.is_rrscan = 't')::int AS rr, count(*) FILTER (WHERE s.is_rrscan = 'f')::int AS not_rr,
                count(*) FILTER (WHERE s.type = 2 AND rtrim(s.perm_table_name) <> '')::int AS named
         FROM stl_scan s JOIN stl_query q ON q.query = s.query`,
      );
      expect(check.slices).toBeGreaterThan(1);
      expect(check.bad_counts).toBe(0);
      expect(check.outside).toBe(0);
      expect(check.rr).toBeGreaterThan(0);
      expect(check.not_rr).toBeGreaterThan(0);
      expect(check.named).toBeGreaterThan(0);
    }
  });

  it('writes plans with nested loops and tables missing statistics, and the matching alerts', async () => {
    const plans = await firstRow<{ nested: number; missing: number; orphans: number }>(
      analytics,
      `SELECT count(*) FILTER (WHERE plannode LIKE 'XN Nested Loop%')::int AS nested,
              count(*) FILTER (WHERE plannode LIKE '----- Tables missing statistics:%')::int AS missing,
              count(*) FILTER (WHERE parentid <> 0
                AND NOT EXISTS (SELECT 1 FROM stl_explain p WHERE p.query = e.query AND p.nodeid = e.parentid))::int AS orphans
       FROM stl_explain e`,
    );
    expect(plans.nested).toBeGreaterThan(0);
    expect(plans.missing).toBeGreaterThan(0);
    expect(plans.orphans).toBe(0);
    const alerts = await rows<{ event: string; solution: string }>(
      analytics,
      'SELECT DISTINCT rtrim(event) AS event, rtrim(solution) AS solution FROM stl_alert_event_log',
    );
    expect(alerts).toEqual(
      expect.arrayContaining([
        { event: 'Missing query planner statistics', solution: 'Run the ANALYZE command' },
        { event: 'Nested Loop Join in the query plan', solution: 'Review the join predicates to avoid Cartesian products' },
      ]),
    );
  });

  it('logs DDL and utility statements, some in several pieces', async () => {
    const verbs = async (view: string): Promise<string[]> => {
      const found = [
        ...(await rows<{ t: string }>(analytics, `SELECT rtrim(text) AS t FROM ${view} WHERE sequence = 0`)),
        ...(await rows<{ t: string }>(etl, `SELECT rtrim(text) AS t FROM ${view} WHERE sequence = 0`)),
      ];
      // dbt opens its statements with a comment.
      return found.map((row) => firstWord(decode(row.t).replace(/^\/\*[\s\S]*?\*\/\s*/, '')).toUpperCase());
    };
    expect(new Set(await verbs('stl_ddltext'))).toEqual(new Set(['CREATE', 'ALTER', 'DROP']));
    const utility = await verbs('stl_utilitytext');
    for (const verb of ['GRANT', 'SET', 'TRUNCATE', 'ANALYZE', 'COMMIT', 'BEGIN']) expect(utility).toContain(verb);
    const multi = await firstRow<{ n: number }>(etl, 'SELECT count(*)::int AS n FROM stl_ddltext WHERE sequence > 0');
    expect(multi.n).toBeGreaterThan(0);
  });

  it('stores text in well-formed 200-character pieces: escapes, padding, real trailing spaces', async () => {
    let longStatements = 0;
    let spaceEndedPieces = 0;
    let backslashes = 0;
    const malformed: string[] = [];
    for (const db of [analytics, etl]) {
      for (const view of ['stl_querytext', 'stl_ddltext', 'stl_utilitytext'] as const) {
        for (const { pieces, sequences } of (await escapedStatements(db, view)).values()) {
          if (sequences.some((sequence, index) => sequence !== index)) malformed.push(`${view}: sequences ${sequences.join(',')}`);
          for (const piece of pieces) if (piece.length !== 200 || /[\n\r]/.test(piece)) malformed.push(`${view}: ${JSON.stringify(piece)}`);
          spaceEndedPieces += pieces.slice(0, -1).filter((piece) => piece.endsWith(' ')).length;
          const escaped = stitchEscaped(pieces);
          // Every backslash is part of an escape: decoding and encoding again changes nothing.
          if (decode(escaped).replace(/\\/g, '\\\\').replace(/\n/g, '\\n') !== escaped) malformed.push(`${view}: escapes in ${escaped}`);
          if (decode(escaped).includes('\\')) backslashes++;
          if (escaped.length > 4000) longStatements++;
        }
      }
      const mismatched = await rows<{ query: number }>(
        db,
        `SELECT q.query FROM stl_query q
         WHERE rtrim(q.querytxt) <> (
           SELECT rtrim(left(string_agg(t.text::text || repeat(' ', 200 - length(t.text)), '' ORDER BY t.sequence), 4000))
           FROM stl_querytext t WHERE t.query = q.query AND t.xid = q.xid)`,
      );
      expect(mismatched).toEqual([]);
    }
    expect(malformed).toEqual([]);
    expect(longStatements).toBeGreaterThan(0);
    expect(spaceEndedPieces).toBeGreaterThan(0);
    expect(backslashes).toBeGreaterThan(0);
    const long = await firstRow<{ n: number }>(etl, 'SELECT count(*)::int AS n FROM stl_query WHERE length(querytxt) = 4000');
    expect(long.n).toBeGreaterThan(0);
  });

  it('numbers queries and transactions uniquely', async () => {
    for (const db of [analytics, etl]) {
      const ids = await firstRow<{ queries: number; distinct_queries: number; xids: number; distinct_xids: number }>(
        db,
        `SELECT (SELECT count(*)::int FROM stl_query) AS queries, (SELECT count(DISTINCT query)::int FROM stl_query) AS distinct_queries,
                count(*)::int AS xids, count(DISTINCT xid)::int AS distinct_xids
         FROM (SELECT xid FROM stl_query UNION ALL SELECT DISTINCT xid FROM stl_ddltext
               UNION ALL SELECT DISTINCT xid FROM stl_utilitytext) x`,
      );
      expect(ids.distinct_queries).toBe(ids.queries);
      expect(ids.distinct_xids).toBe(ids.xids);
    }
  });

  describe('loadScanRows', () => {
    it('writes scan rows and their queries inside one slot, consistent with each other', async () => {
      const before = await etl.rowCounts();
      const slotStart = new Date('2026-11-18T04:00:00Z');
      const result = await etl.loadScanRows(5_000, slotStart, 60);
      expect(result.scanRows).toBe(5_000);
      const after = await etl.rowCounts();
      expect(after.stl_scan - before.stl_scan).toBe(5_000);
      expect(after.stl_query - before.stl_query).toBe(result.queries);
      expect(after.stl_querytext - before.stl_querytext).toBe(result.queries);
      const check = await firstRow<{ scans: number; outside_slot: number; outside_query: number; bad_counts: number; queries: number }>(
        etl,
        `SELECT count(*)::int AS scans,
                count(*) FILTER (WHERE q.starttime < '2026-11-18 04:00' OR q.endtime >= '2026-11-18 05:00')::int AS outside_slot,
                count(*) FILTER (WHERE s.starttime < q.starttime OR s.endtime > q.endtime)::int AS outside_query,
                count(*) FILTER (WHERE NOT (s.rows <= s.rows_pre_user_filter
                                            AND s.rows_pre_user_filter <= s.rows_pre_filter))::int AS bad_counts,
                count(DISTINCT q.query)::int AS queries
         FROM stl_scan s JOIN stl_query q ON q.query = s.query WHERE q.query BETWEEN $1 AND $2`,
        [result.firstQuery, result.lastQuery],
      );
      expect(check).toEqual({ scans: 5_000, outside_slot: 0, outside_query: 0, bad_counts: 0, queries: result.queries });
      const ids = await firstRow<{ n: number; d: number }>(
        etl,
        'SELECT count(*)::int AS n, count(DISTINCT query)::int AS d FROM stl_query',
      );
      expect(ids.d).toBe(ids.n);
    });

    it('refuses a slot that ends after the clock', async () => {
      await expect(etl.loadScanRows(10, new Date('2026-11-18T05:30:00Z'), 60)).rejects.toBeInstanceOf(RangeError);
    });
  });
});
