import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../pipeline/errors.js';
import { learnColumns, mergeColumns } from '../../../pipeline/redshift/custom-schema.js';
import type { CustomExport } from '../../../pipeline/tables/custom-tables.js';

const custom: CustomExport = { name: 'slow', sql: 'SELECT ...', timeColumn: 'end_time' };
const meta = [
  { name: 'query_id', typeName: 'int8' },
  { name: 'end_time', typeName: 'timestamp' },
  { name: 'label', typeName: 'bpchar' },
];

describe('learnColumns', () => {
  it('maps result types to lake types and keeps the database type for messages', () => {
    expect(learnColumns('prod', custom, meta)).toEqual([
      { name: 'query_id', type: 'BIGINT', sourceType: 'int8' },
      { name: 'end_time', type: 'TIMESTAMP', sourceType: 'timestamp' },
      { name: 'label', type: 'VARCHAR', sourceType: 'bpchar' },
    ]);
  });

  it.each([
    { what: 'a type with no exact lake form', columns: [...meta, { name: 'day', typeName: 'date' }], message: /day as date.*cast it/ },
    { what: 'an unnamed column', columns: [...meta, { name: '?column?', typeName: 'int4' }], message: /"\?column\?"/ },
    { what: 'a column named exported_at', columns: [...meta, { name: 'exported_at', typeName: 'timestamp' }], message: /exported_at/ },
    { what: 'two columns of one name', columns: [...meta, { name: 'label', typeName: 'text' }], message: /two columns named label/ },
    { what: 'a time column that is not a timestamp', columns: [{ name: 'end_time', typeName: 'int8' }], message: /end_time is int8/ },
    { what: 'a missing time column', columns: [{ name: 'query_id', typeName: 'int8' }], message: /end_time is not a column/ },
  ])('refuses $what with a ConfigError naming the export', ({ columns, message }) => {
    expect(() => learnColumns('prod', custom, columns)).toThrow(ConfigError);
    expect(() => learnColumns('prod', custom, columns)).toThrow(message);
  });
});

describe('mergeColumns', () => {
  const recorded = learnColumns('prod', custom, meta);

  it('creates, keeps, and appends new columns after the recorded ones whatever their order now', () => {
    expect(mergeColumns('prod', custom, null, recorded)).toEqual({ columns: recorded, change: 'created' });
    expect(mergeColumns('prod', custom, recorded, [...recorded].reverse())).toEqual({ columns: recorded, change: 'unchanged' });
    const added = { name: 'rows', type: 'BIGINT' as const, sourceType: 'int8' };
    expect(mergeColumns('prod', custom, recorded, [added, ...recorded])).toEqual({ columns: [...recorded, added], change: 'added' });
  });

  it('refuses a changed type and a dropped column, naming the column, both types and what to do', () => {
    const changed = recorded.map((column) =>
      column.name === 'query_id' ? { ...column, type: 'INTEGER' as const, sourceType: 'int4' } : column,
    );
    expect(() => mergeColumns('prod', custom, recorded, changed)).toThrow(
      'prod.exports.slow.sql: returns query_id as INTEGER (int4), but custom_slow holds it as BIGINT (int8); cast it back in the SELECT',
    );
    expect(() => mergeColumns('prod', custom, recorded, recorded.slice(0, 2))).toThrow(/no longer returns label.*CAST\(NULL AS bpchar\)/);
  });
});
