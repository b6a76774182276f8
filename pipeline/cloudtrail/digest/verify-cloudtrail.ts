import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ConfigError } from '../../errors.js';
import { lakeObject, partitionValues } from '../../lake/lake-layout.js';
import type { DigestPublicKeys } from '../../ports/digest-public-keys.js';
import type { IngestionLedger } from '../../ports/ingestion-ledger.js';
import type { ObjectStore } from '../../ports/object-store.js';
import type { LakeRow, ParquetWriter } from '../../ports/parquet-writer.js';
import { CLOUDTRAIL_COMPLETENESS } from '../../tables/cloudtrail-completeness-table.js';
import { parseCloudTrailKey } from '../cloudtrail-key.js';
import { sourceKeyHash } from '../cloudtrail-lake-layout.js';
import { ledgerSourceName } from '../ledger-source.js';
import { CompletenessSummary } from './completeness-summary.js';
import { type CompletenessRow, DayCompleteness, streamOf } from './day-completeness.js';
import { DigestChecker } from './digest-checker.js';
import { DigestLoader, type LoadedDigest } from './digest-loader.js';

export interface VerifyProgress {
  readonly day: string;
  readonly daysDone: number;
  readonly daysTotal: number;
  readonly findings: number;
}

export interface VerifyCloudTrailOptions {
  /** The CloudTrail bucket (opened at its root), or a folder read as the bucket. */
  readonly source: ObjectStore;
  /**
   * Only digests and ledger entries under this key prefix (an account's `AWSLogs/[o-id/]<account>/`,
   * say); default the whole source. The digests are found by listing it, so on a large bucket a
   * prefix keeps the listing short.
   */
  readonly prefix?: string;
  /** Where the ledger says what became of each input (the state store). */
  readonly ledger: IngestionLedger;
  /** The lake: `cloudtrail/completeness/...` and `_quarantine/...` are written here. */
  readonly lake: ObjectStore;
  readonly writer: ParquetWriter;
  /** First and last delivery day verified (YYYY-MM-DD, UTC, inclusive). */
  readonly fromDay: string;
  readonly toDay: string;
  /** Keys to check digest signatures with; without them signatures are not checked (chains still are). */
  readonly publicKeys?: DigestPublicKeys;
  readonly clock?: () => Date;
  readonly monotonicMs?: () => number;
  readonly tempDirectory?: string;
  readonly onProgress?: (progress: VerifyProgress) => void;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
/** Digests read at once: each is a small object, and the source answers each call in turn. */
const LOAD_CONCURRENCY = 8;

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function* daysFrom(fromDay: string, toDay: string): Generator<string> {
  for (let day = fromDay; day <= toDay; day = addDays(day, 1)) yield day;
}

/** Digest keys by delivery day, listed once: only the days verified and the one after. */
async function listDigests(source: ObjectStore, prefix: string, fromDay: string, lastDay: string): Promise<Map<string, string[]>> {
  const byDay = new Map<string, string[]>();
  for await (const info of source.list(prefix)) {
    const parsed = parseCloudTrailKey(info.key);
    if (!parsed.ok || parsed.key.kind !== 'digest') continue;
    const day = parsed.key.deliveryDate;
    if (day < fromDay || day > lastDay) continue;
    const keys = byDay.get(day);
    if (keys === undefined) byDay.set(day, [info.key]);
    else keys.push(info.key);
  }
  return byDay;
}

async function loadAll(loader: DigestLoader, keys: readonly string[]): Promise<LoadedDigest[]> {
  const loaded: LoadedDigest[] = [];
  for (let start = 0; start < keys.length; start += LOAD_CONCURRENCY) {
    const batch = await Promise.all(
      keys.slice(start, start + LOAD_CONCURRENCY).map((key) => {
        const parsed = parseCloudTrailKey(key);
        return parsed.ok ? loader.load(key, parsed.key) : undefined;
      }),
    );
    for (const digest of batch) if (digest !== undefined) loaded.push(digest);
  }
  return loaded;
}

/**
 * `opslake cloudtrail verify`: holds every log file CloudTrail's digests name against the
 * ingestion ledger, day by delivery day, and writes what it found to `cloudtrail_completeness`
 * (one object per account, region and day, named after the source: verifying a day again
 * replaces it). Digests are read from the source; a malformed one is quarantined. Memory holds
 * one day's digests and ledger entries at a time.
 */
export async function verifyCloudTrail(options: VerifyCloudTrailOptions): Promise<CompletenessSummary> {
  const { source, lake, ledger, fromDay, toDay } = options;
  if (!DAY.test(fromDay) || !DAY.test(toDay)) throw new ConfigError('--since', `expected YYYY-MM-DD days, got ${fromDay} and ${toDay}`);
  if (toDay < fromDay) throw new ConfigError('--until', `the last day ${toDay} is before the first ${fromDay}`);
  const now = options.monotonicMs ?? (() => performance.now());
  const started = now();
  const clock = options.clock ?? (() => new Date());
  const verifiedAt = clock().toISOString().slice(0, 19).replace('T', ' ');
  const sourceName = ledgerSourceName(source);
  const summary = new CompletenessSummary(fromDay, toDay);
  summary.keys = options.publicKeys?.description;

  const prefix = options.prefix ?? '';
  const digestKeys = await listDigests(source, prefix, fromDay, addDays(toDay, 1));
  const loader = new DigestLoader(source, { lake, tempRoot: options.tempDirectory ?? tmpdir(), clock });
  const checker = new DigestChecker({
    source,
    loader,
    ...(options.publicKeys ? { publicKeys: options.publicKeys } : {}),
    keyRange: { from: new Date(Date.parse(`${fromDay}T00:00:00Z`) - DAY_MS), to: new Date(Date.parse(`${toDay}T00:00:00Z`) + 2 * DAY_MS) },
  });
  const loaded = new Map<string, Promise<LoadedDigest[]>>();
  const loadDay = (day: string): Promise<LoadedDigest[]> => {
    let digests = loaded.get(day);
    if (digests === undefined) {
      digests = loadAll(loader, digestKeys.get(day) ?? []).then((list) => {
        for (const digest of list) checker.remember(digest);
        return list;
      });
      loaded.set(day, digests);
    }
    return digests;
  };

  const daysTotal = [...daysFrom(fromDay, toDay)].length;
  for (const day of daysFrom(fromDay, toDay)) {
    const [today, tomorrow] = await Promise.all([loadDay(day), loadDay(addDays(day, 1))]);
    const check = new DayCompleteness(day);
    for (const loadedDigest of [...today, ...tomorrow]) {
      if (loadedDigest.digest !== undefined) check.addDigest(loadedDigest.digest, streamOf(loadedDigest.parsedKey));
    }
    // The ledger's entries of the same source and under the same prefix: a run over one account's prefix judges that account only.
    for await (const page of ledger.listLedgerEntries({ fromDay: day, toDay: day })) {
      check.addLedgerEntries(page.filter((entry) => entry.source === sourceName && entry.key.startsWith(prefix)));
    }
    const rows = check.rows();
    for (const digest of today) {
      rows.push(await checker.row(digest));
      if (digest.quarantined !== undefined) summary.quarantined.push(digest.quarantined);
    }
    await writeDay(options, sourceName, verifiedAt, rows, summary);
    summary.add(rows);
    summary.days += 1;
    // Only the day just done and later ones can still be named as a previous digest.
    for (const cached of loaded.keys()) if (cached < day) loaded.delete(cached);
    checker.forgetBefore(day);
    options.onProgress?.({ day, daysDone: summary.days, daysTotal, findings: summary.findingsTotal });
  }
  summary.elapsedMs = now() - started;
  return summary;
}

function byHourKindKey(a: CompletenessRow, b: CompletenessRow): number {
  const left = `${a.hour}\u0000${a.kind}\u0000${a.file_key}`;
  const right = `${b.hour}\u0000${b.kind}\u0000${b.file_key}`;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** One object per account and region of the day, replacing what an earlier verification of the day wrote there. */
async function writeDay(
  options: VerifyCloudTrailOptions,
  sourceName: string,
  verifiedAt: string,
  rows: readonly CompletenessRow[],
  summary: CompletenessSummary,
): Promise<void> {
  const partitions = new Map<string, CompletenessRow[]>();
  for (const row of rows) {
    const id = `${row.account}\u0000${row.region}`;
    const list = partitions.get(id);
    if (list === undefined) partitions.set(id, [row]);
    else list.push(row);
  }
  const table = CLOUDTRAIL_COMPLETENESS;
  for (const partitionRows of partitions.values()) {
    const [first] = partitionRows;
    if (first === undefined) continue;
    const sorted = [...partitionRows].sort(byHourKindKey);
    const file = await options.writer.write(
      table.columns,
      (async function* () {
        yield sorted as unknown as readonly LakeRow[];
      })(),
      { source: sourceName, verified_at: verifiedAt },
    );
    if (file === null) continue;
    const partition = partitionValues(table, { account: first.account, region: first.region, day: first.day });
    const object = lakeObject(table, partition, `${sourceKeyHash(sourceName)}.parquet`);
    try {
      await options.lake.putFile(object.key, file.path, { contentType: 'application/vnd.apache.parquet' });
    } finally {
      await options.writer.discard(file);
    }
    summary.objects.push({ ...object, rows: file.rows, bytes: file.bytes });
  }
}
