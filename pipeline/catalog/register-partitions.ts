import { lakeTables } from '../tables/registry.js';
import type { LakeTable } from '../tables/lake-table.js';
import type { Catalog, PartitionSyncResult } from '../ports/catalog.js';
import { partitionsOfKeys } from './partition-of-key.js';

/**
 * Registers the partitions of the objects a run wrote (keys relative to the lake root), once
 * each, table by table. Called after the objects are written, so a registered partition is never
 * empty; registering it again on a rerun is harmless.
 */
export async function registerWrittenPartitions(
  catalog: Catalog,
  keys: Iterable<string>,
  tables: readonly LakeTable[] = lakeTables(),
): Promise<PartitionSyncResult> {
  let added = 0;
  let existing = 0;
  for (const [table, partitions] of partitionsOfKeys(keys, tables)) {
    const result = await catalog.addPartitions(table, partitions);
    added += result.added;
    existing += result.existing;
  }
  return { added, existing };
}
