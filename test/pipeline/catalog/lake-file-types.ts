import { relative } from 'node:path';
import { tableGlob } from '../../../pipeline/catalog/duckdb-catalog.js';
import { glueTableInput } from '../../../pipeline/catalog/glue-table-input.js';
import { openDuckDb, sqlLiteral } from '../../../pipeline/duckdb/duckdb-engine.js';
import type { LakeTable } from '../../../pipeline/tables/lake-table.js';

/**
 * How Athena reads each Parquet type DuckDB reports. Written out here, independently of the
 * registry's own mapping, so that a wrong mapping there cannot hide itself.
 */
const ATHENA_TYPE_OF_DUCKDB: Readonly<Record<string, string>> = {
  SMALLINT: 'smallint',
  INTEGER: 'int',
  BIGINT: 'bigint',
  DOUBLE: 'double',
  BOOLEAN: 'boolean',
  TIMESTAMP: 'timestamp',
  VARCHAR: 'string',
};

export interface TypeMismatch {
  readonly table: string;
  readonly file: string;
  readonly column: string;
  readonly glue: string | undefined;
  readonly file_type: string;
}

/**
 * For every file of every table: each column's type as DuckDB reads it from the file, mapped to
 * Athena's name, against the Glue column of the same name. Returns the disagreements (none is the
 * goal) and how many files were read per table.
 */
export async function compareGlueTypesWithFiles(
  lakeDir: string,
  tables: readonly LakeTable[],
): Promise<{ mismatches: TypeMismatch[]; files: Record<string, number> }> {
  const { instance, connection } = await openDuckDb();
  const mismatches: TypeMismatch[] = [];
  const files: Record<string, number> = {};
  try {
    for (const table of tables) {
      const glue = new Map(
        glueTableInput(table, { lakeLocation: 's3://bucket/lake' }).StorageDescriptor.Columns.map((column) => [column.Name, column.Type]),
      );
      const found = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM glob(${sqlLiteral(tableGlob(table, lakeDir))})`);
      files[table.name] = Number(found.getRowObjects()[0]?.n ?? 0);
      if (files[table.name] === 0) continue;
      const reader = await connection.runAndReadAll(
        `SELECT file_name, name, duckdb_type FROM parquet_schema(${sqlLiteral(tableGlob(table, lakeDir))}) WHERE num_children IS NULL`,
      );
      for (const row of reader.getRowObjectsJson()) {
        const column = String(row.name);
        const fileType = String(row.duckdb_type);
        const athena = ATHENA_TYPE_OF_DUCKDB[fileType] ?? `unmapped DuckDB type ${fileType}`;
        if (glue.get(column) !== athena) {
          mismatches.push({
            table: table.name,
            file: relative(lakeDir, String(row.file_name)),
            column,
            glue: glue.get(column),
            file_type: fileType,
          });
        }
      }
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return { mismatches, files };
}
