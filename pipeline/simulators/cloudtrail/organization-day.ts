import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SeededRandom } from '../seeded-random.js';
import { DemoEventFactory } from './demo-event-factory.js';
import type { DemoAccount, DemoRecord } from './demo-record.js';

/**
 * One UTC day of an organization trail as CloudTrail delivers it to the bucket: many accounts and
 * regions, each (account, region) stream a file every few minutes, and most files small. The
 * benchmarks use it to measure the lake at the size its users live at (live ingestion one file at
 * a time, compaction of the day, queries before and after).
 */
export interface OrganizationDayOptions {
  /** Folder that plays the bucket: its relative paths are the S3 keys. */
  readonly dir: string;
  /** The delivery day, YYYY-MM-DD. */
  readonly day: string;
  /** Log files to write in all. */
  readonly files: number;
  readonly seed: number;
  /**
   * Streams: at least this many (default 100), more when `files` needs them to keep a file every
   * 5 minutes at most; never more than the organization has (`accounts` x the 17 regions).
   */
  readonly minStreams?: number;
  /** Accounts of the organization (default 100). */
  readonly accounts?: number;
  /** gzip level; default 6 (CloudTrail's own files are about that). */
  readonly gzipLevel?: number;
}

/** A log file written: its key and its size in the bucket. */
export interface OrganizationFile {
  readonly key: string;
  readonly size: number;
  readonly events: number;
}

export interface OrganizationDaySummary {
  readonly day: string;
  readonly streams: number;
  readonly accounts: number;
  readonly intervalMinutes: number;
  readonly files: readonly OrganizationFile[];
  readonly events: number;
  /** Events delivered a second time in a later file of their stream (CloudTrail does that). */
  readonly redelivered: number;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
}

export const ORGANIZATION_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'sa-east-1',
] as const;

const ORGANIZATION_ID = 'o-a1b2c3d4e5';
const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const DAY_MINUTES = 1_440;
/** CloudTrail delivers a stream's events about every 5 minutes, never more often. */
const MIN_INTERVAL_MINUTES = 5;
/** Share of files that repeat a few events of their stream's previous file. */
const REDELIVERY_CHANCE = 0.002;

export function organizationAccountId(index: number): string {
  return String(100_000_000_000 + index * 7_919).padStart(12, '0');
}

/** How many streams and how often each delivers, for `files` files in a day. */
export function organizationShape(files: number, minStreams: number, maxStreams: number): { streams: number; intervalMinutes: number } {
  if (!Number.isInteger(files) || files < 1) throw new RangeError('files must be a positive integer');
  const perStream = DAY_MINUTES / MIN_INTERVAL_MINUTES;
  const streams = Math.min(maxStreams, files, Math.max(minStreams, Math.ceil(files / perStream)));
  const intervalMinutes = Math.max(MIN_INTERVAL_MINUTES, Math.floor((DAY_MINUTES * streams) / files));
  return { streams, intervalMinutes };
}

/**
 * Events in one file: most files hold a handful (quiet regions, an account's background calls),
 * some tens, a few hundreds (a busy account's us-east-1, where global services log).
 */
function eventsInFile(random: SeededRandom, region: string): number {
  const draw = random.next();
  const busy = region === 'us-east-1' ? 3 : 1;
  if (draw < 1 - 0.2 * busy) return random.int(1, 10);
  if (draw < 1 - 0.04 * busy) return random.int(10, 60);
  return random.int(100, 400);
}

function stamp(time: Date): string {
  return `${time.toISOString().replace(/[-:]/g, '').slice(0, 13)}Z`;
}

/** `AWSLogs/<o-id>/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz` */
export function organizationLogKey(account: string, region: string, deliveredAt: Date, unique: string): string {
  const folder = deliveredAt.toISOString().slice(0, 10).replaceAll('-', '/');
  const name = `${account}_CloudTrail_${region}_${stamp(deliveredAt)}_${unique}.json.gz`;
  return `AWSLogs/${ORGANIZATION_ID}/${account}/CloudTrail/${region}/${folder}/${name}`;
}

/**
 * Writes the day's log files into `dir`, streams in account order (the first account's 17
 * regions, then the next account's), each stream a file every `intervalMinutes` holding the
 * events of the minutes before its delivery (the first files of the day hold events of the day
 * before, as CloudTrail's do). The same options always give the same bytes.
 */
export async function generateOrganizationDay(options: OrganizationDayOptions): Promise<OrganizationDaySummary> {
  const accountCount = options.accounts ?? 100;
  const { streams, intervalMinutes } = organizationShape(
    options.files,
    options.minStreams ?? 100,
    accountCount * ORGANIZATION_REGIONS.length,
  );
  const random = SeededRandom.fromSeed(options.seed);
  const accounts: DemoAccount[] = [];
  for (let index = 0; index * ORGANIZATION_REGIONS.length < streams; index += 1) {
    accounts.push({ id: organizationAccountId(index), alias: `org-account-${index}`, clusters: [] });
  }
  const factory = new DemoEventFactory(random, accounts);
  const level = options.gzipLevel ?? 6;
  const dayStart = Date.parse(`${options.day}T00:00:00Z`);
  if (Number.isNaN(dayStart)) throw new RangeError(`day must be YYYY-MM-DD: ${options.day}`);
  const interval = intervalMinutes * 60_000;
  const lag = 3 * 60_000;
  const previous: DemoRecord[][] = Array.from({ length: streams }, () => []);
  const files: OrganizationFile[] = [];
  let events = 0;
  let redelivered = 0;
  let compressedBytes = 0;
  let uncompressedBytes = 0;
  const folders = new Set<string>();
  for (let tick = dayStart + interval; files.length < options.files; tick += interval) {
    if (tick > dayStart + DAY_MINUTES * 60_000) throw new RangeError(`${options.files} files do not fit in a day of ${streams} streams`);
    for (let stream = 0; stream < streams && files.length < options.files; stream += 1) {
      const account = accounts[Math.floor(stream / ORGANIZATION_REGIONS.length)];
      const region = ORGANIZATION_REGIONS[stream % ORGANIZATION_REGIONS.length];
      if (account === undefined || region === undefined) throw new RangeError(`no account or region for stream ${stream}`);
      // Spread over the interval that ends at the tick: every file is delivered on the day.
      const deliveredAt = new Date(tick - random.int(1, interval / 1000) * 1000);
      const count = eventsInFile(random, region);
      const records: DemoRecord[] = [];
      for (let i = 0; i < count; i += 1) {
        const at = new Date(deliveredAt.getTime() - lag - Math.floor(random.next() * (interval + 120_000)));
        records.push(factory.event(account, region, at));
      }
      const earlier = previous[stream] ?? [];
      if (earlier.length > 0 && random.chance(REDELIVERY_CHANCE)) {
        const again = earlier.slice(0, Math.min(earlier.length, random.int(1, 5)));
        records.push(...again);
        redelivered += again.length;
      }
      previous[stream] = records;
      const key = organizationLogKey(account.id, region, deliveredAt, random.chars(16, ALPHANUMERIC));
      const body = JSON.stringify({ Records: records });
      const gz = gzipSync(body, { level });
      const path = join(options.dir, ...key.split('/'));
      const folder = dirname(path);
      if (!folders.has(folder)) {
        await mkdir(folder, { recursive: true });
        folders.add(folder);
      }
      await writeFile(path, gz);
      files.push({ key, size: gz.length, events: records.length });
      events += records.length;
      compressedBytes += gz.length;
      uncompressedBytes += Buffer.byteLength(body);
    }
  }
  return {
    day: options.day,
    streams,
    accounts: accounts.length,
    intervalMinutes,
    files,
    events,
    redelivered,
    compressedBytes,
    uncompressedBytes,
  };
}
