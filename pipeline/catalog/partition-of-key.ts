import type { LakeTable } from '../tables/lake-table.js';
import type { PartitionValues } from '../ports/catalog.js';

export interface KeyPartition {
  readonly table: LakeTable;
  readonly values: PartitionValues;
}

/**
 * The table and partition of a lake object key (relative to the lake root), e.g.
 * `redshift/stl_query/cluster=prod/day=2024-03-05/x.parquet`; undefined for keys outside every
 * table (quarantine, state) or whose folders do not name the table's partition keys in order.
 */
export function partitionOfKey(key: string, tables: readonly LakeTable[]): KeyPartition | undefined {
  for (const table of tables) {
    if (!key.startsWith(`${table.path}/`)) continue;
    const segments = key.slice(table.path.length + 1).split('/');
    if (segments.length !== table.partitionKeys.length + 1) return undefined;
    const values: Record<string, string> = {};
    for (const [index, partitionKey] of table.partitionKeys.entries()) {
      const segment = segments[index] ?? '';
      const prefix = `${partitionKey.name}=`;
      if (!segment.startsWith(prefix) || segment.length === prefix.length) return undefined;
      values[partitionKey.name] = segment.slice(prefix.length);
    }
    return { table, values };
  }
  return undefined;
}

/** The distinct partitions of written keys, grouped by table (keys outside the tables are skipped). */
export function partitionsOfKeys(keys: Iterable<string>, tables: readonly LakeTable[]): Map<LakeTable, PartitionValues[]> {
  const grouped = new Map<LakeTable, Map<string, PartitionValues>>();
  for (const key of keys) {
    const found = partitionOfKey(key, tables);
    if (!found) continue;
    const seen = grouped.get(found.table) ?? new Map<string, PartitionValues>();
    seen.set(found.table.partitionKeys.map((k) => found.values[k.name]).join('/'), found.values);
    grouped.set(found.table, seen);
  }
  return new Map([...grouped].map(([table, seen]) => [table, [...seen.values()]]));
}
