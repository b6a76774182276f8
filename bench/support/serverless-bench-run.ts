/**
 * One measurement of the Serverless case of the export benchmark, in its own process so that
 * its peak RSS is its own. `node serverless-bench-run.ts <read|export> <auto|csv|json> <endpoint>`:
 *
 * - `read`: the slot's SELECT through a DataApiSqlRunner on the same SDK client, rows discarded;
 * - `export`: the same pages through what `writeSlotObject` does with a slot (rows read ahead,
 *   the lake's ParquetWriter, the object put into a local lake), with `sys_query_detail`'s
 *   columns. The exporter itself does not know SYS views yet, so its planning, lease and
 *   watermark steps (a few small statements) are not part of this measurement.
 *
 * Prints one JSON line: the format the runner read (and why), rows, seconds, peak RSS, and for
 * an export a digest of the Parquet file's rows, so that two exports can be compared.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { ClusterConfig } from '../../pipeline/config/opslake-config.js';
import { openDuckDb, sqlLiteral } from '../../pipeline/duckdb/duckdb-engine.js';
import { ParquetWriter } from '../../pipeline/lake/parquet-writer.js';
import { DataApiSqlRunner, type DataApiResultFormat } from '../../pipeline/redshift/sql/data-api-sql-runner.js';
import { LocalObjectStore } from '../../pipeline/store/local-object-store.js';
import { readAhead } from '../../pipeline/util/read-ahead.js';
import { LAKE_COLUMNS, slotSelect } from './sys-query-detail-bench-table.js';

const [mode, format, endpoint] = process.argv.slice(2) as ['read' | 'export', DataApiResultFormat | 'auto', string];
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

const started = performance.now();
const chosen = await runner.resultFormat();
let rows = 0;
let digest: string | undefined;
if (mode === 'read') {
  for await (const page of runner.pages(slotSelect())) rows += page.length;
} else {
  const dir = await mkdtemp(join(tmpdir(), 'opslake-bench-'));
  const { instance, connection } = await openDuckDb({ memoryLimit: '128MB', tempDirectory: dir });
  const writer = new ParquetWriter(connection, { tempDirectory: dir });
  const lake = new LocalObjectStore(join(dir, 'lake'));
  const file = await writer.write(LAKE_COLUMNS, readAhead(runner.pages(slotSelect())), { exported_at: '2026-11-20 12:30:00' });
  const key = 'redshift/sys_query_detail/cluster=bench-serverless/day=2026-11-20/slot=1000.parquet';
  if (file) {
    await lake.putFile(key, file.path);
    await writer.discard(file);
    rows = file.rows;
  }
  const seconds = (performance.now() - started) / 1000;
  // After the clock stops: what the file holds, row by row, as one number.
  const names = LAKE_COLUMNS.map((column) => `"${column.name}"`).join(', ');
  const reader = await connection.runAndReadAll(
    `SELECT CAST(bit_xor(hash(${names})) AS VARCHAR) AS digest FROM read_parquet(${sqlLiteral(join(dir, 'lake', key))})`,
  );
  digest = String(reader.getRowObjects()[0]?.digest ?? '');
  instance.closeSync();
  await rm(dir, { recursive: true, force: true });
  report(seconds);
}
if (mode === 'read') report((performance.now() - started) / 1000);

function report(seconds: number): void {
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  const line = { mode, format: chosen.format, reason: chosen.reason, rows, seconds, maxRssMb, ...(digest ? { digest } : {}) };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
client.destroy();
