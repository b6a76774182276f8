import { describe, expect, it } from 'vitest';
import { dialectViews, lakeTable, lakeTables, sourceView, STL_VIEW_NAMES } from '../../../pipeline/tables/registry.js';

describe('the schema registry', () => {
  it('gives every table a row identity whose columns exist, a time of type TIMESTAMP where there is one', () => {
    for (const table of lakeTables()) {
      const types = new Map(table.columns.map((column) => [column.name, column.type]));
      const identity = table.identity;
      expect(identity, table.name).toBeDefined();
      if (identity === undefined) continue;
      expect(identity.key.length, table.name).toBeGreaterThan(0);
      for (const column of [...identity.key, ...identity.keepFirst]) expect(types.has(column), `${table.name}.${column}`).toBe(true);
      if (identity.time !== undefined) expect(types.get(identity.time), `${table.name}.${identity.time}`).toBe('TIMESTAMP');
    }
  });

  it('declares the provisioned-only STL views with their documented columns, cursor and key', () => {
    expect(STL_VIEW_NAMES.slice(8)).toEqual([
      'stl_query_metrics',
      'stl_connection_log',
      'stl_userlog',
      'stl_load_errors',
      'stl_wlm_rule_action',
    ]);
    expect(dialectViews('stl', 'provisioned')).toEqual(STL_VIEW_NAMES);
    const metrics = sourceView('stl_query_metrics');
    expect(metrics.columns.map((column) => column.name)).toHaveLength(23);
    expect(metrics.columns.find((column) => column.name === 'blocks_to_disk')?.type).toBe('bigint');
    expect(metrics.cursor).toEqual({ kind: 'borrowed', from: 'stl_query', joinOn: ['query'] });
    expect(sourceView('stl_connection_log').columns).toHaveLength(20);
    expect(sourceView('stl_userlog').cursor).toEqual({ kind: 'own', column: 'recordtime' });
    expect(sourceView('stl_load_errors').columns.map((column) => column.name)).toContain('raw_field_value');
    expect(sourceView('stl_wlm_rule_action').key).toEqual(['query', 'service_class', 'rule', 'recordtime']);
    // Lake tables with the registry's types and the view's key as identity, timed by the cursor column.
    const rules = lakeTable('stl_wlm_rule_action');
    expect(rules.identity).toMatchObject({ time: 'recordtime', key: ['query', 'service_class', 'rule', 'recordtime'] });
    expect(lakeTable('stl_query_metrics').columns.find((column) => column.name === 'service_class_name')?.type).toBe('VARCHAR');
  });

  it('keeps one CloudTrail row per eventID, the first by time and file', () => {
    const events = lakeTables().find((table) => table.name === 'cloudtrail_events');
    expect(events?.identity).toEqual({ time: 'eventtime', key: ['eventid'], keepFirst: ['eventtime', 'source_key'] });
  });
});
