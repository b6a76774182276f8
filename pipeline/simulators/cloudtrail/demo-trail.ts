import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createGzip, gzipSync } from 'node:zlib';
import { DemoEventFactory } from './demo-event-factory.js';
import { type DemoAccount, type DemoRecord, iso } from './demo-record.js';
import { SeededRandom } from '../seeded-random.js';
import { documentedScenarioEvents } from './documented-scenarios.js';

export interface DemoTrailOptions {
  /** Folder that plays the CloudTrail bucket: its relative paths are the S3 keys. */
  readonly dir: string;
  /** Redshift clusters of the demo; the analytics account's events name them. */
  readonly clusterNames: readonly string[];
  /** Start of the trail (the demo clock). */
  readonly start: Date;
  readonly seed: number;
  /** Length of the trail; default 24 hours, so that it always spans a midnight. */
  readonly hours?: number;
  /** One file per account and region every this many minutes; default 30 (CloudTrail's is about 5). */
  readonly fileIntervalMinutes?: number;
  /** Events per file, [min, max]; default [10, 80]. */
  readonly eventsPerFile?: readonly [number, number];
  /** Stop once this many events are written (benchmarks); default no limit. */
  readonly maxEvents?: number;
  /** gzip level; default 6 (CloudTrail's own files are about that). */
  readonly gzipLevel?: number;
}

export interface DemoTrailSummary {
  readonly dir: string;
  readonly logFiles: number;
  readonly events: number;
  readonly insightFiles: number;
  readonly insightEvents: number;
  readonly digestFiles: number;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  readonly keys: readonly string[];
}

const ORGANIZATION_ID = 'o-a1b2c3d4e5';
const TRAIL_NAME = 'org-trail';

interface Stream {
  readonly account: DemoAccount;
  readonly region: string;
  /** Key prefix up to and including the account segment. */
  readonly base: string;
  /** Relative activity. */
  readonly weight: number;
}

/** The trail's streams; the second, the analytics account in us-east-1, also gets the Insight and the digest. */
function demoStreams(clusterNames: readonly string[]): [Stream, Stream, ...Stream[]] {
  const management: DemoAccount = { id: '111122223333', alias: 'acme-management', clusters: [] };
  const analytics: DemoAccount = { id: '444455556666', alias: 'acme-analytics', clusters: clusterNames };
  // A leading zero: account ids are strings, never numbers.
  const sandbox: DemoAccount = { id: '012345678901', alias: 'acme-sandbox', clusters: [] };
  const security: DemoAccount = { id: '777788889999', alias: 'acme-security', clusters: [] };
  const org = (account: DemoAccount) => `AWSLogs/${ORGANIZATION_ID}/${account.id}`;
  return [
    { account: management, region: 'us-east-1', base: org(management), weight: 0.6 },
    { account: analytics, region: 'us-east-1', base: org(analytics), weight: 1.4 },
    { account: analytics, region: 'eu-west-1', base: org(analytics), weight: 1 },
    { account: sandbox, region: 'us-east-1', base: org(sandbox), weight: 0.5 },
    { account: sandbox, region: 'eu-west-1', base: org(sandbox), weight: 0.3 },
    // An account outside the organization with its own trail under a custom prefix.
    { account: security, region: 'us-east-1', base: `security/trails/AWSLogs/${security.id}`, weight: 0.4 },
  ];
}

function stamp(time: Date): string {
  return `${time.toISOString().replace(/[-:]/g, '').slice(0, 13)}Z`;
}

/** The analytics account's us-east-1 stream: the one with the demo clusters, the Insight and the digest. */
function analyticsStream(streams: readonly Stream[]): Stream {
  const found = streams.find((stream) => stream.account.alias === 'acme-analytics' && stream.region === 'us-east-1');
  if (!found) throw new RangeError('the demo trail has no analytics stream');
  return found;
}

function datePath(time: Date): string {
  return time.toISOString().slice(0, 10).replaceAll('-', '/');
}

/** `<base>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz` */
function logKey(stream: Stream, folder: 'CloudTrail' | 'CloudTrail-Insight', deliveredAt: Date, unique: string): string {
  const name = `${stream.account.id}_${folder}_${stream.region}_${stamp(deliveredAt)}_${unique}.json.gz`;
  return `${stream.base}/${folder}/${stream.region}/${datePath(deliveredAt)}/${name}`;
}

async function writeGzip(dir: string, key: string, body: string, level: number): Promise<number> {
  const path = join(dir, ...key.split('/'));
  await mkdir(dirname(path), { recursive: true });
  const gz = gzipSync(body, { level });
  await writeFile(path, gz);
  return gz.length;
}

/**
 * Writes a realistic CloudTrail bucket into `dir`: an organization trail (three accounts, two
 * regions) and a standalone account's trail under a custom prefix, files every
 * `fileIntervalMinutes` holding the events of the minutes before their delivery (so the file
 * delivered just after midnight holds events of both days), one Insights file and one digest.
 * The same options always give the same bytes.
 */
export async function generateDemoTrail(options: DemoTrailOptions): Promise<DemoTrailSummary> {
  const random = SeededRandom.fromSeed(options.seed);
  const streams = demoStreams(options.clusterNames);
  const factory = new DemoEventFactory(random, [...new Set(streams.map((stream) => stream.account))]);
  const hours = options.hours ?? 24;
  const interval = (options.fileIntervalMinutes ?? 30) * 60_000;
  const [minEvents, maxEvents] = options.eventsPerFile ?? [10, 80];
  const level = options.gzipLevel ?? 6;
  const limit = options.maxEvents ?? Number.POSITIVE_INFINITY;
  const start = options.start.getTime();
  const end = start + hours * 3_600_000;
  const keys: string[] = [];
  let events = 0;
  let compressedBytes = 0;
  let uncompressedBytes = 0;
  let logFiles = 0;

  // Delivery lags the events by a few minutes, and a file holds events from slightly before
  // its interval too: files overlap in time and are not ordered, as CloudTrail's are not.
  const lag = 3 * 60_000;
  outer: for (let tick = start + interval + lag; tick <= end + lag; tick += interval) {
    for (const stream of streams) {
      if (events >= limit) break outer;
      const deliveredAt = new Date(tick + random.int(0, 59) * 1000);
      const count = Math.min(limit - events, Math.max(minEvents, Math.round(random.int(minEvents, maxEvents) * stream.weight)));
      const records: DemoRecord[] = [];
      for (let i = 0; i < count; i += 1) {
        const at = new Date(tick - lag - interval - 120_000 + Math.floor(random.next() * (interval + 120_000 + lag)));
        records.push(factory.event(stream.account, stream.region, at));
      }
      const key = logKey(
        stream,
        'CloudTrail',
        deliveredAt,
        random.chars(16, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'),
      );
      const body = JSON.stringify({ Records: records });
      compressedBytes += await writeGzip(options.dir, key, body, level);
      uncompressedBytes += Buffer.byteLength(body);
      keys.push(key);
      events += count;
      logFiles += 1;
    }
  }

  // One Insight (Start and End) in the analytics account, delivered some time after it ended.
  const analytics = analyticsStream(streams);
  const insightStart = new Date(start + Math.floor((end - start) * 0.4));
  const insight = factory.insightPair(analytics.account, analytics.region, insightStart, 21);
  const insightKey = logKey(analytics, 'CloudTrail-Insight', new Date(insightStart.getTime() + 45 * 60_000), random.chars(16));
  const insightBody = JSON.stringify({ Records: insight });
  compressedBytes += await writeGzip(options.dir, insightKey, insightBody, level);
  uncompressedBytes += Buffer.byteLength(insightBody);
  keys.push(insightKey);

  // The events the AWS documentation's example queries look for, in a file of their own (it
  // takes nothing from the random sequence, so the rest of the trail is as it was).
  if (options.maxEvents === undefined) {
    const at = new Date(start + Math.floor((end - start) * 0.6));
    const scenario = documentedScenarioEvents(analytics.account, analytics.region, at);
    const scenarioKey = logKey(analytics, 'CloudTrail', new Date(at.getTime() + 15 * 60_000), 'DocExamples00001');
    const scenarioBody = JSON.stringify({ Records: scenario });
    compressedBytes += await writeGzip(options.dir, scenarioKey, scenarioBody, level);
    uncompressedBytes += Buffer.byteLength(scenarioBody);
    keys.push(scenarioKey);
    events += scenario.length;
    logFiles += 1;
  }

  // One digest: recognised by its folder and skipped by ingestion.
  const digestEnd = new Date(start + 3_600_000);
  const digestStamp = `${digestEnd.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
  const digestName = `${analytics.account.id}_CloudTrail-Digest_${analytics.region}_${TRAIL_NAME}_us-east-1_${digestStamp}.json.gz`;
  const digestKey = `${analytics.base}/CloudTrail-Digest/${analytics.region}/${datePath(digestEnd)}/${digestName}`;
  const digest = {
    awsAccountId: analytics.account.id,
    digestStartTime: iso(new Date(start)),
    digestEndTime: iso(digestEnd),
    digestS3Bucket: 'acme-org-trail',
    digestS3Object: digestKey,
    digestPublicKeyFingerprint: random.chars(32, '0123456789abcdef'),
    digestSignatureAlgorithm: 'SHA256withRSA',
    newestEventTime: iso(digestEnd),
    oldestEventTime: iso(new Date(start)),
    previousDigestS3Bucket: null,
    previousDigestS3Object: null,
    previousDigestHashValue: null,
    previousDigestHashAlgorithm: null,
    previousDigestSignature: null,
    logFiles: keys
      .filter((key) => key.startsWith(`${analytics.base}/CloudTrail/${analytics.region}/`))
      .slice(0, 2)
      .map((key) => ({
        s3Bucket: 'acme-org-trail',
        s3Object: key,
        hashValue: random.chars(64, '0123456789abcdef'),
        hashAlgorithm: 'SHA-256',
        newestEventTime: iso(digestEnd),
        oldestEventTime: iso(new Date(start)),
      })),
  };
  compressedBytes += await writeGzip(options.dir, digestKey, JSON.stringify(digest), level);
  keys.push(digestKey);

  return {
    dir: options.dir,
    logFiles,
    events,
    insightFiles: 1,
    insightEvents: insight.length,
    digestFiles: 1,
    compressedBytes,
    uncompressedBytes,
    accounts: [...new Set(streams.map((stream) => stream.account.id))],
    regions: [...new Set(streams.map((stream) => stream.region))],
    keys,
  };
}

export interface LargeTrailFileOptions {
  readonly path: string;
  readonly seed: number;
  readonly start: Date;
  /** Stop once this many uncompressed bytes are written. */
  readonly uncompressedBytes: number;
  readonly clusterNames?: readonly string[];
  readonly gzipLevel?: number;
}

/**
 * Writes one gzip CloudTrail file of about `uncompressedBytes` (hundreds of MB for the
 * memory benchmark), streaming: the generator itself never holds more than a few events.
 */
export async function writeLargeTrailFile(options: LargeTrailFileOptions): Promise<{ events: number; uncompressedBytes: number }> {
  const random = SeededRandom.fromSeed(options.seed);
  const stream = analyticsStream(demoStreams(options.clusterNames ?? ['analytics', 'etl']));
  const factory = new DemoEventFactory(random, [stream.account]);
  let events = 0;
  let written = 0;
  const start = options.start.getTime();
  const body = Readable.from(
    (function* records() {
      let batch = '{"Records":[';
      while (written + batch.length < options.uncompressedBytes) {
        const at = new Date(start + Math.floor((events / 200) * 1000));
        batch += (events === 0 ? '' : ',') + JSON.stringify(factory.event(stream.account, stream.region, at));
        events += 1;
        if (batch.length >= 1 << 16) {
          written += Buffer.byteLength(batch);
          yield batch;
          batch = '';
        }
      }
      batch += ']}';
      written += Buffer.byteLength(batch);
      yield batch;
    })(),
  );
  await mkdir(dirname(options.path), { recursive: true });
  await pipeline(
    body,
    createGzip({ level: options.gzipLevel ?? 6, memLevel: constants.Z_DEFAULT_MEMLEVEL }),
    createWriteStream(options.path),
  );
  return { events, uncompressedBytes: written };
}
