import { describe, expect, it } from 'vitest';
import {
  renderDialectProbe,
  renderHoldBack,
  renderOldestCursor,
  renderQueryTextChunks,
  renderSlotSelect,
  renderSysQueryTextChunks,
  slotStatement,
} from '../../../pipeline/redshift/slot-sql.js';
import { STL_VIEWS, STL_VIEW_NAMES } from '../../../pipeline/tables/stl-views.js';
import { SYS_VIEWS, SYS_VIEW_NAMES } from '../../../pipeline/tables/sys-views.js';

describe('renderSlotSelect', () => {
  it('selects stl_query rows of one slot by their own completion time, padding trimmed', () => {
    expect(renderSlotSelect('stl_query')).toBe(
      [
        'SELECT',
        '  v."userid",',
        '  v."query",',
        '  rtrim(v."label") AS "label",',
        '  v."xid",',
        '  v."pid",',
        '  rtrim(v."database") AS "database",',
        '  rtrim(v."querytxt") AS "querytxt",',
        '  v."starttime",',
        '  v."endtime",',
        '  v."aborted",',
        '  v."insert_pristine",',
        '  v."concurrency_scaling_status"',
        'FROM stl_query v',
        'WHERE v."endtime" >= CAST(:slot_start AS timestamp) AND v."endtime" < CAST(:slot_end AS timestamp)',
        'ORDER BY v."query", v."xid"',
      ].join('\n'),
    );
  });

  it('borrows stl_query.endtime for views without a completion time, through a semi-join', () => {
    expect(renderSlotSelect('stl_querytext')).toBe(
      [
        'SELECT',
        '  v."userid",',
        '  v."xid",',
        '  v."pid",',
        '  v."query",',
        '  v."sequence",',
        '  v."text"',
        'FROM stl_querytext v',
        'WHERE EXISTS (SELECT 1 FROM stl_query q WHERE q."query" = v."query" AND q."xid" = v."xid" ' +
          'AND q."endtime" >= CAST(:slot_start AS timestamp) AND q."endtime" < CAST(:slot_end AS timestamp))',
        'ORDER BY v."query", v."xid", v."sequence"',
      ].join('\n'),
    );
    expect(renderSlotSelect('stl_explain')).toContain(
      'WHERE EXISTS (SELECT 1 FROM stl_query q WHERE q."query" = v."query" AND q."endtime" >=',
    );
  });

  it.each(STL_VIEW_NAMES)('renders %s with every registry column, its cursor and bound parameters only', (name) => {
    const sql = renderSlotSelect(name);
    for (const column of STL_VIEWS[name].columns) expect(sql).toContain(`"${column.name}"`);
    const cursor = STL_VIEWS[name].cursor;
    expect(sql).toContain(
      cursor.kind === 'own' ? `v."${cursor.column}" >= CAST(:slot_start AS timestamp)` : 'q."endtime" >= CAST(:slot_start AS timestamp)',
    );
    expect(sql).not.toMatch(/\d{4}-\d\d-\d\d/);
    expect(sql).toMatch(/ORDER BY /);
  });

  it('exports the spill, connection, user, load-error and rule views of provisioned clusters like the others', () => {
    // Metrics and load errors are written while their query runs: they take its completion time.
    for (const name of ['stl_query_metrics', 'stl_load_errors'] as const) {
      expect(renderSlotSelect(name)).toContain(
        'WHERE EXISTS (SELECT 1 FROM stl_query q WHERE q."query" = v."query" AND q."endtime" >= CAST(:slot_start AS timestamp)',
      );
    }
    expect(renderSlotSelect('stl_connection_log')).toContain(
      'WHERE v."recordtime" >= CAST(:slot_start AS timestamp) AND v."recordtime" < CAST(:slot_end AS timestamp)\n' +
        'ORDER BY v."recordtime", v."pid", v."event", v."remotehost", v."remoteport"',
    );
    expect(renderSlotSelect('stl_connection_log')).toContain('rtrim(v."remotehost") AS "remotehost"');
    expect(renderSlotSelect('stl_userlog')).toContain('ORDER BY v."xid", v."userid", v."action", v."recordtime"');
    expect(renderSlotSelect('stl_wlm_rule_action')).toContain('WHERE v."recordtime" >= CAST(:slot_start AS timestamp)');
    expect(renderOldestCursor('stl_load_errors')).toBe('SELECT min("endtime") AS oldest FROM stl_query');
    expect(renderOldestCursor('stl_userlog')).toBe('SELECT min("recordtime") AS oldest FROM stl_userlog');
  });

  it('keeps the padding of text chunks, which stitching needs', () => {
    expect(renderSlotSelect('stl_ddltext')).toContain('  v."text"\n');
    expect(renderSlotSelect('stl_ddltext')).toContain('rtrim(v."label") AS "label"');
  });
});

describe('slotStatement', () => {
  it('passes slot bounds as parameters, never in the text', () => {
    const statement = slotStatement(renderSlotSelect('stl_scan'), '2026-11-20 10:00:00', '2026-11-20 11:00:00');
    expect(statement.parameters).toEqual({ slot_start: '2026-11-20 10:00:00', slot_end: '2026-11-20 11:00:00' });
    expect(statement.text).not.toContain('2026');
  });
});

describe('renderOldestCursor and renderQueryTextChunks', () => {
  it('finds the oldest retained row by the cursor', () => {
    expect(renderOldestCursor('stl_wlm_query')).toBe('SELECT min("service_class_end_time") AS oldest FROM stl_wlm_query');
    expect(renderOldestCursor('stl_explain')).toBe('SELECT min("endtime") AS oldest FROM stl_query');
  });

  it('orders chunks by statement then sequence', () => {
    expect(renderQueryTextChunks('query')).toContain('ORDER BY t."query", t."xid", t."sequence"');
    expect(renderQueryTextChunks('utility')).toContain('FROM stl_utilitytext v');
    expect(renderQueryTextChunks('ddl')).toContain('ORDER BY v."xid", v."pid", v."starttime", v."sequence"');
  });
});

describe('SYS views', () => {
  const terminal = `q."status" IN ('success', 'failed', 'canceled')`;

  it('exports sys_query_history rows of one slot only once they are final, by end_time', () => {
    const sql = renderSlotSelect('sys_query_history');
    expect(sql).toContain('FROM sys_query_history v');
    expect(sql).toContain(
      'WHERE v."end_time" >= CAST(:slot_start AS timestamp) AND v."end_time" < CAST(:slot_end AS timestamp) ' +
        `AND v."status" IN ('success', 'failed', 'canceled')`,
    );
    expect(sql).toContain('rtrim(v."query_text") AS "query_text"');
    expect(sql).toContain('  v."result_cache_hit",');
  });

  it('borrows the end_time of final sys_query_history rows for the statement views without one', () => {
    expect(renderSlotSelect('sys_query_text')).toContain(
      'WHERE EXISTS (SELECT 1 FROM sys_query_history q WHERE q."query_id" = v."query_id" AND q."transaction_id" = v."transaction_id" ' +
        `AND ${terminal} AND q."end_time" >= CAST(:slot_start AS timestamp) AND q."end_time" < CAST(:slot_end AS timestamp))`,
    );
    expect(renderSlotSelect('sys_query_text')).toContain('  v."text"\n');
    for (const view of ['sys_query_detail', 'sys_query_explain', 'sys_load_error_detail'] as const) {
      expect(renderSlotSelect(view)).toContain(`FROM sys_query_history q WHERE q."query_id" = v."query_id"`);
      expect(renderSlotSelect(view)).toContain(terminal);
    }
  });

  it('filters loads and unloads on their own final statuses, and event views on nothing', () => {
    expect(renderSlotSelect('sys_load_history')).toContain(`AND v."status" IN ('completed', 'aborted')\n`);
    expect(renderSlotSelect('sys_unload_history')).toContain(`AND v."status" IN ('completed', 'aborted', 'unknown')\n`);
    expect(renderSlotSelect('sys_connection_log')).toContain(
      'WHERE v."record_time" >= CAST(:slot_start AS timestamp) AND v."record_time" < CAST(:slot_end AS timestamp)\nORDER BY',
    );
    expect(renderSlotSelect('sys_serverless_usage')).not.toContain('status');
  });

  it('finds the oldest final row, never the placeholder end time of a running statement', () => {
    expect(renderOldestCursor('sys_query_history')).toBe(
      `SELECT min("end_time") AS oldest FROM sys_query_history WHERE sys_query_history."status" IN ('success', 'failed', 'canceled')`,
    );
    expect(renderOldestCursor('sys_query_explain')).toBe(renderOldestCursor('sys_query_history'));
    expect(renderOldestCursor('sys_userlog')).toBe('SELECT min("record_time") AS oldest FROM sys_userlog');
  });

  it('reads what holds slots back from open SYS statements, and nothing in STL', () => {
    expect(renderHoldBack('sys')).toBe(
      [
        'SELECT min(CASE WHEN q."end_time" >= q."start_time" THEN q."end_time" END) AS "finished_end", min(q."start_time") AS "open_start"',
        'FROM sys_query_history q',
        `WHERE NOT (${terminal}) AND q."start_time" >= CAST(:stale_before AS timestamp)`,
      ].join('\n'),
    );
    expect(renderHoldBack('stl')).toBeNull();
  });

  it('reads sys_query_text chunks under the STL chunk names, final statements only, ordered for stitching', () => {
    const sql = renderSysQueryTextChunks();
    expect(sql).toContain('t."transaction_id" AS "xid", t."session_id" AS "pid", t."user_id" AS "userid"');
    expect(sql).toContain('JOIN sys_query_history q ON q."query_id" = t."query_id" AND q."transaction_id" = t."transaction_id"');
    expect(sql).toContain(`WHERE ${terminal} AND q."end_time" >= CAST(:slot_start AS timestamp)`);
    expect(sql).toMatch(/ORDER BY t\."query_id", t\."transaction_id", t\."sequence"$/);
  });

  it('probes a dialect with one row of its statement view', () => {
    expect(renderDialectProbe('stl')).toBe('SELECT 1 AS "readable" FROM stl_query LIMIT 1');
    expect(renderDialectProbe('sys')).toBe('SELECT 1 AS "readable" FROM sys_query_history LIMIT 1');
  });

  it.each(SYS_VIEW_NAMES)('renders %s with every registry column and bound parameters only', (name) => {
    const sql = renderSlotSelect(name);
    for (const column of SYS_VIEWS[name].columns) expect(sql).toContain(`"${column.name}"`);
    expect(sql).not.toMatch(/\d{4}-\d\d-\d\d/);
    expect(sql).toMatch(/ORDER BY v\."/);
  });
});
