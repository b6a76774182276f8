import { assertClusterName } from '../config/identifiers.js';
import { isExportTableName, type ExportTableName } from '../tables/registry.js';
import { InvalidIdentifierError } from '../errors.js';
import { slotStamp, utcDay } from './slot-time.js';

/**
 * `redshift/<table>/cluster=<cluster>/day=<YYYY-MM-DD>/<table>__<cluster>__<slotStartUTC>.parquet`
 * (DESIGN.md §2). Deterministic: re-exporting a slot overwrites the same object. Both names are
 * checked again here, whatever validated them before, because this is where they meet a key.
 */
export function slotObjectKey(table: ExportTableName, cluster: string, slotStart: Date): string {
  if (!isExportTableName(table)) throw new InvalidIdentifierError('table', String(table), 'not in the schema registry');
  assertClusterName(cluster);
  return `redshift/${table}/cluster=${cluster}/day=${utcDay(slotStart)}/${table}__${cluster}__${slotStamp(slotStart)}.parquet`;
}
