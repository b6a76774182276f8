/**
 * A simulated cluster for the export benchmark, in its own process (as a real cluster is on its
 * own machine): it loads N stl_scan rows into one slot and serves them over the PostgreSQL wire
 * protocol and through the Data API emulator. Prints one JSON line with the endpoints, then
 * serves until stdin closes.
 */
import { createSimulatedCluster } from '../../pipeline/simulators/redshift/index.js';
import { servePglite } from '../../pipeline/redshift/sql/pglite-server.js';
import { startDataApiEmulator } from '../../test/harness/data-api-emulator.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const slotStart = new Date('2026-11-20T10:00:00Z');
const started = performance.now();
const sim = await createSimulatedCluster({
  name: 'bench',
  profile: 'etl',
  seed: 1,
  start: new Date('2026-11-20T12:30:00Z'),
  historyHours: 0,
});
await sim.loadScanRows(rows, slotStart, 60);
await sim.db.query('ANALYZE');
const loadSeconds = (performance.now() - started) / 1000;
const pg = await servePglite({ db: sim.db });
const dataApi = await startDataApiEmulator({ db: sim.db, pageSize: 5_000, describesBeforeFinished: 1 });
process.stdout.write(
  `${JSON.stringify({ pgUrl: pg.url, dataApiEndpoint: dataApi.endpoint, slotStart: slotStart.toISOString(), loadSeconds })}\n`,
);
process.stdin.resume();
process.stdin.on('end', async () => {
  await dataApi.close();
  await pg.close();
  await sim.close();
  process.exit(0);
});
