import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestCloudTrail, type IngestProgress } from '../../../pipeline/cloudtrail/ingest-cloudtrail.js';
import { ObjectStoreError } from '../../../pipeline/errors.js';
import { FileStateStore } from '../../../pipeline/state/file-state-store.js';
import { LocalObjectStore } from '../../../pipeline/store/local-object-store.js';
import { MemoryObjectStore } from '../../fakes/memory-object-store.js';
import { gzipJson, logKey, readLakeTable } from './cloudtrail-test-support.js';
import { defined } from '../../harness/defined.js';

let root: string;
const source = new MemoryObjectStore();
const clock = () => new Date('2026-03-02T10:00:00Z');
let ticks = 0;
const monotonicMs = () => (ticks += 100);
let states = 0;
/** A fresh state store (ledger) and the lateness, as every ingestion takes them. */
function withState(folder?: string) {
  states += 1;
  return { state: new FileStateStore(folder ?? join(root, `state-${states}`)), cloudtrailLatenessMinutes: 120 };
}

function event(id: string, time: string, account = '111122223333') {
  return {
    eventVersion: '1.08',
    eventID: id,
    eventTime: time,
    eventName: 'GetObject',
    awsRegion: 'us-east-1',
    recipientAccountId: account,
  };
}

const KEYS = {
  day4: logKey('d4', { account: '111122223333', day: '2024-03-04' }),
  day5: logKey('d5', { account: '111122223333', day: '2024-03-05' }),
  day6: logKey('d6', { account: '444455556666', day: '2024-03-06' }),
  digest:
    'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/03/05/' +
    '111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240305T150000Z.json.gz',
  broken: logKey('broken', { day: '2024-03-05' }),
  other: 'elsewhere/readme.json',
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-ingest-cloudtrail-'));
  source.objects.set(KEYS.day4, gzipJson({ Records: [event('a', '2024-03-03T23:59:00Z'), event('b', '2024-03-04T00:01:00Z')] }));
  source.objects.set(KEYS.day5, gzipJson({ Records: [event('c', '2024-03-05T10:00:00Z')] }));
  source.objects.set(
    KEYS.day6,
    gzipJson({ Records: [event('d', '2024-03-06T10:00:00Z', '444455556666'), event('e', '2024-03-06T11:00:00Z', '444455556666')] }),
  );
  source.objects.set(KEYS.digest, gzipJson({ awsAccountId: '111122223333', digestStartTime: 'x', logFiles: [] }));
  source.objects.set(KEYS.broken, Buffer.from('{"Records":[{'));
  source.objects.set(KEYS.other, Buffer.from('{}'));
});

afterAll(async () => rm(root, { recursive: true, force: true }));

async function collect<T>(pages: AsyncIterable<readonly T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

async function objectsUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.push(relative(dir, path));
    }
  };
  await walk(dir);
  return out.sort();
}

describe('ingestCloudTrail', () => {
  it('ingests a whole source, reports progress and sums it up', async () => {
    const lakeDir = join(root, 'whole');
    const progress: IngestProgress[] = [];
    const summary = await ingestCloudTrail({
      ...withState(),
      source,
      lake: new LocalObjectStore(lakeDir),
      clock,
      monotonicMs,
      onProgress: (p) => progress.push(p),
      tempDirectory: root,
    });
    expect(summary.toJSON()).toMatchObject({
      filesListed: 6,
      filesIngested: 3,
      events: 5,
      quarantined: 2,
      skippedDigests: 1,
      skippedExisting: 0,
      failed: 0,
      // (111122223333, 2024-03-03), (.., 03-04), (.., 03-05), (444455556666, 03-06)
      partitionsWritten: 4,
      objectsWritten: 4,
    });
    expect(summary.quarantined.map((file) => [file.key, file.reason]).sort()).toEqual([
      [KEYS.broken, 'truncated'],
      [KEYS.other, 'not-cloudtrail'],
    ]);
    const last = defined(progress.at(-1), 'a progress report');
    expect(last).toMatchObject({ filesDone: 6, filesTotal: 6, events: 5, quarantined: 2, etaMs: 0 });
    expect(last?.bytesDone).toBe(last?.bytesTotal);
    expect(progress.map((p) => p.filesDone)).toEqual([...progress.map((p) => p.filesDone)].sort((a, b) => a - b));
    const text = summary.format();
    expect(text).toContain('3 file(s) ingested, 5 event(s)');
    expect(text).toContain('partitions written: 4');
    expect(text).toContain('1 digest file(s)');
    expect(text).toContain('quarantined: 2');
    expect((await readLakeTable(lakeDir, 'events')).map((row) => row.eventid).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('resumes from the ledger: a file stopped after some of its objects were written is done again, and --force redoes all', async () => {
    const lakeDir = join(root, 'resume');
    const lake = new LocalObjectStore(lakeDir);
    const stateDir = join(root, 'resume-state');
    // The lake refuses the object of day 2024-03-04 once the batch's other objects are written, in
    // the batch and again when the file is tried alone: the file with events on two days has one
    // of its objects in the lake, and is left for the next run.
    const started: Promise<void>[] = [];
    let refusals = 0;
    const failing = Object.assign(Object.create(lake) as LocalObjectStore, {
      putFile: async (key: string, path: string) => {
        if (refusals < 2 && key.includes('account=111122223333/region=us-east-1/day=2024-03-04/')) {
          refusals += 1;
          await Promise.allSettled(started);
          throw new ObjectStoreError(`could not write ${key}: disk full`, key, { retryable: true });
        }
        const put = lake.putFile(key, path);
        started.push(put);
        return put;
      },
    });
    const stopped = await ingestCloudTrail({ ...withState(stateDir), source, lake: failing, clock, monotonicMs, tempDirectory: root });
    expect(stopped.failed.map((file) => file.key)).toEqual([KEYS.day4]);
    expect(await objectsUnder(lakeDir)).not.toEqual([]);
    const partly = await readLakeTable(lakeDir, 'events');
    expect(partly.map((row) => row.eventid).sort()).toEqual(['a', 'c', 'd', 'e']);

    const resumed = await ingestCloudTrail({ ...withState(stateDir), source, lake, clock, monotonicMs, tempDirectory: root });
    // The other files of the failed batch landed when tried alone: only the file left for a retry is read again.
    expect(resumed.toJSON()).toMatchObject({ failed: 0, filesIngested: 1, events: 2, skippedExisting: 5 });
    expect((await readLakeTable(lakeDir, 'events')).map((row) => row.eventid).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);

    // The ledger's counts are the lake's: rows per partition and events in all.
    const state = new FileStateStore(stateDir);
    const entries = (await collect(state.listLedgerEntries({ fromDay: '2024-03-01', toDay: '2024-03-31' }))).filter(
      (entry) => entry.status === 'ingested',
    );
    const ledgerRows = new Map<string, number>();
    for (const partition of entries.flatMap((entry) => entry.partitions)) {
      const day = partition.values.day ?? '';
      ledgerRows.set(day, (ledgerRows.get(day) ?? 0) + partition.rows);
    }
    const lakeRows = new Map<string, number>();
    for (const row of await readLakeTable(lakeDir, 'events')) {
      // The hive reader types the day folder as a date.
      const day = row.day instanceof Date ? row.day.toISOString().slice(0, 10) : String(row.day);
      lakeRows.set(day, (lakeRows.get(day) ?? 0) + 1);
    }
    expect(ledgerRows).toEqual(lakeRows);
    expect(entries.reduce((sum, entry) => sum + entry.events, 0)).toBe(5);

    const before = await objectsUnder(lakeDir);
    const again = await ingestCloudTrail({ ...withState(stateDir), source, lake, clock, monotonicMs, tempDirectory: root });
    // The quarantined files and the digest are in the ledger too: nothing is read again.
    expect(again.toJSON()).toMatchObject({ filesIngested: 0, skippedExisting: 6, skippedDigests: 0, quarantined: 0 });

    const forced = await ingestCloudTrail({ ...withState(stateDir), source, lake, clock, monotonicMs, tempDirectory: root, force: true });
    expect(forced.toJSON()).toMatchObject({ filesIngested: 3, events: 5, quarantined: 2, skippedExisting: 0 });
    expect(await objectsUnder(lakeDir)).toEqual(before);
  });

  it('takes only the files delivered in [since, until) and those under the prefix', async () => {
    const lakeDir = join(root, 'range');
    const summary = await ingestCloudTrail({
      ...withState(),
      source,
      lake: new LocalObjectStore(lakeDir),
      since: new Date('2024-03-05T00:00:00Z'),
      until: new Date('2024-03-06T00:00:00Z'),
      clock,
      monotonicMs,
      tempDirectory: root,
    });
    // day5 and the broken file and the digest; not the key that is not CloudTrail's (it has no time).
    expect(summary.toJSON()).toMatchObject({ filesListed: 3, filesIngested: 1, events: 1, quarantined: 1, skippedDigests: 1 });
    const prefixed = await ingestCloudTrail({
      ...withState(),
      source,
      prefix: 'AWSLogs/444455556666/',
      lake: new LocalObjectStore(join(root, 'prefix')),
      clock,
      monotonicMs,
      tempDirectory: root,
    });
    expect(prefixed.toJSON()).toMatchObject({ filesListed: 1, events: 2 });
  });

  it('writes the same lake with several files at once', async () => {
    const one = join(root, 'one');
    const two = join(root, 'two');
    await ingestCloudTrail({
      ...withState(),
      source,
      lake: new LocalObjectStore(one),
      clock,
      monotonicMs,
      tempDirectory: root,
      batchFiles: 1,
    });
    await ingestCloudTrail({
      ...withState(),
      source,
      lake: new LocalObjectStore(two),
      clock,
      monotonicMs,
      tempDirectory: root,
      concurrency: 2,
    });
    expect(await objectsUnder(two)).toEqual(await objectsUnder(one));
  });
});
