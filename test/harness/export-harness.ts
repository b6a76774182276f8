import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { PGlite } from '@electric-sql/pglite';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { ClusterConfig, ExportSettings } from '../../pipeline/config/opslake-config.js';
import { openDuckDb } from '../../pipeline/duckdb/duckdb-engine.js';
import { ClusterExporter, type ClusterExporterDeps, type ClusterExportResult } from '../../pipeline/redshift/cluster-exporter.js';
import { ParquetWriter } from '../../pipeline/lake/parquet-writer.js';
import type { SqlRunner } from '../../pipeline/ports/sql-runner.js';
import type { StateStore } from '../../pipeline/ports/state-store.js';
import { createSimulatedCluster, type SimulatedCluster } from '../../pipeline/simulators/redshift/index.js';
import { DataApiSqlRunner } from '../../pipeline/redshift/sql/data-api-sql-runner.js';
import { PgSqlRunner } from '../../pipeline/redshift/sql/pg-sql-runner.js';
import { servePglite } from '../../pipeline/redshift/sql/pglite-server.js';
import { FileStateStore } from '../../pipeline/state/file-state-store.js';
import { LocalObjectStore } from '../../pipeline/store/local-object-store.js';
import { EXPORT_TABLE_NAMES, exportColumns, type ExportTableName, type SourceViewName } from '../../pipeline/tables/registry.js';
import { isPaddedChar } from '../../pipeline/tables/column-types.js';
import { SOURCE_VIEWS } from '../../pipeline/tables/dialects.js';
import type { Deployment } from '../../pipeline/simulators/redshift/deployment.js';
import type { WorkloadProfileName } from '../../pipeline/simulators/redshift/workload-profile.js';
import { type RecordedRequest, startDataApiEmulator } from './data-api-emulator.js';

export type Transport = 'pg' | 'data-api';

export const SETTINGS: ExportSettings = { slotMinutes: 60, latenessMinutes: 15, concurrency: 1 };
export const SIM_START = new Date('2026-11-20T12:20:00Z');

export function clusterConfig(name: string, tables: readonly ExportTableName[] = EXPORT_TABLE_NAMES): ClusterConfig {
  return {
    name,
    kind: 'provisioned',
    clusterIdentifier: name,
    database: 'dev',
    auth: { type: 'db-user', dbUser: 'opslake' },
    views: 'auto',
    tables,
    enabled: true,
    connection: { type: 'pglite', dataDir: '(in memory)' },
  };
}

export async function simulatedCluster(
  options: {
    name?: string;
    historyHours?: number;
    retentionDays?: number;
    seed?: number;
    deployment?: Deployment;
    profile?: WorkloadProfileName;
    start?: Date;
  } = {},
): Promise<SimulatedCluster> {
  return createSimulatedCluster({
    name: options.name ?? 'analytics',
    profile: options.profile ?? 'analytics',
    deployment: options.deployment ?? 'provisioned',
    seed: options.seed ?? 7,
    start: options.start ?? SIM_START,
    historyHours: options.historyHours ?? 4,
    ...(options.retentionDays ? { retentionDays: options.retentionDays } : {}),
  });
}

/** A SqlRunner over a simulated cluster, through the wire protocol or the Data API emulator (whose requests it shows). */
export async function openRunner(
  transport: Transport,
  db: PGlite,
  cluster: ClusterConfig,
): Promise<SqlRunner & { readonly requests?: readonly RecordedRequest[] }> {
  if (transport === 'pg') {
    const server = await servePglite({ db });
    const runner = new PgSqlRunner({ url: server.url, poolSize: 1, pageSize: 2_000 });
    return {
      pages: (s) => runner.pages(s),
      columns: (s) => runner.columns(s),
      close: async () => {
        await runner.close();
        await server.close();
      },
    };
  }
  const emulator = await startDataApiEmulator({ db, pageSize: 500, describesBeforeFinished: 1 });
  const client = new RedshiftDataClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const runner = new DataApiSqlRunner({ client, cluster, sleep: async () => undefined });
  return {
    requests: emulator.requests,
    pages: (s) => runner.pages(s),
    columns: (s) => runner.columns(s),
    close: async () => {
      await runner.close();
      client.destroy();
      await emulator.close();
    },
  };
}

export interface LakeFixture {
  readonly dir: string;
  readonly lakeDir: string;
  readonly state: StateStore;
  exporter(runner: SqlRunner, extra?: Partial<ClusterExporterDeps>): Promise<ClusterExporter>;
  close(): Promise<void>;
}

/** A fresh local lake and state folder with a DuckDB-backed writer. */
export async function lakeFixture(): Promise<LakeFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'opslake-e2e-'));
  const lakeDir = join(dir, 'lake');
  const state = new FileStateStore(join(dir, 'state'));
  const { instance } = await openDuckDb();
  return {
    dir,
    lakeDir,
    state,
    exporter: async (runner, extra = {}) =>
      new ClusterExporter({
        runner,
        lake: new LocalObjectStore(lakeDir),
        state,
        writer: new ParquetWriter(await instance.connect()),
        owner: 'test-run',
        ...extra,
      }),
    close: async () => instance.closeSync(),
  };
}

export async function exportOnce(
  fixture: LakeFixture,
  runner: SqlRunner,
  cluster: ClusterConfig,
  extra: Partial<ClusterExporterDeps> = {},
): Promise<ClusterExportResult> {
  const exporter = await fixture.exporter(runner, extra);
  return exporter.export({ cluster, settings: SETTINGS });
}

/** Every file in the lake with its bytes, by relative path. */
export async function lakeFiles(lakeDir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else files.set(relative(lakeDir, path), await readFile(path));
    }
  };
  await walk(lakeDir);
  return files;
}

/** A row as comparable text: timestamps as epoch microseconds, numbers as digits, NULL as null. */
export type ComparableRow = ReadonlyArray<string | null>;

function lakeExpression(name: string, type: string): string {
  if (type === 'TIMESTAMP') return `CAST(epoch_us("${name}") AS VARCHAR)`;
  // Both sides print doubles with three decimals: DuckDB writes 480 as 480.0, PostgreSQL as 480.
  if (type === 'DOUBLE') return `printf('%.3f', "${name}")`;
  return `CAST("${name}" AS VARCHAR)`;
}

/** Rows of one lake table read back with DuckDB (not with our own code), plus their partition values. */
export async function readLakeTable(
  lakeDir: string,
  table: ExportTableName,
  options: { withExportedAt?: boolean } = {},
): Promise<{
  rows: ComparableRow[];
  types: Record<string, string>;
  partitions: Array<{ cluster: string; day: string; cursorDay: string | null }>;
}> {
  const columns = exportColumns(table).filter((column) => options.withExportedAt || column.name !== 'exported_at');
  const { instance, connection } = await openDuckDb();
  try {
    const glob = join(lakeDir, 'redshift', table, '**', '*.parquet').replaceAll("'", "''");
    const files = await lakeFiles(join(lakeDir, 'redshift', table));
    if (files.size === 0) return { rows: [], types: {}, partitions: [] };
    const source = `read_parquet('${glob}', hive_partitioning = true)`;
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
    const types = Object.fromEntries(described.getRowObjects().map((row) => [String(row.column_name), String(row.column_type)]));
    const select = columns.map((column) => lakeExpression(column.name, column.type)).join(', ');
    const result = await connection.runAndReadAll(`SELECT ${select} FROM ${source}`);
    const rows = result.getRows().map((row) => row.map((value) => (value === null ? null : String(value))));
    const cursor = cursorColumn(table);
    const partitionResult = await connection.runAndReadAll(
      `SELECT cluster, CAST(day AS VARCHAR) AS day, ${cursor ? `strftime("${cursor}", '%Y-%m-%d')` : 'NULL'} AS cursor_day FROM ${source}`,
    );
    const partitions = partitionResult.getRowObjects().map((row) => ({
      cluster: String(row.cluster),
      day: String(row.day),
      cursorDay: row.cursor_day === null ? null : String(row.cursor_day),
    }));
    return { rows, types, partitions };
  } finally {
    instance.closeSync();
  }
}

function cursorColumn(table: ExportTableName): string | null {
  if (table === 'query_text') return 'endtime';
  const cursor = SOURCE_VIEWS[table].cursor;
  return cursor.kind === 'own' ? cursor.column : null;
}

/**
 * Rows of a view straight from the simulated cluster (alias `v`, narrowed by `where`), normalised
 * as the contract says (CHAR padding trimmed).
 */
export async function readSourceView(db: PGlite, view: SourceViewName, where = ''): Promise<ComparableRow[]> {
  const select = SOURCE_VIEWS[view].columns
    .map((column) => {
      const ref = `"${column.name}"`;
      if (column.type === 'timestamp') return `((extract(epoch from ${ref}) * 1000000)::bigint)::text`;
      if (column.type === 'double precision') return `to_char(${ref}, 'FM999999999990.000')`;
      if (isPaddedChar(column.type) && !column.keepPadding) return `rtrim(${ref})::text`;
      // A cast of CHAR to text drops the padding; the lake keeps it in text pieces, so pad back.
      if (isPaddedChar(column.type)) return `rpad(${ref}::text, ${/\d+/.exec(column.type)?.[0]})`;
      return `${ref}::text`;
    })
    .join(', ');
  const result = await db.query<Record<string, string | null>>(`SELECT ${select} FROM ${view} v ${where}`, [], { rowMode: 'array' });
  return (result.rows as unknown as Array<Array<string | null>>).map((row) => row.map((value) => (value === null ? null : String(value))));
}

export function sortRows(rows: readonly ComparableRow[]): string[] {
  return rows.map((row) => JSON.stringify(row)).sort();
}
