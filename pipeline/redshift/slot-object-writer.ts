import type { WrittenObject } from '../lake/lake-layout.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { LakeRow, ParquetWriter } from '../ports/parquet-writer.js';
import type { SqlRunner } from '../ports/sql-runner.js';
import type { DialectName } from '../tables/dialects.js';
import { QUERY_TEXT_SOURCES, QUERY_TEXT_TABLE, type StatementKind } from '../tables/query-text-table.js';
import { type CustomExport, customColumns, customLakeTable, type CustomTableName, type TableSchema } from '../tables/custom-tables.js';
import { exportColumns, isSourceViewName, type ExportTableName, type RedshiftPartitionKey } from '../tables/registry.js';
import { readAhead } from '../util/read-ahead.js';
import { slotObject } from './lake-keys.js';
import { queryTextRows, SYS_CHUNK_SOURCE } from './query-text-rows.js';
import type { Slot } from './slot-planner.js';
import { renderQueryTextChunks, renderSlotSelect, renderSysQueryTextChunks, slotStatement } from './slot-sql.js';
import { formatSqlTimestamp } from './slot-time.js';

export interface SlotObjectWriterDeps {
  readonly runner: SqlRunner;
  readonly lake: ObjectStore;
  readonly writer: ParquetWriter;
}

/** What exporting one slot of one table wrote: its rows, and its object (none for an empty slot). */
export interface SlotWrite {
  readonly rows: number;
  readonly object: WrittenObject<RedshiftPartitionKey> | null;
}

/** What a slot is read from: a table of the registry, or a custom export with the columns recorded for it. */
export type SlotTarget =
  | { readonly table: ExportTableName }
  | { readonly table: CustomTableName; readonly custom: CustomExport; readonly schema: TableSchema };

/**
 * Reads the rows of one slot of one table from the cluster and writes them to the slot's
 * object, overwriting what an earlier export of the slot wrote. `exportedAt` (the cluster clock
 * at the start of the run) is every row's lineage.
 */
export async function writeSlotObject(
  deps: SlotObjectWriterDeps,
  source: { readonly cluster: string; readonly dialect: DialectName },
  target: SlotTarget,
  slot: Slot,
  exportedAt: string,
): Promise<SlotWrite> {
  const { cluster } = source;
  const start = formatSqlTimestamp(slot.start);
  const end = formatSqlTimestamp(slot.end);
  let pages: AsyncIterable<readonly LakeRow[]>;
  if ('custom' in target) pages = customPages(deps.runner, target.custom, start, end);
  else if (target.table === QUERY_TEXT_TABLE) pages = queryTextPages(deps.runner, source.dialect, start, end);
  else pages = viewPages(deps.runner, target.table, start, end);
  const columns = 'custom' in target ? customColumns(target.schema) : exportColumns(target.table);
  const file = await deps.writer.write(columns, readAhead(pages), { exported_at: exportedAt });
  if (!file) return { rows: 0, object: null };
  const object = slotObject('custom' in target ? customLakeTable(target.schema) : target.table, cluster, slot.start);
  try {
    await deps.lake.putFile(object.key, file.path, { contentType: 'application/vnd.apache.parquet' });
  } finally {
    await deps.writer.discard(file);
  }
  return { rows: file.rows, object: { ...object, rows: file.rows, bytes: file.bytes } };
}

async function* viewPages(runner: SqlRunner, table: ExportTableName, start: string, end: string): AsyncGenerator<readonly LakeRow[]> {
  if (!isSourceViewName(table)) return;
  yield* runner.pages(slotStatement(renderSlotSelect(table), start, end));
}

/**
 * Rows of one slot of a custom export: its own SQL with the slot's bounds. Rows whose time
 * column lies outside the slot are left to the slot they belong to, whatever the SQL's own
 * filter let through (a BETWEEN that includes the end, say): each row is in exactly one slot.
 * Times compare as text, since both are 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
 */
async function* customPages(runner: SqlRunner, custom: CustomExport, start: string, end: string): AsyncGenerator<readonly LakeRow[]> {
  const column = custom.timeColumn;
  for await (const page of runner.pages(slotStatement(custom.sql, start, end))) {
    const inSlot = page.filter((row) => {
      const time = row[column];
      return typeof time === 'string' && time >= start && time < end;
    });
    if (inSlot.length > 0) yield inSlot;
  }
}

/** The statements of one slot: from the three STL text views, or from `sys_query_text` alone. */
async function* queryTextPages(runner: SqlRunner, dialect: DialectName, start: string, end: string): AsyncGenerator<readonly LakeRow[]> {
  if (dialect === 'sys') {
    yield* queryTextRows(SYS_CHUNK_SOURCE, runner.pages(slotStatement(renderSysQueryTextChunks(), start, end)));
    return;
  }
  for (const kind of Object.keys(QUERY_TEXT_SOURCES) as StatementKind[]) {
    const pages = runner.pages(slotStatement(renderQueryTextChunks(kind), start, end));
    yield* queryTextRows(kind, pages);
  }
}
