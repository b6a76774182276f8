import { assertClusterName } from '../config/identifiers.js';
import { InvalidIdentifierError } from '../errors.js';
import { lakeObject, partitionValues, type LakeObject } from '../lake/lake-layout.js';
import type { LakeTable } from '../tables/lake-table.js';
import { exportLakeTable, isExportTableName, type ExportTableName, type RedshiftPartitionKey } from '../tables/registry.js';
import { slotStamp, utcDay } from './slot-time.js';

/**
 * The object of a slot: `redshift/<table>/cluster=<cluster>/day=<YYYY-MM-DD>/<table>__<cluster>__<slotStartUTC>.parquet`
 * (DESIGN.md §2), through the lake layout. Deterministic: re-exporting a slot overwrites the
 * same object. Both names are checked again here, whatever validated them before, because this
 * is where they meet a key.
 */
export function slotObject(
  table: ExportTableName | LakeTable<RedshiftPartitionKey>,
  cluster: string,
  slotStart: Date,
): LakeObject<RedshiftPartitionKey> {
  // A custom table comes with its lake table (its columns are learned, not in the registry).
  if (typeof table === 'string' && !isExportTableName(table))
    throw new InvalidIdentifierError('table', String(table), 'not in the schema registry');
  assertClusterName(cluster);
  const lakeTable = typeof table === 'string' ? exportLakeTable(table) : table;
  const partition = partitionValues(lakeTable, { cluster, day: utcDay(slotStart) });
  return lakeObject(lakeTable, partition, `${lakeTable.name}__${cluster}__${slotStamp(slotStart)}.parquet`);
}
