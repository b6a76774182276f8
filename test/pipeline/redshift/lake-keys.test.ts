import { describe, expect, it } from 'vitest';
import { slotObject } from '../../../pipeline/redshift/lake-keys.js';
import type { ExportTableName } from '../../../pipeline/tables/registry.js';

describe('slotObject', () => {
  it('names the object after table, cluster and slot start, in the day partition of the slot', () => {
    expect(slotObject('stl_scan', 'analytics', new Date('2026-11-20T23:00:00Z')).key).toBe(
      'redshift/stl_scan/cluster=analytics/day=2026-11-20/stl_scan__analytics__20261120T2300.parquet',
    );
  });

  it('carries the table and partition it wrote to, so nothing has to read them back from the key', () => {
    expect(slotObject('query_text', 'etl', new Date('2026-11-21T00:30:00Z'))).toEqual({
      table: 'query_text',
      partition: { cluster: 'etl', day: '2026-11-21' },
      key: 'redshift/query_text/cluster=etl/day=2026-11-21/query_text__etl__20261121T0030.parquet',
    });
  });

  it.each(['../../etc', 'a; drop table x', 'A', 'x'.repeat(64), 'a/b', ''])('refuses the cluster name %j', (cluster) => {
    expect(() => slotObject('stl_query', cluster, new Date())).toThrow(/invalid cluster name/);
  });

  it('refuses a table that is not in the registry', () => {
    expect(() => slotObject('stl_foo' as ExportTableName, 'analytics', new Date())).toThrow(/not in the schema registry/);
  });
});
