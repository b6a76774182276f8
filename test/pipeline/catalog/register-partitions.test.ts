import { describe, expect, it } from 'vitest';
import type { Catalog, PartitionValues } from '../../../pipeline/ports/catalog.js';
import { registerWrittenPartitions } from '../../../pipeline/catalog/register-partitions.js';

describe('registerWrittenPartitions', () => {
  it('asks the catalog once per table for the distinct partitions written, and sums what it did', async () => {
    const calls: Array<[string, PartitionValues[]]> = [];
    const catalog: Catalog = {
      ensureTables: async () => [],
      ensureViews: async () => [],
      addPartitions: async (table, partitions) => {
        calls.push([table.name, [...partitions]]);
        return { added: partitions.length, existing: 1 };
      },
    };
    const result = await registerWrittenPartitions(catalog, [
      'cloudtrail/events/account=012345678901/region=eu-west-1/day=2024-03-05/a.parquet',
      'cloudtrail/events/account=012345678901/region=eu-west-1/day=2024-03-05/b.parquet',
      'cloudtrail/insights/account=012345678901/region=eu-west-1/day=2024-03-05/a.parquet',
      '_quarantine/cloudtrail/2024-03-05/bad.json.gz',
    ]);
    expect(calls).toEqual([
      ['cloudtrail_events', [{ account: '012345678901', region: 'eu-west-1', day: '2024-03-05' }]],
      ['cloudtrail_insights', [{ account: '012345678901', region: 'eu-west-1', day: '2024-03-05' }]],
    ]);
    expect(result).toEqual({ added: 2, existing: 2 });
  });
});
