import { describe, expect, it } from 'vitest';
import { ANALYTICS_PROFILE } from '../../../../pipeline/simulators/redshift/analytics-profile.js';
import { scan } from '../../../../pipeline/simulators/redshift/profile-helpers.js';
import { formatMicros, parseMicros } from '../../../../pipeline/simulators/redshift/format-micros.js';
import type { RowSink, SqlCell } from '../../../../pipeline/simulators/redshift/row-sink.js';
import { emitStatementRows } from '../../../../pipeline/simulators/redshift/stl-rows.js';
import type { SimTable } from '../../../../pipeline/simulators/redshift/workload-profile.js';
import type { PlacedStatement } from '../../../../pipeline/simulators/redshift/workload-generator.js';
import type { StatementSpec } from '../../../../pipeline/simulators/redshift/workload-profile.js';
import { STL_VIEWS, type StlViewName } from '../../../../pipeline/tables/stl-views.js';

interface Collected {
  readonly row: Record<string, SqlCell>;
  readonly completionUs: number;
  readonly visibleUs: number;
}

function collect(): RowSink & { rows: (view: StlViewName) => Collected[] } {
  const byView = new Map<StlViewName, Collected[]>();
  return {
    add(view, values, completionUs, visibleUs) {
      const row: Record<string, SqlCell> = {};
      STL_VIEWS[view].columns.forEach((column, index) => {
        const value = values[index];
        if (value !== undefined) row[column.name] = value;
      });
      byView.set(view, [...(byView.get(view) ?? []), { row, completionUs, visibleUs }]);
    },
    rows: (view) => byView.get(view) ?? [],
  };
}

/** The first of a list, which the test expects to be there. */
function first<T>(items: readonly T[]): T {
  const [item] = items;
  if (item === undefined) throw new Error('expected at least one item');
  return item;
}

function table(name: string): SimTable {
  return first(ANALYTICS_PROFILE.tables.filter((candidate) => candidate.name === name));
}

const WEB_EVENTS = table('web_events');
const SESSIONS = table('sessions');
const START_US = Date.parse('2026-11-18T10:00:00Z') * 1000 + 123;

function placed(spec: Partial<StatementSpec>, overrides: Partial<PlacedStatement> = {}): PlacedStatement {
  const full: StatementSpec = {
    kind: 'query',
    user: { userid: 102, name: 'ana' },
    text: 'select 1',
    medianMs: 1000,
    queue: { serviceClass: 7, name: 'Ad hoc' },
    ...spec,
  };
  return {
    spec: full,
    startUs: START_US,
    queueUs: 2_000_000,
    execUs: 30_000_000,
    plannedExecUs: 30_000_000,
    endUs: START_US + 32_000_000,
    aborted: false,
    concurrencyScaling: false,
    pid: 1_073_900_001,
    visibilityDelayUs: 90_000_000,
    queryIdStep: 1,
    xidStep: 1,
    ...overrides,
  };
}

const nestedLoop: Partial<StatementSpec> = {
  text: 'select *\nfrom sessions s, web_events w\nwhere s.started_at > w.ts',
  scans: [scan(SESSIONS, 's'), scan(WEB_EVENTS, 'w', { selectivity: 0.5 })],
  plan: {
    joins: [{ kind: 'nested-loop', condition: 'Join Filter: ("outer".started_at > "inner".ts)', distribution: 'DS_BCAST_INNER' }],
    aggregate: '',
  },
};

describe('emitStatementRows', () => {
  it('writes consistent stl_query, stl_querytext and stl_wlm_query rows for a query', () => {
    const sink = collect();
    emitStatementRows(ANALYTICS_PROFILE, { placed: placed(nestedLoop), query: 5001, xid: 9001 }, sink);
    const query = first(sink.rows('stl_query'));
    expect(query.row).toMatchObject({
      query: 5001,
      xid: 9001,
      userid: 102,
      label: 'default',
      aborted: 0,
      querytxt: 'select *\\nfrom sessions s, web_events w\\nwhere s.started_at > w.ts',
    });
    expect(query.row.starttime).toBe(formatMicros(START_US));
    expect(query.completionUs).toBe(START_US + 32_000_000);
    expect(query.visibleUs).toBe(START_US + 32_000_000 + 90_000_000);
    const wlm = first(sink.rows('stl_wlm_query'));
    expect(wlm.row).toMatchObject({
      service_class: 7,
      service_class_name: 'Ad hoc',
      total_queue_time: 2_000_000,
      total_exec_time: 30_000_000,
    });
    expect(parseMicros(String(wlm.row.exec_start_time)) - parseMicros(String(wlm.row.queue_start_time))).toBe(2_000_000);
    expect(wlm.row.service_class_end_time).toBe(query.row.endtime);
    expect(sink.rows('stl_querytext').map((r) => r.row.text)).toEqual([query.row.querytxt]);
  });

  it('writes one scan row per slice and segment, within the query and with consistent counts', () => {
    const sink = collect();
    emitStatementRows(ANALYTICS_PROFILE, { placed: placed(nestedLoop), query: 5001, xid: 9001 }, sink);
    const scans = sink.rows('stl_scan');
    expect(scans).toHaveLength(2 * ANALYTICS_PROFILE.slices);
    for (const { row, completionUs } of scans) {
      expect(parseMicros(String(row.starttime))).toBeGreaterThanOrEqual(START_US + 2_000_000);
      expect(completionUs).toBe(parseMicros(String(row.endtime)));
      expect(completionUs).toBeLessThanOrEqual(START_US + 32_000_000);
      expect(Number(row.rows)).toBeLessThanOrEqual(Number(row.rows_pre_user_filter));
      expect(Number(row.rows_pre_user_filter)).toBeLessThanOrEqual(Number(row.rows_pre_filter));
      expect(row.bytes).toBe(Number(row.rows) * (row.segment === 0 ? SESSIONS.width : WEB_EVENTS.width));
    }
    expect(new Set(scans.map((r) => `${r.row.slice}/${r.row.segment}`)).size).toBe(scans.length);
  });

  it('writes a plan tree with a nested loop and the missing-statistics notes, and the matching alerts', () => {
    const sink = collect();
    emitStatementRows(ANALYTICS_PROFILE, { placed: placed(nestedLoop), query: 5001, xid: 9001 }, sink);
    const nodes = sink.rows('stl_explain').map((r) => r.row);
    const ids = new Set(nodes.map((node) => node.nodeid));
    for (const node of nodes) expect(node.parentid === 0 || ids.has(node.parentid)).toBe(true);
    expect(nodes[0]).toMatchObject({ nodeid: 1, parentid: 0 });
    expect(nodes.some((node) => String(node.plannode).startsWith('XN Nested Loop DS_BCAST_INNER'))).toBe(true);
    expect(nodes.map((node) => node.plannode)).toContain('----- Tables missing statistics: web_events -----');
    const events = sink.rows('stl_alert_event_log').map((r) => r.row);
    expect(events.map((event) => event.event)).toEqual(
      expect.arrayContaining(['Missing query planner statistics', 'Nested Loop Join in the query plan']),
    );
    for (const event of events) expect(event).toMatchObject({ query: 5001, xid: 9001, event_time: formatMicros(START_US) });
  });

  it('leaves no step rows for a query that ran on a concurrency-scaling cluster', () => {
    const sink = collect();
    emitStatementRows(ANALYTICS_PROFILE, { placed: placed(nestedLoop, { concurrencyScaling: true }), query: 5001, xid: 9001 }, sink);
    expect(first(sink.rows('stl_query')).row.concurrency_scaling_status).toBe(1);
    expect(sink.rows('stl_scan')).toHaveLength(0);
    expect(sink.rows('stl_explain')).toHaveLength(0);
    expect(sink.rows('stl_alert_event_log')).toHaveLength(0);
  });

  it('cuts the scans of an aborted query at its end', () => {
    const sink = collect();
    const aborted = placed(nestedLoop, { aborted: true, execUs: 3_000_000, endUs: START_US + 5_000_000 });
    emitStatementRows(ANALYTICS_PROFILE, { placed: aborted, query: 5001, xid: 9001 }, sink);
    expect(first(sink.rows('stl_query')).row.aborted).toBe(1);
    for (const { completionUs } of sink.rows('stl_scan')) expect(completionUs).toBeLessThanOrEqual(START_US + 5_000_000);
  });

  it('writes DDL and utility statements in pieces, without a query id or WLM row', () => {
    const sink = collect();
    const text = `CREATE VIEW v AS\nSELECT ${'x, '.repeat(120)}y FROM t`;
    emitStatementRows(
      ANALYTICS_PROFILE,
      {
        placed: placed({ kind: 'ddl', text, queue: undefined }, { queueUs: 0, endUs: START_US + 30_000_000 }),
        query: undefined,
        xid: 9002,
      },
      sink,
    );
    const pieces = sink.rows('stl_ddltext');
    expect(pieces.map((p) => p.row.sequence)).toEqual([0, 1]);
    expect(pieces.map((p) => p.row.text).join('')).toBe(text.replace('\n', '\\n'));
    expect(first(pieces).row).toMatchObject({ xid: 9002, label: '' });
    expect(sink.rows('stl_query')).toHaveLength(0);
    expect(sink.rows('stl_wlm_query')).toHaveLength(0);
  });
});
