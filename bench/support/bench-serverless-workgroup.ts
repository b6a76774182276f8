/**
 * A Serverless-like workgroup for the export benchmark, in its own process (as the service is on
 * machines of its own): PGlite holding N `sys_query_detail` rows in one slot, served through
 * the Data API emulator with pages bounded by size only (1 MiB, the emulator's default: the
 * service does not document its page size). Prints one JSON line with the endpoint, then serves
 * until stdin closes. Only the latest result is held, so that one statement's rows at a time
 * sit in this process's memory.
 *
 * The rows are generated once (the generator is deterministic) and their data folder kept in
 * `.bench/` as a tarball named after the row count and the columns; later runs load it.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { startDataApiEmulator } from '../../test/harness/data-api-emulator.js';
import { columnSource, createTablesSql, loadSql } from './sys-query-detail-bench-table.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const started = performance.now();
const ddl = createTablesSql();
const load = loadSql(rows);
const fingerprint = createHash('sha256').update(ddl).update(load.join('\n')).digest('hex').slice(0, 12);
const cached = join('.bench', `serverless-sys-query-detail-${rows}-${fingerprint}.tar`);

async function generated(): Promise<PGlite> {
  const db = await PGlite.create();
  await db.exec(ddl);
  for (const statement of load) await db.exec(statement);
  await db.exec('ANALYZE');
  const dump = await db.dumpDataDir('none');
  await mkdir('.bench', { recursive: true });
  // Written under another name first: a run stopped half-way leaves no half a folder to load.
  await writeFile(`${cached}.part`, Buffer.from(await dump.arrayBuffer()));
  await rename(`${cached}.part`, cached);
  return db;
}

const fromCache = existsSync(cached);
const db = fromCache ? await PGlite.create({ loadDataDir: new Blob([await readFile(cached)]) }) : await generated();
const loadSeconds = (performance.now() - started) / 1000;
const dataApi = await startDataApiEmulator({ db, pageSize: Number.POSITIVE_INFINITY, describesBeforeFinished: 1, retainedResults: 1 });
const data = fromCache ? `loaded from ${cached}` : `generated, kept in ${cached}`;
process.stdout.write(`${JSON.stringify({ dataApiEndpoint: dataApi.endpoint, loadSeconds, columnSource, data })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await dataApi.close();
  await db.close();
  process.exit(0);
});
