/**
 * The organization day of the digest benchmark: a CloudTrail bucket (a folder read as the bucket)
 * holding, for every account and region, a log file every few minutes and the hourly signed
 * digests that name them, and the ingestion ledger of that day as a file of JSON lines, which
 * the benchmark's ledger streams page by page as a state store would. A few findings are planted
 * so that the run can be checked: a file the digests name with no ledger entry (missing), one
 * whose entry holds another SHA-256 (changed), one ingested that no digest names (unlisted).
 *
 * The log files are empty: verify never reads them (it holds the ledger's SHA-256 against the
 * digest's), but its listing walks them, as it walks a real bucket. Their SHA-256 in digests and
 * ledger is a stand-in derived from the key.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { ledgerSourceName } from '../../pipeline/cloudtrail/ledger-source.js';
import type { IngestionLedger, LedgerEntry } from '../../pipeline/ports/ingestion-ledger.js';
import {
  DigestChainWriter,
  type DigestedLogFile,
  digestKey,
  publicKeyFingerprint,
} from '../../pipeline/simulators/cloudtrail/digest-writer.js';
import { ORGANIZATION_REGIONS } from '../../pipeline/simulators/cloudtrail/organization-day.js';
import { LocalObjectStore } from '../../pipeline/store/local-object-store.js';

export const DAY = '2026-03-01';
const ORGANIZATION = 'o-a1b2c3d4e5';
const TRAIL = 'org-trail';
const REGIONS = ORGANIZATION_REGIONS;
/** Findings planted, one of each kind in each of this many streams. */
const PLANTED_STREAMS = 3;

export interface OrganizationDayOptions {
  readonly accounts: number;
  readonly regions: number;
  readonly intervalMinutes: number;
}

/** What the generator wrote, and what verify must find. */
export interface OrganizationDay {
  readonly dir: string;
  readonly trailDir: string;
  readonly ledgerPath: string;
  readonly publicKeyPath: string;
  readonly streams: number;
  readonly logFiles: number;
  readonly digests: number;
  readonly ledgerEntries: number;
  readonly planted: { readonly missing: number; readonly changed: number; readonly unlisted: number };
  /** An account's key prefix, for the run over one account. */
  readonly oneAccountPrefix: string;
}

function accountId(index: number): string {
  return String(100_000_000_000 + index * 7_919).padStart(12, '0');
}

function logKey(base: string, account: string, region: string, at: Date, unique: string): string {
  const folder = at.toISOString().slice(0, 10).replaceAll('-', '/');
  const stamp = `${at.toISOString().replace(/[-:]/g, '').slice(0, 13)}Z`;
  return `${base}/CloudTrail/${region}/${folder}/${account}_CloudTrail_${region}_${stamp}_${unique}.json.gz`;
}

const stand = (key: string) => createHash('sha256').update(key).digest('hex');
const iso = (at: Date) => `${at.toISOString().slice(0, 19)}Z`;

function ledgerEntry(source: string, key: string, account: string, region: string, sha256: string): LedgerEntry {
  return {
    source,
    key,
    day: DAY,
    account,
    region,
    size: 0,
    sha256,
    status: 'ingested',
    events: 40,
    insights: 0,
    partitions: [],
    recordedAt: `${DAY}T23:59:00.000Z`,
  };
}

/** Writes the day under `dir` unless it is already there (same options), and says what it holds. */
export async function ensureOrganizationDay(dir: string, options: OrganizationDayOptions): Promise<OrganizationDay> {
  const manifest = join(dir, 'manifest.json');
  if (existsSync(manifest)) {
    const { readFile } = await import('node:fs/promises');
    return JSON.parse(await readFile(manifest, 'utf8')) as OrganizationDay;
  }
  await rm(dir, { recursive: true, force: true });
  const trailDir = join(dir, 'trail');
  const source = new LocalObjectStore(trailDir);
  const sourceName = ledgerSourceName(source);
  const signer = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyPath = join(dir, 'digest-key.pem');
  await mkdir(dir, { recursive: true });
  await writeFile(publicKeyPath, signer.publicKey.export({ type: 'spki', format: 'pem' }));
  const ledgerPath = join(dir, 'ledger.jsonl');
  const ledger = createWriteStream(ledgerPath);
  const writeLine = async (entry: LedgerEntry) => {
    if (!ledger.write(`${JSON.stringify(entry)}\n`)) await once(ledger, 'drain');
  };

  const dayStart = Date.parse(`${DAY}T00:00:00Z`);
  const perHour = Math.floor(60 / options.intervalMinutes);
  const regions = REGIONS.slice(0, options.regions);
  let streams = 0;
  let logFiles = 0;
  let digests = 0;
  let ledgerEntries = 0;
  const planted = { missing: 0, changed: 0, unlisted: 0 };
  for (let a = 0; a < options.accounts; a += 1) {
    const account = accountId(a);
    const base = `AWSLogs/${ORGANIZATION}/${account}`;
    for (const region of regions) {
      const plant = streams < PLANTED_STREAMS;
      streams += 1;
      const writer = new DigestChainWriter(source, {
        bucket: 'org-trail-bucket',
        privateKey: signer.privateKey,
        fingerprint: publicKeyFingerprint(signer.publicKey),
      });
      const folder = join(trailDir, ...logKey(base, account, region, new Date(dayStart), 'x').split('/').slice(0, -1));
      await mkdir(folder, { recursive: true });
      for (let hour = 0; hour < 24; hour += 1) {
        const named: DigestedLogFile[] = [];
        const empties: Promise<void>[] = [];
        for (let slot = 0; slot < perHour; slot += 1) {
          const at = new Date(dayStart + hour * 3_600_000 + (slot * options.intervalMinutes + 1) * 60_000 + ((a + slot) % 50) * 1000);
          const key = logKey(base, account, region, at, `${String(logFiles).padStart(10, '0')}abcdef`);
          const sha256 = stand(key);
          named.push({
            key,
            sha256,
            oldestEventTime: iso(new Date(at.getTime() - 300_000)),
            newestEventTime: iso(new Date(at.getTime() - 60_000)),
          });
          logFiles += 1;
          if (plant && hour === 6 && slot === 0) {
            planted.missing += 1; // delivered, named, never reached the bucket nor the ledger
            continue;
          }
          empties.push(writeFile(join(trailDir, ...key.split('/')), ''));
          const changed = plant && hour === 9 && slot === 0;
          if (changed) planted.changed += 1;
          await writeLine(ledgerEntry(sourceName, key, account, region, changed ? stand(`${key} altered`) : sha256));
          ledgerEntries += 1;
        }
        if (plant && hour === 12) {
          // In the bucket and the ledger, named by no digest although its hour has one.
          const at = new Date(dayStart + hour * 3_600_000 + 2 * 60_000 + 30_000);
          const key = logKey(base, account, region, at, 'unlisted00000000');
          empties.push(writeFile(join(trailDir, ...key.split('/')), ''));
          await writeLine(ledgerEntry(sourceName, key, account, region, stand(key)));
          ledgerEntries += 1;
          planted.unlisted += 1;
        }
        await Promise.all(empties);
        const start = new Date(dayStart + hour * 3_600_000);
        const end = new Date(start.getTime() + 3_600_000);
        const key = digestKey(base, account, region, TRAIL, 'us-east-1', end);
        await mkdir(dirname(join(trailDir, ...key.split('/'))), { recursive: true });
        await writer.write({ key, account, start, end, logFiles: named });
        digests += 1;
      }
    }
  }
  ledger.end();
  await once(ledger, 'finish');
  const day: OrganizationDay = {
    dir,
    trailDir,
    ledgerPath,
    publicKeyPath,
    streams,
    logFiles,
    digests,
    ledgerEntries,
    planted,
    oneAccountPrefix: `AWSLogs/${ORGANIZATION}/${accountId(0)}/`,
  };
  await writeFile(manifest, JSON.stringify(day, null, 2));
  return day;
}

/**
 * The ledger of the day, read from its file of JSON lines page by page on every listing (as a
 * state store is queried), so that the process measured holds no more of it than a page.
 */
export class FileLedger implements IngestionLedger {
  readonly #path: string;
  readonly #pageSize: number;

  constructor(path: string, pageSize = 1_000) {
    this.#path = path;
    this.#pageSize = pageSize;
  }

  async *#entries(): AsyncIterable<LedgerEntry> {
    for await (const line of createInterface({ input: createReadStream(this.#path), crlfDelay: Number.POSITIVE_INFINITY })) {
      if (line !== '') yield JSON.parse(line) as LedgerEntry;
    }
  }

  async getLedgerEntries(source: string, keys: readonly string[]): Promise<Map<string, LedgerEntry>> {
    const wanted = new Set(keys);
    const found = new Map<string, LedgerEntry>();
    for await (const entry of this.#entries()) if (entry.source === source && wanted.has(entry.key)) found.set(entry.key, entry);
    return found;
  }

  async putLedgerEntries(entries: readonly LedgerEntry[]): Promise<void> {
    const { appendFile } = await import('node:fs/promises');
    await appendFile(this.#path, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
  }

  async *listLedgerEntries(range: { fromDay: string; toDay: string }): AsyncIterable<readonly LedgerEntry[]> {
    let page: LedgerEntry[] = [];
    for await (const entry of this.#entries()) {
      if (entry.day < range.fromDay || entry.day > range.toDay) continue;
      page.push(entry);
      if (page.length >= this.#pageSize) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }
}
