/** The CloudTrail benchmark's input, generated once and cached under .bench/cloudtrail/. */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDemoTrail, writeLargeTrailFile } from '../../pipeline/simulators/cloudtrail/demo-trail.js';

const DATA_ROOT = join(fileURLToPath(new URL('../..', import.meta.url)), '.bench', 'cloudtrail');
const BIG_FILE_BYTES = 500 * 1000 * 1000;
const START = new Date('2026-03-01T00:00:00Z');

/**
 * A realistic trail of `events` events in gzip files of 1,000-5,000 events, and one file of
 * 500 MB of uncompressed JSON; made on the first run, found on the next.
 */
export async function ensureData(events: number): Promise<string> {
  const dir = join(DATA_ROOT, `events-${events}`);
  const marker = join(dir, 'ready.json');
  if (existsSync(marker)) return dir;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  console.log(
    `generating ${events.toLocaleString('en-US')} events in files of 1,000-5,000 events under ${relative(process.cwd(), dir)} (once) ...`,
  );
  let started = performance.now();
  const trail = await generateDemoTrail({
    dir: join(dir, 'trail'),
    clusterNames: ['analytics', 'etl'],
    start: START,
    seed: 20260301,
    hours: 24 * 30,
    fileIntervalMinutes: 5,
    eventsPerFile: [1_000, 5_000],
    maxEvents: events,
  });
  const megabytes = (bytes: number) => (bytes / 1e6).toFixed(0);
  const seconds = () => ((performance.now() - started) / 1000).toFixed(0);
  console.log(
    `  ${trail.logFiles} files, ${megabytes(trail.compressedBytes)} MB gzip, ${megabytes(trail.uncompressedBytes)} MB JSON, ${seconds()} s`,
  );
  started = performance.now();
  const bigKey =
    'AWSLogs/444455556666/CloudTrail/us-east-1/2026/03/01/444455556666_CloudTrail_us-east-1_20260301T1200Z_BigBenchFile0001.json.gz';
  const big = await writeLargeTrailFile({
    path: join(dir, 'big', ...bigKey.split('/')),
    seed: 7,
    start: START,
    uncompressedBytes: BIG_FILE_BYTES,
  });
  console.log(`  one file of ${megabytes(big.uncompressedBytes)} MB JSON (${big.events.toLocaleString('en-US')} events), ${seconds()} s`);
  await writeFile(marker, JSON.stringify({ events: trail.events, files: trail.logFiles, bigEvents: big.events }));
  return dir;
}
