import { InvalidIdentifierError } from '../errors.js';
import { partitionPrefix, type LakeObject, type PartitionValuesOf } from '../lake/lake-layout.js';
import type { Catalog, PartitionSyncResult } from '../ports/catalog.js';
import type { LakeTable } from '../tables/lake-table.js';
import { lakeTables } from '../tables/registry.js';

/**
 * Registers the partitions of the objects a run wrote, once each, table by table, from what
 * the writers report (never from their keys). Called after the objects are written, so a
 * registered partition is never empty; registering it again on a rerun is harmless.
 */
export async function registerWrittenPartitions(
  catalog: Pick<Catalog, 'addPartitions'>,
  objects: Iterable<Pick<LakeObject, 'table' | 'partition'>>,
  tables: readonly LakeTable[] = lakeTables(),
): Promise<PartitionSyncResult> {
  const byName = new Map(tables.map((table) => [table.name, table]));
  const grouped = new Map<LakeTable, Map<string, PartitionValuesOf>>();
  for (const object of objects) {
    const table = byName.get(object.table);
    if (table === undefined) throw new InvalidIdentifierError('lake table', object.table, 'not in the schema registry');
    const partitions = grouped.get(table) ?? new Map<string, PartitionValuesOf>();
    // The partition's location names it: two objects of one partition register it once.
    partitions.set(partitionPrefix(table, object.partition), object.partition);
    grouped.set(table, partitions);
  }
  let added = 0;
  let existing = 0;
  for (const [table, partitions] of grouped) {
    const result = await catalog.addPartitions(table, [...partitions.values()]);
    added += result.added;
    existing += result.existing;
  }
  return { added, existing };
}
