import { describe, expect, it } from 'vitest';
import { partitionOfKey, partitionsOfKeys } from '../../../pipeline/catalog/partition-of-key.js';
import { lakeTables } from '../../../pipeline/tables/registry.js';

describe('partitionOfKey', () => {
  it('finds the table and partition values of an object key written by the exporter or the ingester', () => {
    const redshift = partitionOfKey('redshift/stl_query/cluster=prod/day=2024-03-05/stl_query__prod__20240305T1000.parquet', lakeTables());
    expect(redshift?.table.name).toBe('stl_query');
    expect(redshift?.values).toEqual({ cluster: 'prod', day: '2024-03-05' });
    const trail = partitionOfKey('cloudtrail/events/account=012345678901/region=eu-west-1/day=2024-03-05/0a1b.parquet', lakeTables());
    expect(trail?.table.name).toBe('cloudtrail_events');
    expect(trail?.values).toEqual({ account: '012345678901', region: 'eu-west-1', day: '2024-03-05' });
  });

  it('ignores keys outside the tables or with folders that do not name the partition keys', () => {
    expect(partitionOfKey('_quarantine/cloudtrail/2024-03-05/x.json.gz', lakeTables())).toBeUndefined();
    expect(partitionOfKey('redshift/stl_query/day=2024-03-05/cluster=prod/x.parquet', lakeTables())).toBeUndefined();
    expect(partitionOfKey('redshift/stl_query/cluster=prod/x.parquet', lakeTables())).toBeUndefined();
    expect(partitionOfKey('redshift/stl_query/cluster=/day=2024-03-05/x.parquet', lakeTables())).toBeUndefined();
  });
});

describe('partitionsOfKeys', () => {
  it('groups the distinct partitions of written keys by table', () => {
    const grouped = partitionsOfKeys(
      [
        'redshift/stl_query/cluster=prod/day=2024-03-05/a.parquet',
        'redshift/stl_query/cluster=prod/day=2024-03-05/b.parquet',
        'redshift/stl_scan/cluster=prod/day=2024-03-05/a.parquet',
        'redshift/stl_query/cluster=etl/day=2024-03-05/a.parquet',
        'elsewhere/x',
      ],
      lakeTables(),
    );
    expect([...grouped].map(([table, partitions]) => [table.name, partitions])).toEqual([
      [
        'stl_query',
        [
          { cluster: 'prod', day: '2024-03-05' },
          { cluster: 'etl', day: '2024-03-05' },
        ],
      ],
      ['stl_scan', [{ cluster: 'prod', day: '2024-03-05' }]],
    ]);
  });
});
