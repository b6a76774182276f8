import { describe, expect, it } from 'vitest';
import {
  escapePartitionValue,
  lakeObject,
  objectKey,
  partitionPrefix,
  partitionValues,
  tablePrefix,
} from '../../../pipeline/lake/lake-layout.js';
import { assertObjectKey } from '../../../pipeline/store/object-key.js';
import type { LakeTable } from '../../../pipeline/tables/lake-table.js';
import { EXPORT_TABLE_NAMES, lakeTable, lakeTables } from '../../../pipeline/tables/registry.js';

/** Values for every partition key of a table, each distinct, as a writer might pass them. */
function sampleValues(table: LakeTable): Record<string, string> {
  const samples: Record<string, string> = { cluster: 'analytics', account: '012345678901', region: 'eu-west-1', day: '2024-03-05' };
  return Object.fromEntries(table.partitionKeys.map((key) => [key.name, samples[key.name] ?? `value-of-${key.name}`]));
}

describe('lake layout', () => {
  it('lays out every table of the registry as DESIGN.md §2 says', () => {
    const keys = lakeTables().map((table) => objectKey(table, partitionValues(table, sampleValues(table)), 'f.parquet'));
    expect(keys).toEqual([
      ...EXPORT_TABLE_NAMES.map((name) => `redshift/${name}/cluster=analytics/day=2024-03-05/f.parquet`),
      'cloudtrail/events/account=012345678901/region=eu-west-1/day=2024-03-05/f.parquet',
      'cloudtrail/insights/account=012345678901/region=eu-west-1/day=2024-03-05/f.parquet',
      'cloudtrail/completeness/account=012345678901/region=eu-west-1/day=2024-03-05/f.parquet',
    ]);
    for (const key of keys) expect(() => assertObjectKey(key)).not.toThrow();
  });

  it.each(lakeTables().map((table) => [table.name, table] as const))(
    'puts the keys of %s under its partition prefix, under its table prefix',
    (_name, table) => {
      const partition = partitionValues(table, sampleValues(table));
      const prefix = partitionPrefix(table, partition);
      expect(prefix.startsWith(tablePrefix(table))).toBe(true);
      expect(prefix.endsWith('/')).toBe(true);
      expect(objectKey(table, partition, 'x.parquet')).toBe(`${prefix}x.parquet`);
      expect(lakeObject(table, partition, 'x.parquet')).toEqual({ table: table.name, partition, key: `${prefix}x.parquet` });
      // Folders follow the registry's partition keys, in order.
      const folders = prefix.slice(tablePrefix(table).length, -1).split('/');
      expect(folders.map((folder) => folder.split('=')[0])).toEqual(table.partitionKeys.map((key) => key.name));
    },
  );

  it('escapes raw values once, so that an odd value stays one distinct folder', () => {
    const table = lakeTable('cloudtrail_events');
    const partition = partitionValues(table, { account: 'redacted/../x y', region: '', day: '2024-03-05' });
    expect(partition).toEqual({ account: 'redacted%2F..%2Fx%20y', region: '__HIVE_DEFAULT_PARTITION__', day: '2024-03-05' });
    expect(partitionPrefix(table, partition)).toBe(
      'cloudtrail/events/account=redacted%2F..%2Fx%20y/region=__HIVE_DEFAULT_PARTITION__/day=2024-03-05/',
    );
    // Key values are used as they are: escaping again would change them.
    expect(partitionPrefix(table, { account: 'a%2Fb', region: 'r', day: 'd' })).toBe('cloudtrail/events/account=a%2Fb/region=r/day=d/');
  });

  it.each([['a/b'], ['..'], ['.'], [''], ['a b'], ['x%2'], ['x%zz'], ['ü']])(
    'refuses the unescaped partition value %j where a key is made',
    (value) => {
      const table = lakeTable('stl_query');
      expect(() => partitionPrefix(table, { cluster: value, day: '2024-03-05' })).toThrow(/invalid stl_query partition cluster/);
      expect(() => objectKey(table, { cluster: 'prod', day: value }, 'x.parquet')).toThrow(/invalid stl_query partition day/);
    },
  );

  it('refuses values with a partition key missing or one too many', () => {
    const table = lakeTable('cloudtrail_events');
    const missing = { account: '012345678901', day: '2024-03-05' } as unknown as Record<'account' | 'region' | 'day', string>;
    const extra = { account: '1', region: 'r', day: 'd', cluster: 'prod' } as Record<'account' | 'region' | 'day', string>;
    expect(() => partitionValues(table, missing)).toThrow(/expected values for exactly account, region, day; missing region/);
    expect(() => partitionPrefix(table, missing)).toThrow(/missing region/);
    expect(() => partitionValues(table, extra)).toThrow(/not a partition key: cluster/);
    expect(() => objectKey(table, extra, 'x.parquet')).toThrow(/not a partition key: cluster/);
  });

  it.each([['a/b.parquet'], ['.hidden'], ['..'], [''], ['x y.parquet']])('refuses the object name %j', (name) => {
    const table = lakeTable('stl_query');
    expect(() => objectKey(table, { cluster: 'prod', day: '2024-03-05' }, name)).toThrow(/invalid stl_query object name/);
  });
});

describe('escapePartitionValue', () => {
  it.each([
    ['012345678901', '012345678901'],
    ['0123456789012', '0123456789012'],
    ['us-east-1', 'us-east-1'],
    ['redacted', 'redacted'],
    ['a/b', 'a%2Fb'],
    ['x=y%', 'x%3Dy%25'],
    ['AWS Internal', 'AWS%20Internal'],
    ['Ünï', '%C3%9Cn%C3%AF'],
    ['..', '%2E%2E'],
    ['', '__HIVE_DEFAULT_PARTITION__'],
  ])('writes %j as %j', (value, expected) => {
    expect(escapePartitionValue(value)).toBe(expected);
    expect(() => assertObjectKey(`account=${expected}/x`)).not.toThrow();
    if (value !== '') expect(decodeURIComponent(expected)).toBe(value);
  });
});
