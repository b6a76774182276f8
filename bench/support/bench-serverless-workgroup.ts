/**
 * A Serverless-like workgroup for the export benchmark, in its own process (as the service is on
 * machines of its own): PGlite holding N `sys_query_detail` rows in one slot, served through
 * the Data API emulator with pages bounded by size only (1 MiB, the emulator's default: the
 * service does not document its page size). Prints one JSON line with the endpoint, then serves
 * until stdin closes. Only the latest result is held, so that one statement's rows at a time
 * sit in this process's memory.
 */
import { PGlite } from '@electric-sql/pglite';
import { startDataApiEmulator } from '../../test/harness/data-api-emulator.js';
import { columnSource, createTablesSql, loadSql } from './sys-query-detail-bench-table.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const started = performance.now();
const db = await PGlite.create();
await db.exec(createTablesSql());
for (const statement of loadSql(rows)) await db.exec(statement);
await db.exec('ANALYZE');
const loadSeconds = (performance.now() - started) / 1000;
const dataApi = await startDataApiEmulator({ db, pageSize: Number.POSITIVE_INFINITY, describesBeforeFinished: 1, retainedResults: 1 });
process.stdout.write(`${JSON.stringify({ dataApiEndpoint: dataApi.endpoint, loadSeconds, columnSource })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await dataApi.close();
  await db.close();
  process.exit(0);
});
