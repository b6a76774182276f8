import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestCloudTrail } from '../../../pipeline/cloudtrail/ingest-cloudtrail.js';
import { MAX_RECORD_BYTES } from '../../../pipeline/cloudtrail/cloudtrail-limits.js';
import { permanentReason, temporaryCause } from '../../../pipeline/cloudtrail/isolated-ingestion.js';
import { LakeWriteError, ObjectStoreError, ThrottledError, UnreadableInputError } from '../../../pipeline/errors.js';
import { FileStateStore } from '../../../pipeline/state/file-state-store.js';
import { LocalObjectStore } from '../../../pipeline/store/local-object-store.js';
import { MemoryObjectStore } from '../../fakes/memory-object-store.js';
import { gzipJson, logKey } from './cloudtrail-test-support.js';
import { type LakeCensus, takeCensus } from './lake-census.js';

let root: string;
let runs = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-isolation-'));
});
afterAll(async () => rm(root, { recursive: true, force: true }));

function event(id: string, extra: Record<string, unknown> = {}) {
  return {
    eventVersion: '1.08',
    eventID: id,
    eventTime: '2024-03-04T10:00:00Z',
    eventName: 'GetObject',
    awsRegion: 'us-east-1',
    recipientAccountId: '111122223333',
    ...extra,
  };
}

const key = (name: string) => logKey(name, { day: '2024-03-04' });

/** A source whose reads of some keys fail like S3 answering SlowDown, `failures` times each. */
class ThrottlingSource extends MemoryObjectStore {
  readonly failures = new Map<string, number>();

  override async getStream(name: string): Promise<Readable> {
    const left = this.failures.get(name) ?? 0;
    if (left > 0) {
      this.failures.set(name, left - 1);
      const cause = Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown', $retryable: { throttling: true } });
      throw new ObjectStoreError(`could not read ${name}: SlowDown (503)`, name, { cause, retryable: true });
    }
    return super.getStream(name);
  }
}

/** A source of two good files around each bad one, so every bad file shares its batch. */
function sourceWith(bad: Record<string, Buffer>): ThrottlingSource {
  const source = new ThrottlingSource();
  source.objects.set(key('good1'), gzipJson({ Records: [event('g1a'), event('g1b')] }));
  for (const [name, body] of Object.entries(bad)) source.objects.set(key(name), body);
  source.objects.set(key('good2'), gzipJson({ Records: [event('g2a')] }));
  return source;
}

async function run(source: MemoryObjectStore, folder: string, options: { memoryLimit?: string } = {}) {
  const state = new FileStateStore(join(folder, 'state'));
  const lakeDir = join(folder, 'lake');
  const summary = await ingestCloudTrail({
    source,
    lake: new LocalObjectStore(lakeDir),
    state,
    cloudtrailLatenessMinutes: 120,
    clock: () => new Date('2024-03-04T12:00:00Z'),
    // One batch for all the files: the bad one is in the good ones' batch.
    batchInputBytes: 64 << 20,
    ...options,
  });
  return { summary, census: await takeCensus(lakeDir, state) };
}

function folder(): string {
  runs += 1;
  return join(root, `run-${runs}`);
}

function quarantineReasons(census: LakeCensus): Record<string, string | undefined> {
  return Object.fromEntries([...census.ledger.values()].filter((e) => e.status === 'quarantined').map((e) => [e.key, e.reason]));
}

describe('batch isolation', () => {
  it('quarantines a file with a record too large for DuckDB memory limit; its batch lands, the next run has nothing to retry', async () => {
    // 3 MB is under MAX_RECORD_BYTES: only DuckDB's limit (64 MB here) refuses it, and only when alone.
    const huge = gzipJson({ Records: [event('h1', { requestParameters: { blob: 'x'.repeat(3_000_000) } })] });
    const source = sourceWith({ huge });
    const where = folder();
    const first = await run(source, where, { memoryLimit: '64MB' });
    expect(first.summary.failed).toEqual([]);
    expect(first.census.eventIds).toEqual(['g1a', 'g1b', 'g2a']);
    expect(quarantineReasons(first.census)).toEqual({ [key('huge')]: 'engine-refused' });
    expect(first.summary.quarantined.map((file) => file.message)).toEqual([expect.stringMatching(/failed alone: .*Out of Memory/)]);
    const second = await run(source, where, { memoryLimit: '64MB' });
    expect(second.summary.failed).toEqual([]);
    expect(second.summary.skippedExisting).toBe(3);
    expect(second.census.eventIds).toEqual(['g1a', 'g1b', 'g2a']);
  });

  it('quarantines a file whose account id has thousands of characters; its batch lands', async () => {
    const long = gzipJson({ Records: [event('l1'), event('l2', { recipientAccountId: '1'.repeat(3000) })] });
    const { summary, census } = await run(sourceWith({ long }), folder());
    expect(summary.failed).toEqual([]);
    expect(quarantineReasons(census)).toEqual({ [key('long')]: 'invalid-partition-value' });
    // Whole-file policy: the readable record of the file is quarantined with it, not half landed.
    expect(census.eventIds).toEqual(['g1a', 'g1b', 'g2a']);
  });

  it(`quarantines a file with a record over ${MAX_RECORD_BYTES} bytes`, async () => {
    const over = gzipJson({ Records: [event('o1', { requestParameters: { blob: 'y'.repeat(MAX_RECORD_BYTES) } })] });
    const { summary, census } = await run(sourceWith({ over }), folder());
    expect(quarantineReasons(census)).toEqual({ [key('over')]: 'record-too-large' });
    expect(summary.quarantined[0]?.message).toMatch(/over the limit of 8388608 bytes/);
    expect(census.eventIds).toEqual(['g1a', 'g1b', 'g2a']);
  });

  it('leaves a throttled file for a retry, named as throttling, with no ledger entry; the next run ingests it', async () => {
    const source = sourceWith({ slow: gzipJson({ Records: [event('s1')] }) });
    // Fails in the batch and again alone; the next run reads it.
    source.failures.set(key('slow'), 2);
    const where = folder();
    const first = await run(source, where);
    expect(first.summary.failed.map((file) => [file.key, file.cause])).toEqual([[key('slow'), 'throttling']]);
    expect(first.summary.format()).toMatch(/failed, left for a retry: 1 \(1 throttling; run again/);
    expect(first.census.ledger.has(key('slow'))).toBe(false);
    expect(first.census.eventIds).toEqual(['g1a', 'g1b', 'g2a']);
    expect(first.census.quarantined).toEqual([]);
    const second = await run(source, where);
    expect(second.summary.failed).toEqual([]);
    expect(second.summary.filesIngested).toBe(1);
    expect(second.census.eventIds).toEqual(['g1a', 'g1b', 'g2a', 's1']);
  });

  it('quarantines nothing when DuckDB refuses every file of a batch alone (its memory limit is too small for any)', async () => {
    const { summary, census } = await run(sourceWith({}), folder(), { memoryLimit: '32MB' });
    expect(summary.quarantined).toEqual([]);
    expect(summary.failed.map((file) => file.key).sort()).toEqual([key('good1'), key('good2')].sort());
    expect(census.ledger.size).toBe(0);
  });
});

describe('truthful summaries after failing batches', () => {
  it('counts what the lake, the ledger and the quarantine hold', async () => {
    const source = sourceWith({
      huge: gzipJson({ Records: [event('h1', { requestParameters: { blob: 'x'.repeat(3_000_000) } })] }),
      long: gzipJson({ Records: [event('l1', { recipientAccountId: 'a'.repeat(5000) })] }),
      slow: gzipJson({ Records: [event('s1'), event('s2')] }),
      broken: Buffer.from('{"Records":[{'),
      insightful: gzipJson({ Records: [event('i1', { awsRegion: 'eu-west-1' }), event('i2', { recipientAccountId: '444455556666' })] }),
    });
    source.failures.set(key('slow'), 2);
    const { summary, census } = await run(source, folder(), { memoryLimit: '64MB' });
    const ledger = [...census.ledger.values()];
    expect(summary.events).toBe(census.events);
    expect(summary.filesIngested).toBe(ledger.filter((entry) => entry.status === 'ingested').length);
    expect(summary.events).toBe(ledger.reduce((sum, entry) => sum + entry.events, 0));
    expect(summary.objectsWritten).toBe(census.objects);
    expect(summary.quarantined.length).toBe(census.quarantined.length);
    expect(summary.quarantined.length).toBe(ledger.filter((entry) => entry.status === 'quarantined').length);
    for (const file of summary.quarantined) expect(census.eventsBySource.has(file.key)).toBe(false);
    for (const file of summary.failed) {
      expect(census.ledger.has(file.key)).toBe(false);
      expect(census.eventsBySource.has(file.key)).toBe(false);
    }
    for (const [sourceKey, rows] of census.eventsBySource) expect(census.ledger.get(sourceKey)?.events).toBe(rows);
    expect(summary.partitionsWritten).toBe(3);
    expect([summary.filesIngested, summary.quarantined.length, summary.failed.length]).toEqual([3, 3, 1]);
  });
});

describe('failure classification', () => {
  it('quarantines for the input, retries for the machine', () => {
    expect(permanentReason(new LakeWriteError('could not write Parquet: Out of Memory Error: failed to allocate'))).toBe('engine-refused');
    expect(permanentReason(new LakeWriteError('could not write Parquet: IO Error: No space left on device'))).toBeUndefined();
    expect(permanentReason(new UnreadableInputError('truncated', 'cut short'))).toBe('truncated');
    expect(permanentReason(new ObjectStoreError('could not write x', 'x', { retryable: true }))).toBeUndefined();
    expect(temporaryCause(new ThrottledError('PutObject', 3))).toBe('throttling');
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(temporaryCause(new ObjectStoreError('could not read x', 'x', { cause: denied }))).toBe('permission');
    const unavailable = Object.assign(new Error('busy'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
    expect(temporaryCause(new ObjectStoreError('could not read x', 'x', { cause: unavailable }))).toBe('service');
  });
});
