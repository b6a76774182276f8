/**
 * One measurement of the Serverless case of the export benchmark, in its own process so that
 * its peak RSS is its own. `node serverless-bench-run.ts <read|export> <auto|csv|json> <endpoint>`:
 *
 * - `read`: the slot's SELECT through a DataApiSqlRunner on the same SDK client, rows discarded;
 * - `export`: the slot written by the exporter's own `writeSlotObject` (the runner's pages or
 *   CSV text read ahead, the lake's ParquetWriter, the object put into a local lake). The
 *   exporter's planning, lease and watermark steps (a few small statements) are not measured.
 *
 * Prints one JSON line: the format the runner read (and why), rows, seconds, peak RSS, the
 * process's CPU seconds, for an export where its time went (reading the pages into the spool,
 * DuckDB's COPY to Parquet, the upload) and a digest of the Parquet file's rows, so that two
 * exports can be compared.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { ClusterConfig } from '../../pipeline/config/opslake-config.js';
import { openDuckDb, sqlLiteral } from '../../pipeline/duckdb/duckdb-engine.js';
import { ParquetWriter } from '../../pipeline/lake/parquet-writer.js';
import type { PutOptions } from '../../pipeline/ports/object-store.js';
import type { SqlRunner, SqlStatement } from '../../pipeline/ports/sql-runner.js';
import { writeSlotObject } from '../../pipeline/redshift/slot-object-writer.js';
import { DataApiSqlRunner, type DataApiResultFormat } from '../../pipeline/redshift/sql/data-api-sql-runner.js';
import { LocalObjectStore } from '../../pipeline/store/local-object-store.js';
import { isExportTableName } from '../../pipeline/tables/registry.js';
import { LAKE_COLUMNS, SLOT_END, SLOT_START, slotSelect } from './sys-query-detail-bench-table.js';

const [mode, format, endpoint] = process.argv.slice(2) as ['read' | 'export', DataApiResultFormat | 'auto', string];
const TABLE: string = 'sys_query_detail';
const workgroup: ClusterConfig = {
  name: 'bench-serverless',
  kind: 'serverless',
  views: 'sys',
  workgroupName: 'bench',
  database: 'dev',
  auth: { type: 'iam' },
  tables: [],
  enabled: true,
  connection: { type: 'data-api' },
};
const client = new RedshiftDataClient({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  maxAttempts: 1,
});
const runner = new DataApiSqlRunner({ client, cluster: workgroup, pollInitialDelayMs: 50, pollMaxDelayMs: 200, resultFormat: format });

/** When the last page was read (the spool then holds every row) and when the upload started. */
const marks: { pagesRead?: number; uploadStarted?: number } = {};

async function* marked<T>(pages: AsyncIterable<T>): AsyncGenerator<T> {
  yield* pages;
  marks.pagesRead = performance.now();
}

/** The runner as the slot writer sees it, noting when its pages (rows or CSV text) ran out. */
const timedRunner: SqlRunner = {
  pages: (statement: SqlStatement) => marked(runner.pages(statement)),
  csvPages: async (statement: SqlStatement) => {
    const pages = await runner.csvPages(statement);
    return pages === undefined ? undefined : marked(pages);
  },
  close: () => runner.close(),
};

const started = performance.now();
const chosen = await runner.resultFormat();
let rows = 0;
let digest: string | undefined;
let phases: Record<string, number> | undefined;
if (mode === 'read') {
  for await (const page of runner.pages(slotSelect())) rows += page.length;
  report((performance.now() - started) / 1000, process.cpuUsage());
} else {
  if (!isExportTableName(TABLE)) throw new Error('the registry has no sys_query_detail: the export cannot be measured');
  const dir = await mkdtemp(join(tmpdir(), 'opslake-bench-'));
  const { instance, connection } = await openDuckDb({ memoryLimit: '128MB', tempDirectory: dir });
  const writer = new ParquetWriter(connection, { tempDirectory: dir });
  const lake = new (class extends LocalObjectStore {
    override putFile(key: string, localPath: string, options?: PutOptions): Promise<void> {
      marks.uploadStarted = performance.now();
      return super.putFile(key, localPath, options);
    }
  })(join(dir, 'lake'));
  const slot = { start: new Date(`${SLOT_START.replace(' ', 'T')}Z`), end: new Date(`${SLOT_END.replace(' ', 'T')}Z`), sealed: true };
  const written = await writeSlotObject(
    { runner: timedRunner, lake, writer },
    { cluster: workgroup.name, dialect: 'sys' },
    { table: TABLE },
    slot,
    '2026-11-20 12:30:00',
  );
  const finished = performance.now();
  const cpu = process.cpuUsage();
  rows = written.rows;
  const pagesRead = marks.pagesRead ?? finished;
  const uploadStarted = marks.uploadStarted ?? finished;
  phases = {
    readSeconds: (pagesRead - started) / 1000,
    copySeconds: (uploadStarted - pagesRead) / 1000,
    uploadSeconds: (finished - uploadStarted) / 1000,
  };
  // After the clock stops: what the file holds, row by row, as one number.
  const key = written.object?.key;
  if (key !== undefined) {
    const names = LAKE_COLUMNS.map((column) => `"${column.name}"`).join(', ');
    const reader = await connection.runAndReadAll(
      `SELECT CAST(bit_xor(hash(${names})) AS VARCHAR) AS digest FROM read_parquet(${sqlLiteral(join(dir, 'lake', key))})`,
    );
    digest = String(reader.getRowObjects()[0]?.digest ?? '');
  }
  instance.closeSync();
  await rm(dir, { recursive: true, force: true });
  report((finished - started) / 1000, cpu);
}

/** `cpu`: the process's CPU time when the clock stopped (DuckDB's threads included). */
function report(seconds: number, cpu: NodeJS.CpuUsage): void {
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const line = { mode, format: chosen.format, reason: chosen.reason, rows, seconds, maxRssMb, cpuSeconds, ...(phases ?? {}), digest };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
client.destroy();
