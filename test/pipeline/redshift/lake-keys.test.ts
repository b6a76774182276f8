import { describe, expect, it } from 'vitest';
import { slotObjectKey } from '../../../pipeline/redshift/lake-keys.js';
import type { ExportTableName } from '../../../pipeline/tables/registry.js';

describe('slotObjectKey', () => {
  it('names the object after table, cluster and slot start, in the day partition of the slot', () => {
    expect(slotObjectKey('stl_scan', 'analytics', new Date('2026-11-20T23:00:00Z'))).toBe(
      'redshift/stl_scan/cluster=analytics/day=2026-11-20/stl_scan__analytics__20261120T2300.parquet',
    );
  });

  it.each(['../../etc', 'a; drop table x', 'A', 'x'.repeat(64), 'a/b', ''])('refuses the cluster name %j', (cluster) => {
    expect(() => slotObjectKey('stl_query', cluster, new Date())).toThrow(/invalid cluster name/);
  });

  it('refuses a table that is not in the registry', () => {
    expect(() => slotObjectKey('stl_foo' as ExportTableName, 'analytics', new Date())).toThrow(/not in the schema registry/);
  });
});
