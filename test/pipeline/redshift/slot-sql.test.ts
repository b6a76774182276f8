import { describe, expect, it } from 'vitest';
import { renderOldestCursor, renderQueryTextChunks, renderSlotSelect, slotStatement } from '../../../pipeline/redshift/slot-sql.js';
import { STL_VIEWS, STL_VIEW_NAMES } from '../../../pipeline/tables/stl-views.js';

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
        'WHERE EXISTS (SELECT 1 FROM stl_query q WHERE q."query" = v."query" AND q."xid" = v."xid" AND q."endtime" >= CAST(:slot_start AS timestamp) AND q."endtime" < CAST(:slot_end AS timestamp))',
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
