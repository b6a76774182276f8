import { describe, expect, it } from 'vitest';
import { lakeTables } from '../../../pipeline/tables/registry.js';

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

  it('keeps one CloudTrail row per eventID, the first by time and file', () => {
    const events = lakeTables().find((table) => table.name === 'cloudtrail_events');
    expect(events?.identity).toEqual({ time: 'eventtime', key: ['eventid'], keepFirst: ['eventtime', 'source_key'] });
  });
});
