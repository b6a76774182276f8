import type { WrittenObject } from '../lake/lake-layout.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { LakeRow, LakeValue, ParquetFile, ParquetWriter } from '../ports/parquet-writer.js';
import type { SqlRunner, SqlStatement } from '../ports/sql-runner.js';
import type { DialectName } from '../tables/dialects.js';
import { QUERY_TEXT_SOURCES, QUERY_TEXT_TABLE, type StatementKind } from '../tables/query-text-table.js';
import type { SourceViewName } from '../tables/dialects.js';
import { type CustomExport, customColumns, customLakeTable, type CustomTableName, type TableSchema } from '../tables/custom-tables.js';
import { exportColumns, type ExportTableName, type RedshiftPartitionKey } from '../tables/registry.js';
import { readAhead } from '../util/read-ahead.js';
import { slotObject } from './lake-keys.js';
import { csvFitsLake, rowsOfCsvPages } from './slot-csv.js';
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
  const constants = { exported_at: exportedAt };
  let file: ParquetFile | null;
  if ('custom' in target) {
    file = await deps.writer.write(customColumns(target.schema), readAhead(customPages(deps.runner, target.custom, start, end)), constants);
  } else if (target.table === QUERY_TEXT_TABLE) {
    file = await deps.writer.write(
      exportColumns(target.table),
      readAhead(queryTextPages(deps.runner, source.dialect, start, end)),
      constants,
    );
  } else {
    file = await writeView(deps, target.table, slotStatement(renderSlotSelect(target.table), start, end), constants);
  }
  if (!file) return { rows: 0, object: null };
  const object = slotObject('custom' in target ? customLakeTable(target.schema) : target.table, cluster, slot.start);
  try {
    await deps.lake.putFile(object.key, file.path, { contentType: 'application/vnd.apache.parquet' });
  } finally {
    await deps.writer.discard(file);
  }
  return { rows: file.rows, object: { ...object, rows: file.rows, bytes: file.bytes } };
}

/**
 * A view's slot: as CSV text straight to the writer when the runner reads CSV and the result's
 * fields fit the lake columns (see slot-csv.ts), else as typed rows. Typing and printing every
 * value again was a third of a large slot's export through the Data API.
 */
async function writeView(
  deps: SlotObjectWriterDeps,
  table: SourceViewName,
  statement: SqlStatement,
  constants: Readonly<Record<string, LakeValue>>,
): Promise<ParquetFile | null> {
  const columns = exportColumns(table);
  const csv = await deps.runner.csvPages?.(statement);
  if (csv === undefined) return deps.writer.write(columns, readAhead(deps.runner.pages(statement)), constants);
  // The first page says what the fields are; it is then written with the pages after it.
  const rest = readAhead(csv)[Symbol.asyncIterator]();
  try {
    const first = await rest.next();
    if (first.done === true) return null;
    const pages = startingWith(first.value, rest);
    const fields = columns.filter((column) => !(column.name in constants));
    return csvFitsLake(first.value.columns, fields)
      ? await deps.writer.writeCsv(columns, pages, constants)
      : await deps.writer.write(columns, rowsOfCsvPages(pages), constants);
  } finally {
    await rest.return(undefined);
  }
}

async function* startingWith<T>(first: T, rest: AsyncIterator<T>): AsyncGenerator<T> {
  yield first;
  for (let next = await rest.next(); next.done !== true; next = await rest.next()) yield next.value;
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
