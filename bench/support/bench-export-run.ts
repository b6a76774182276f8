/**
 * One measurement of the export benchmark, in its own process so that its peak RSS is its own:
 * `baseline` reads the slot's rows through the client and discards them; `export` runs the
 * exporter on the same cluster into a fresh local lake. Prints one JSON line.
 */
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterConfig } from '../../pipeline/config/opslake-config.js';
import { openDuckDb } from '../../pipeline/duckdb/duckdb-engine.js';
import { ClusterExporter } from '../../pipeline/redshift/cluster-exporter.js';
import { formatSqlTimestamp } from '../../pipeline/redshift/slot-time.js';
import { ParquetWriter } from '../../pipeline/lake/parquet-writer.js';
import type { SqlRunner } from '../../pipeline/ports/sql-runner.js';
import { DataApiSqlRunner } from '../../pipeline/redshift/sql/data-api-sql-runner.js';
import { PgSqlRunner } from '../../pipeline/redshift/sql/pg-sql-runner.js';
import { FileStateStore } from '../../pipeline/state/file-state-store.js';
import { LocalObjectStore } from '../../pipeline/store/local-object-store.js';
import { renderSlotSelect, slotStatement } from '../../pipeline/redshift/slot-sql.js';

const [mode, transport, endpoint, slotStartIso] = process.argv.slice(2) as ['baseline' | 'export', 'pg' | 'data-api', string, string];
const cluster: ClusterConfig = {
  name: 'bench',
  kind: 'provisioned',
  clusterIdentifier: 'bench',
  database: 'dev',
  auth: { type: 'db-user', dbUser: 'opslake' },
  views: 'stl',
  tables: ['stl_scan'],
  enabled: true,
  connection: { type: 'data-api' },
};

function openRunner(): SqlRunner {
  if (transport === 'pg') return new PgSqlRunner({ url: endpoint, poolSize: 1 });
  const client = new RedshiftDataClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
  });
  return new DataApiSqlRunner({ client, cluster, pollInitialDelayMs: 50, pollMaxDelayMs: 200 });
}

const runner = openRunner();
const started = performance.now();
let rows = 0;
let extra: Record<string, unknown> = {};
if (mode === 'baseline') {
  const slotStart = new Date(slotStartIso);
  const statement = slotStatement(
    renderSlotSelect('stl_scan'),
    formatSqlTimestamp(slotStart),
    formatSqlTimestamp(new Date(slotStart.getTime() + 3_600_000)),
  );
  for await (const page of runner.pages(statement)) rows += page.length;
} else {
  const dir = await mkdtemp(join(tmpdir(), 'opslake-bench-'));
  const { instance, connection } = await openDuckDb({ memoryLimit: '128MB', tempDirectory: dir });
  const exporter = new ClusterExporter({
    runner,
    lake: new LocalObjectStore(join(dir, 'lake')),
    state: new FileStateStore(join(dir, 'state')),
    writer: new ParquetWriter(connection, { tempDirectory: dir }),
  });
  const result = await exporter.export({ cluster, settings: { slotMinutes: 60, latenessMinutes: 15, concurrency: 1 } });
  const table = result.tables[0];
  rows = table?.rows ?? 0;
  extra = { status: result.status, slotsWritten: table?.slotsWritten };
  instance.closeSync();
  await rm(dir, { recursive: true, force: true });
}
const seconds = (performance.now() - started) / 1000;
await runner.close();
process.stdout.write(`${JSON.stringify({ mode, transport, rows, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, ...extra })}\n`);
