import { describe, expect, it } from 'vitest';
import { registerWrittenPartitions } from '../../../pipeline/catalog/register-partitions.js';
import { cloudTrailObject } from '../../../pipeline/cloudtrail/cloudtrail-lake-layout.js';
import type { WrittenObject } from '../../../pipeline/lake/lake-layout.js';
import type { Catalog, PartitionValues } from '../../../pipeline/ports/catalog.js';
import { slotObject } from '../../../pipeline/redshift/lake-keys.js';

function recordingCatalog(): { catalog: Pick<Catalog, 'addPartitions'>; calls: Array<[string, PartitionValues[]]> } {
  const calls: Array<[string, PartitionValues[]]> = [];
  const catalog: Pick<Catalog, 'addPartitions'> = {
    addPartitions: async (table, partitions) => {
      calls.push([table.name, [...partitions]]);
      return { added: partitions.length, existing: 1 };
    },
  };
  return { catalog, calls };
}

const written = <K extends string>(object: Omit<WrittenObject<K>, 'rows' | 'bytes'>): WrittenObject<K> => ({
  ...object,
  rows: 1,
  bytes: 1,
});

describe('registerWrittenPartitions', () => {
  it('asks the catalog once per table for the distinct partitions written, and sums what it did', async () => {
    const { catalog, calls } = recordingCatalog();
    const partition = { account: '012345678901', region: 'eu-west-1', day: '2024-03-05' };
    const result = await registerWrittenPartitions(catalog, [
      written(cloudTrailObject('events', partition, 'a.json.gz')),
      written(cloudTrailObject('events', { ...partition }, 'b.json.gz')),
      written(cloudTrailObject('insights', partition, 'a.json.gz')),
    ]);
    expect(calls).toEqual([
      ['cloudtrail_events', [{ account: '012345678901', region: 'eu-west-1', day: '2024-03-05' }]],
      ['cloudtrail_insights', [{ account: '012345678901', region: 'eu-west-1', day: '2024-03-05' }]],
    ]);
    expect(result).toEqual({ added: 2, existing: 2 });
  });

  it('registers the partitions the exporter reports, with the values it wrote (escaped as in the keys)', async () => {
    const { catalog, calls } = recordingCatalog();
    const slot = new Date('2024-03-05T10:00:00Z');
    await registerWrittenPartitions(catalog, [
      written(slotObject('stl_query', 'prod', slot)),
      written(slotObject('stl_query', 'prod', new Date('2024-03-05T11:00:00Z'))),
      written(slotObject('stl_scan', 'prod', slot)),
      written(slotObject('stl_query', 'etl', slot)),
      written(cloudTrailObject('events', { account: 'redacted%2Fx', region: 'r', day: '2024-03-05' }, 'k')),
    ]);
    expect(calls).toEqual([
      [
        'stl_query',
        [
          { cluster: 'prod', day: '2024-03-05' },
          { cluster: 'etl', day: '2024-03-05' },
        ],
      ],
      ['stl_scan', [{ cluster: 'prod', day: '2024-03-05' }]],
      ['cloudtrail_events', [{ account: 'redacted%2Fx', region: 'r', day: '2024-03-05' }]],
    ]);
  });

  it('asks nothing when nothing was written', async () => {
    const { catalog, calls } = recordingCatalog();
    expect(await registerWrittenPartitions(catalog, [])).toEqual({ added: 0, existing: 0 });
    expect(calls).toEqual([]);
  });

  it('refuses an object of a table the registry does not know, or of a partition the table does not have', async () => {
    const { catalog, calls } = recordingCatalog();
    await expect(
      registerWrittenPartitions(catalog, [{ table: 'stl_nothing', partition: { cluster: 'prod', day: '2024-03-05' } }]),
    ).rejects.toThrow(/invalid lake table "stl_nothing"/);
    await expect(registerWrittenPartitions(catalog, [{ table: 'stl_query', partition: { cluster: 'prod' } }])).rejects.toThrow(
      /missing day/,
    );
    expect(calls).toEqual([]);
  });
});
