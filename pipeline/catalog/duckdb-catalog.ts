import type { DuckDBConnection } from '@duckdb/node-api';
import { join } from 'node:path';
import { sqlLiteral } from '../duckdb/duckdb-engine.js';
import { CatalogError, InvalidIdentifierError } from '../errors.js';
import { partitionFromPath, partitionPath, tablePrefix } from '../lake/lake-layout.js';
import type {
  Catalog,
  PartitionLocation,
  PartitionQuery,
  PartitionSyncResult,
  PartitionValues,
  TableSyncResult,
} from '../ports/catalog.js';
import type { LakeTable } from '../tables/lake-table.js';
import { duckDbViewSql, IDENTIFIER, type TableFiles } from './duckdb-view-sql.js';
import { entriesOf, stampOf } from './local-lake-files.js';

export { duckDbViewSql, type TableFiles } from './duckdb-view-sql.js';
import type { LakeView } from '../tables/lake-view.js';

export interface DuckDbCatalogOptions {
  readonly connection: DuckDBConnection;
  /** Local folder of the lake root (the folder holding `redshift/` and `cloudtrail/`). */
  readonly lakeDir: string;
}

/** Where the catalog keeps the partitions that do not live in their live folder (compacted ones). */
const LOCATIONS_TABLE = 'opslake_partitions';

/** One partition as the view reads it: its path under the table and the folder (relative to the lake). */
interface ViewPartition {
  readonly path: string;
  readonly values: PartitionValues;
  readonly location: string;
}

/**
 * The local catalog: one DuckDB view per lake table, with the Glue table's name and columns (the
 * registry's columns, then the partition keys as strings). A partition is read from its live
 * folder, found by listing the lake, unless `opslake_partitions` (a table in the catalog
 * database) records another location, as compaction does. A view names every partition folder
 * it reads, so switching a partition is one transaction: the recorded location and the view's
 * `CREATE OR REPLACE` together. A query binds the view once, so it reads the old folders or
 * the new ones, never both. New partitions are read once the view is rebuilt (`ensureTables`,
 * `addPartitions`, any switch).
 */
export class DuckDbCatalog implements Catalog {
  readonly #connection: DuckDBConnection;
  readonly #lakeDir: string;
  /** Column names of each file the views read, by path, with the size and time they were read at. */
  readonly #schemas = new Map<string, { stamp: string; names: ReadonlySet<string> }>();
  #ready = false;

  constructor(options: DuckDbCatalogOptions) {
    this.#connection = options.connection;
    this.#lakeDir = options.lakeDir;
  }

  async ensureTables(tables: readonly LakeTable[]): Promise<readonly TableSyncResult[]> {
    const results: TableSyncResult[] = [];
    for (const table of tables) {
      await this.#rebuild(table);
      results.push({ table: table.name, action: 'updated' });
    }
    return results;
  }

  /** Views are rebuilt every time, like the tables': the SQL of a view may have changed with the code. */
  async ensureViews(views: readonly LakeView[]): Promise<readonly TableSyncResult[]> {
    const results: TableSyncResult[] = [];
    for (const view of views) {
      if (!IDENTIFIER.test(view.name))
        throw new InvalidIdentifierError('catalog identifier', view.name, 'use lower-case letters, digits and _');
      try {
        await this.#connection.run(`CREATE OR REPLACE VIEW "${view.name}" AS ${view.duckDbSql}`);
      } catch (error) {
        throw new CatalogError(`could not create the DuckDB view ${view.name}: ${(error as Error).message}`, {
          table: view.name,
          cause: error,
        });
      }
      results.push({ table: view.name, action: 'updated' });
    }
    return results;
  }

  /** Live partitions need no registration (the lake is listed); the view is rebuilt so it reads them. */
  async addPartitions(table: LakeTable, partitions: readonly PartitionValues[]): Promise<PartitionSyncResult> {
    if (partitions.length > 0) await this.#rebuild(table);
    return { added: 0, existing: partitions.length };
  }

  async *listPartitions(table: LakeTable, query: PartitionQuery): AsyncIterable<readonly PartitionLocation[]> {
    const selected = [...(await this.#partitions(table, await this.#liveFiles(table))).values()].filter((partition) => {
      const day = partition.values.day ?? '';
      if (day < query.fromDay || day > query.toDay) return false;
      return Object.entries(query.where ?? {}).every(([key, value]) => partition.values[key] === value);
    });
    if (selected.length > 0) yield selected.map(({ values, location }) => ({ values, location }));
  }

  async switchPartition(table: LakeTable, values: PartitionValues, location: string): Promise<void> {
    if (!location.startsWith(tablePrefix(table)) || !location.endsWith('/') || location.includes('..')) {
      throw new InvalidIdentifierError(`${table.name} partition location`, location, `expected a folder under ${tablePrefix(table)}`);
    }
    const path = partitionPath(table, values);
    const live = await this.#liveFiles(table);
    const partitions = await this.#partitions(table, live);
    partitions.set(path, { path, values, location });
    const sql = await this.#viewSql(table, partitions, live);
    await this.#inTransaction(`switch ${table.name} ${path} to ${location}`, async () => {
      await this.#connection.run(
        `INSERT OR REPLACE INTO ${LOCATIONS_TABLE} VALUES (${sqlLiteral(table.name)}, ${sqlLiteral(path)}, ${sqlLiteral(location)})`,
      );
      await this.#connection.run(sql);
    });
  }

  async #rebuild(table: LakeTable): Promise<void> {
    try {
      const live = await this.#liveFiles(table);
      const sql = await this.#viewSql(table, await this.#partitions(table, live), live);
      await this.#connection.run(sql);
    } catch (error) {
      if (error instanceof InvalidIdentifierError || error instanceof CatalogError) throw error;
      throw new CatalogError(`could not create the DuckDB view ${table.name} over ${this.#lakeDir}: ${(error as Error).message}`, {
        table: table.name,
        cause: error,
      });
    }
  }

  async #inTransaction(what: string, work: () => Promise<void>): Promise<void> {
    await this.#connection.run('BEGIN TRANSACTION');
    try {
      await work();
      await this.#connection.run('COMMIT');
    } catch (error) {
      await this.#connection.run('ROLLBACK').catch(() => undefined);
      throw new CatalogError(`could not ${what}: ${(error as Error).message}`, { cause: error });
    }
  }

  async #ensureLocationsTable(): Promise<void> {
    if (this.#ready) return;
    await this.#connection.run(
      `CREATE TABLE IF NOT EXISTS ${LOCATIONS_TABLE} (table_name VARCHAR, partition_path VARCHAR, location VARCHAR, ` +
        'PRIMARY KEY (table_name, partition_path))',
    );
    this.#ready = true;
  }

  /** Every partition of the table: live folders found in the lake, then the recorded locations over them. */
  /**
   * The table's live files by folder: `key=value` folders, one level per partition key, and their
   * Parquet files (what `tableGlob` matches). Walked with readdir, once per rebuild: DuckDB's glob
   * took about 0.7 s over 50,000 objects, a switch's largest cost on a large lake.
   */
  async #liveFiles(table: LakeTable): Promise<Map<string, string[]>> {
    let folders = [join(this.#lakeDir, table.path)];
    for (const key of table.partitionKeys) {
      const next: string[] = [];
      for (const folder of folders) {
        for (const entry of await entriesOf(folder)) {
          if (entry.isDirectory() && entry.name.startsWith(`${key.name}=`)) next.push(join(folder, entry.name));
        }
      }
      folders = next;
    }
    const files = new Map<string, string[]>();
    for (const folder of folders.sort()) {
      const parquet = (await entriesOf(folder))
        .filter((entry) => entry.isFile() && entry.name.endsWith('.parquet') && !entry.name.startsWith('.'))
        .map((entry) => join(folder, entry.name))
        .sort();
      if (parquet.length > 0) files.set(`${folder}/`, parquet);
    }
    return files;
  }

  async #partitions(table: LakeTable, live: ReadonlyMap<string, readonly string[]>): Promise<Map<string, ViewPartition>> {
    await this.#ensureLocationsTable();
    const partitions = new Map<string, ViewPartition>();
    const root = join(this.#lakeDir, tablePrefix(table));
    for (const folder of live.keys()) {
      const path = folder.slice(root.length);
      const values = partitionFromPath(table, path);
      if (values !== undefined && !partitions.has(path)) partitions.set(path, { path, values, location: `${tablePrefix(table)}${path}` });
    }
    const recorded = await this.#connection.runAndReadAll(
      `SELECT partition_path, location FROM ${LOCATIONS_TABLE} WHERE table_name = ${sqlLiteral(table.name)}`,
    );
    for (const row of recorded.getRowObjectsJson()) {
      const path = String(row.partition_path);
      const values = partitionFromPath(table, path);
      if (values !== undefined) partitions.set(path, { path, values, location: String(row.location) });
    }
    return partitions;
  }

  async #files(glob: string): Promise<string[]> {
    const reader = await this.#connection.runAndReadAll(`SELECT file FROM glob(${sqlLiteral(glob)}) ORDER BY file`);
    return reader.getRowObjectsJson().map((row) => String(row.file));
  }

  /** The view over the partitions that hold files: live folders and compacted generations in two reads. */
  async #viewSql(
    table: LakeTable,
    partitions: ReadonlyMap<string, ViewPartition>,
    liveFiles: ReadonlyMap<string, readonly string[]>,
  ): Promise<string> {
    const live: string[] = [];
    const compacted: string[] = [];
    /** The files under each glob the view reads. */
    const filesOf = new Map<string, readonly string[]>();
    const liveFolder = (partition: ViewPartition) => partition.location === `${tablePrefix(table)}${partition.path}`;
    for (const partition of [...partitions.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
      // `join` keeps the location's trailing slash.
      const folder = join(this.#lakeDir, partition.location);
      const glob = `${folder}*.parquet`;
      const files = liveFolder(partition) ? (liveFiles.get(folder) ?? []) : await this.#files(glob);
      if (files.length === 0) continue;
      filesOf.set(glob, files);
      (liveFolder(partition) ? live : compacted).push(glob);
    }
    const inspect = (globs: readonly string[]) => this.#inspect(globs.flatMap((glob) => filesOf.get(glob) ?? []));
    try {
      return duckDbViewSql(table, { live, compacted }, await inspect([...live, ...compacted]));
    } catch (error) {
      if (error instanceof InvalidIdentifierError) throw error;
      // An object that is not Parquet breaks every query of the view; the view leaves out its
      // folder, so the table's other partitions stay readable (compaction names the object).
      const readable = async (globs: readonly string[]) => {
        const kept: string[] = [];
        for (const glob of globs)
          if (
            await inspect([glob]).then(
              () => true,
              () => false,
            )
          )
            kept.push(glob);
        return kept;
      };
      const folders = { live: await readable(live), compacted: await readable(compacted) };
      return duckDbViewSql(table, folders, await inspect([...folders.live, ...folders.compacted]));
    }
  }

  /**
   * Which columns `files` hold. A file's footer is read once per catalog and read
   * again only when its size or time changes: a switch rebuilds a view over every file of the
   * table, and reading all their footers again made each switch cost seconds on a lake of
   * thousands of objects.
   */
  async #inspect(files: readonly string[]): Promise<TableFiles | undefined> {
    if (files.length === 0) return undefined;
    const perFile: ReadonlySet<string>[] = [];
    const unread = new Map<string, string>();
    for (const file of files) {
      const stamp = stampOf(file);
      const known = this.#schemas.get(file);
      if (known !== undefined && known.stamp === stamp) perFile.push(known.names);
      else unread.set(file, stamp);
    }
    if (unread.size > 0) {
      const list = `[${[...unread.keys()].map(sqlLiteral).join(', ')}]`;
      const reader = await this.#connection.runAndReadAll(
        `SELECT file_name, list(name) AS names FROM parquet_schema(${list}) WHERE num_children IS NULL GROUP BY file_name`,
      );
      for (const row of reader.getRowObjectsJson()) {
        const names = new Set((row.names as string[] | null) ?? []);
        const file = String(row.file_name);
        this.#schemas.set(file, { stamp: unread.get(file) ?? '', names });
        perFile.push(names);
      }
    }
    const columns = new Set(perFile.flatMap((names) => [...names]));
    const mixed = perFile.some((names) => names.size !== columns.size);
    return { columns, mixed };
  }
}

/** One `key=*` folder level per partition key, then the files: exactly the partition depth, nothing stray. */
export function tableGlob(table: LakeTable, lakeDir: string): string {
  return join(lakeDir, table.path, ...table.partitionKeys.map((key) => `${key.name}=*`), '*.parquet');
}
