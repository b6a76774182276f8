import type { LakeRow } from '../ports/parquet-writer.js';
import type { CsvTextPage, SqlColumnMeta, SqlRow } from '../ports/sql-runner.js';
import type { LakeType } from '../tables/column-types.js';
import type { LakeColumn } from '../tables/lake-table.js';
import { CsvRecordReader } from './sql/data-api-csv-records.js';
import { textColumnsOf, type ValueKind, valueKindOf } from './sql/data-api-text-values.js';

/**
 * When a slot's result, read as CSV text, can go to the Parquet writer as it came. The writer
 * then reads each field with its lake column's type, where the row path first types the value
 * (ports/sql-runner.ts) and prints it again. The two give the same value when the field's text
 * is what the row path would print: always for text into VARCHAR or TIMESTAMP (the row path
 * keeps the text), integers into integer or DOUBLE columns, numbers into DOUBLE. Not for a
 * boolean or a number into VARCHAR (`t` against `true`, `12.50` against `12.5`): such a result
 * is typed on the way, as `pages` would have typed it.
 */

const FITS: Readonly<Record<LakeType, readonly ValueKind[]>> = {
  SMALLINT: ['integer'],
  INTEGER: ['integer'],
  BIGINT: ['integer'],
  DOUBLE: ['integer', 'number'],
  BOOLEAN: ['boolean'],
  TIMESTAMP: ['text'],
  VARCHAR: ['text'],
};

/** Whether the result's fields are `fields` (the lake columns it fills), by name and in order, each of a kind its type reads alike. */
export function csvFitsLake(result: readonly SqlColumnMeta[], fields: readonly LakeColumn[]): boolean {
  return (
    result.length === fields.length &&
    result.every((column, i) => {
      const field = fields[i];
      return field !== undefined && field.name === column.name && FITS[field.type].includes(valueKindOf(column.typeName));
    })
  );
}

/** The rows of CSV text pages, typed as the runner's `pages` types them. */
export async function* rowsOfCsvPages(pages: AsyncIterable<CsvTextPage>): AsyncGenerator<readonly LakeRow[]> {
  let reader: CsvRecordReader | undefined;
  for await (const page of pages) {
    reader ??= new CsvRecordReader(textColumnsOf(page.columns));
    const rows: SqlRow[] = [];
    reader.read(page.text, rows, false);
    yield rows;
  }
}
