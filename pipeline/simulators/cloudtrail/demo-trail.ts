import type { KeyObject } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type DeliveredFile, deliveredFile, writeDemoDigests, writePlaceholderDigest } from './demo-digests.js';
import { DemoEventFactory } from './demo-event-factory.js';
import type { DemoAccount, DemoRecord } from './demo-record.js';
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
  /**
   * Hourly digests for every stream, as CloudTrail writes with log file validation on, with a
   * finding planted for them to show: one log file they name is missing, one was changed after
   * delivery. Default false: one unsigned digest that names two files (what ingestion skips).
   */
  readonly digests?: boolean;
  /** Signs the digests (RSA, as CloudTrail's); without it they carry no signature. */
  readonly digestSigningKey?: KeyObject;
}

/** The two log files the demo's digests show up: one CloudTrail delivered that is not there, one altered since. */
export interface PlantedFindings {
  /** Named by a digest, never written to the bucket. */
  readonly missing: string;
  /** Written, then one of its events altered: its SHA-256 is no longer the digest's. */
  readonly changed: string;
}

export interface DemoTrailSummary {
  readonly dir: string;
  readonly logFiles: number;
  readonly events: number;
  readonly insightFiles: number;
  readonly insightEvents: number;
  readonly digestFiles: number;
  /** The findings planted for the digests to show (with `digests`). */
  readonly planted?: PlantedFindings;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  readonly keys: readonly string[];
}

const ORGANIZATION_ID = 'o-a1b2c3d4e5';
const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export interface Stream {
  readonly account: DemoAccount;
  readonly region: string;
  /** Key prefix up to and including the account segment. */
  readonly base: string;
  /** Relative activity. */
  readonly weight: number;
  /** The trail that delivers it, and the bucket its digests name. */
  readonly trail: string;
  readonly bucket: string;
}

/** The trail's streams; the second, the analytics account in us-east-1, also gets the Insight (and the lost file). */
export function demoStreams(clusterNames: readonly string[]): [Stream, Stream, ...Stream[]] {
  const management: DemoAccount = { id: '111122223333', alias: 'acme-management', clusters: [] };
  const analytics: DemoAccount = { id: '444455556666', alias: 'acme-analytics', clusters: clusterNames };
  // A leading zero: account ids are strings, never numbers.
  const sandbox: DemoAccount = { id: '012345678901', alias: 'acme-sandbox', clusters: [] };
  const security: DemoAccount = { id: '777788889999', alias: 'acme-security', clusters: [] };
  const org = (account: DemoAccount) => `AWSLogs/${ORGANIZATION_ID}/${account.id}`;
  const trail = { trail: 'org-trail', bucket: 'acme-org-trail' };
  return [
    { account: management, region: 'us-east-1', base: org(management), weight: 0.6, ...trail },
    { account: analytics, region: 'us-east-1', base: org(analytics), weight: 1.4, ...trail },
    { account: analytics, region: 'eu-west-1', base: org(analytics), weight: 1, ...trail },
    { account: sandbox, region: 'us-east-1', base: org(sandbox), weight: 0.5, ...trail },
    { account: sandbox, region: 'eu-west-1', base: org(sandbox), weight: 0.3, ...trail },
    // An account outside the organization with its own trail under a custom prefix.
    {
      account: security,
      region: 'us-east-1',
      base: `security/trails/AWSLogs/${security.id}`,
      weight: 0.4,
      trail: 'security-trail',
      bucket: 'acme-security-trail',
    },
  ];
}

function stamp(time: Date): string {
  return `${time.toISOString().replace(/[-:]/g, '').slice(0, 13)}Z`;
}

/** The analytics account's us-east-1 stream: the one with the demo clusters, the Insight, the lost file and the digest. */
export function analyticsStream(streams: readonly Stream[]): Stream {
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
 * delivered just after midnight holds events of both days), one Insights file, and digests
 * (see `digests`). The same options (and signing key) always give the same bytes.
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
  // What the digests name, per stream; and the file altered after delivery, in the middle of the first stream.
  const delivered: DeliveredFile[][] = streams.map(() => []);
  const changeAt = Math.floor((hours * 3_600_000) / interval / 2);
  let changedKey: string | undefined;
  let tickIndex = 0;

  // Delivery lags the events by a few minutes, and a file holds events from slightly before
  // its interval too: files overlap in time and are not ordered, as CloudTrail's are not.
  const lag = 3 * 60_000;
  outer: for (let tick = start + interval + lag; tick <= end + lag; tick += interval, tickIndex += 1) {
    for (const [index, stream] of streams.entries()) {
      if (events >= limit) break outer;
      const deliveredAt = new Date(tick + random.int(0, 59) * 1000);
      const count = Math.min(limit - events, Math.max(minEvents, Math.round(random.int(minEvents, maxEvents) * stream.weight)));
      const records: DemoRecord[] = [];
      for (let i = 0; i < count; i += 1) {
        const at = new Date(tick - lag - interval - 120_000 + Math.floor(random.next() * (interval + 120_000 + lag)));
        records.push(factory.event(stream.account, stream.region, at));
      }
      const key = logKey(stream, 'CloudTrail', deliveredAt, random.chars(16, ALPHANUMERIC));
      let body = JSON.stringify({ Records: records });
      if (options.digests) {
        delivered[index]?.push(deliveredFile(key, body, records, deliveredAt));
        if (index === 0 && tickIndex === changeAt) {
          // Someone rewrote the caller's address of one event after CloudTrail delivered the file.
          body = JSON.stringify({ Records: [{ ...records[0], sourceIPAddress: '203.0.113.250' }, ...records.slice(1)] });
          changedKey = key;
        }
      }
      compressedBytes += await writeGzip(options.dir, key, body, level);
      uncompressedBytes += Buffer.byteLength(body);
      keys.push(key);
      events += count;
      logFiles += 1;
    }
  }

  // One Insight (Start and End) in the analytics account, delivered some time after it ended.
  const analytics = analyticsStream(streams);
  const analyticsIndex = streams.indexOf(analytics);
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
    const scenarioAt = new Date(at.getTime() + 15 * 60_000);
    const scenarioKey = logKey(analytics, 'CloudTrail', scenarioAt, 'DocExamples00001');
    const scenarioBody = JSON.stringify({ Records: scenario });
    if (options.digests) delivered[analyticsIndex]?.push(deliveredFile(scenarioKey, scenarioBody, scenario, scenarioAt));
    compressedBytes += await writeGzip(options.dir, scenarioKey, scenarioBody, level);
    uncompressedBytes += Buffer.byteLength(scenarioBody);
    keys.push(scenarioKey);
    events += scenario.length;
    logFiles += 1;
  }

  let digests: { keys: string[]; bytes: number };
  let planted: PlantedFindings | undefined;
  if (options.digests) {
    // A file CloudTrail delivered that never reached the bucket: only its digest knows of it.
    const lost = analytics;
    const lostAt = new Date(start + Math.floor(hours / 2) * 3_600_000 + 20 * 60_000);
    const lostRecords = Array.from({ length: 12 }, (_, i) =>
      factory.event(lost.account, lost.region, new Date(lostAt.getTime() - i * 90_000)),
    );
    const lostKey = logKey(lost, 'CloudTrail', lostAt, random.chars(16, ALPHANUMERIC));
    delivered[analyticsIndex]?.push(deliveredFile(lostKey, JSON.stringify({ Records: lostRecords }), lostRecords, lostAt));
    const digestStreams = streams.map((stream, index) => ({ ...stream, account: stream.account.id, files: delivered[index] ?? [] }));
    digests = await writeDemoDigests(options.dir, digestStreams, {
      start: options.start,
      hours,
      ...(options.digestSigningKey ? { privateKey: options.digestSigningKey } : {}),
    });
    planted = { missing: lostKey, changed: changedKey ?? '' };
  } else {
    const { account, region, base, trail } = analytics;
    digests = await writePlaceholderDigest(options.dir, { account: account.id, region, base, trail }, keys, random, { start, level });
  }
  compressedBytes += digests.bytes;
  keys.push(...digests.keys);

  return {
    dir: options.dir,
    logFiles,
    events,
    insightFiles: 1,
    insightEvents: insight.length,
    digestFiles: digests.keys.length,
    ...(planted ? { planted } : {}),
    compressedBytes,
    uncompressedBytes,
    accounts: [...new Set(streams.map((stream) => stream.account.id))],
    regions: [...new Set(streams.map((stream) => stream.region))],
    keys,
  };
}
