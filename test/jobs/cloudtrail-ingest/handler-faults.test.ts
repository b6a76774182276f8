import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudTrailIngestDependencies, createCloudTrailIngestHandler } from '../../../jobs/cloudtrail-ingest/handler.js';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import type { ObjectStore } from '../../../pipeline/ports/object-store.js';
import { DynamoDbStateStore } from '../../../pipeline/state/dynamodb-state-store.js';
import { S3ObjectStore } from '../../../pipeline/store/s3-object-store.js';
import { type DynaliteServer, startDynalite } from '../../harness/dynalite-server.js';
import { type FaultProxy, startFaultProxy } from '../../harness/fault-proxy.js';
import { startS3rver, type S3rverServer } from '../../harness/s3rver-server.js';
import { gzipJson, logKey } from '../../pipeline/cloudtrail/cloudtrail-test-support.js';
import { type LakeCensus, takeCensus } from '../../pipeline/cloudtrail/lake-census.js';
import { s3Notification, sqsRecord } from './sqs-messages.js';

/**
 * The SQS handler under the faults of a real deployment: S3 and DynamoDB throttling and 5xx
 * answered by proxies in front of s3rver and dynalite on a seeded schedule, and a Lambda killed
 * mid-upload. SQS is played by a loop that redelivers failed messages and moves a message to the
 * dead-letter queue after MAX_RECEIVES deliveries. Whatever happened, the lake and the ledger end
 * the same: every event once, a ledger entry only for a file whose objects are all written.
 */
const FILES = 12;
const EVENTS_PER_FILE = 3;
const MAX_RECEIVES = 4;

let s3: S3rverServer;
let dynamo: DynaliteServer;
let root: string;
let instance: DuckDBInstance;
let connection: DuckDBConnection;
let runs = 0;

const keys = Array.from({ length: FILES }, (_, i) => logKey(`file${i}`, { day: '2024-03-04' }));
const allEventIds = keys.flatMap((_, i) => Array.from({ length: EVENTS_PER_FILE }, (_, n) => `f${i}-e${n}`)).sort();

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const noMetrics = { addMetric: () => undefined, publishStoredMetrics: () => undefined };

beforeAll(async () => {
  s3 = await startS3rver({ buckets: ['trail'] });
  dynamo = await startDynalite();
  root = await mkdtemp(join(tmpdir(), 'opslake-handler-faults-'));
  ({ instance, connection } = await openDuckDb({ threads: 1, memoryLimit: '256MB', tempDirectory: root }));
  const trail = new S3ObjectStore({ client: s3.client(), bucket: 'trail' });
  for (const [i, key] of keys.entries()) {
    const records = Array.from({ length: EVENTS_PER_FILE }, (_, n) => ({
      eventVersion: '1.08',
      eventID: `f${i}-e${n}`,
      eventTime: '2024-03-04T10:00:00Z',
      eventName: 'GetObject',
      awsRegion: 'us-east-1',
      recipientAccountId: '123456789012',
    }));
    await trail.putBytes(key, gzipJson({ Records: records }));
  }
});

afterAll(async () => {
  connection?.closeSync();
  instance?.closeSync();
  await s3?.close();
  await dynamo?.close();
  await rm(root, { recursive: true, force: true });
});

/** A fresh lake bucket and state table, seen directly (no faults): what a reader finds. */
async function freshLake(): Promise<{ bucket: string; table: string; direct: { lake: ObjectStore; state: DynamoDbStateStore } }> {
  runs += 1;
  const bucket = `lake${runs}`;
  await s3.createBucket(bucket);
  const table = `state-${runs}`;
  await dynamo.createStateTable(table);
  return {
    bucket,
    table,
    direct: {
      lake: new S3ObjectStore({ client: s3.client(), bucket }),
      state: new DynamoDbStateStore({ client: dynamo.documentClient(), tableName: table }),
    },
  };
}

function handlerOf(lake: ObjectStore, sourceClient: ReturnType<S3rverServer['client']>, state: DynamoDbStateStore) {
  const dependencies: CloudTrailIngestDependencies = {
    lake,
    sourceFor: (bucket) => new S3ObjectStore({ client: sourceClient, bucket }),
    connection: async () => connection,
    state,
    cloudtrailLatenessMinutes: 120,
    logger: silent,
    metrics: noMetrics as never,
    clock: () => new Date('2024-03-04T12:00:00Z'),
    tempDirectory: root,
  };
  return createCloudTrailIngestHandler(dependencies);
}

/** SQS: delivers, redelivers what failed, dead-letters after MAX_RECEIVES deliveries. */
async function playQueue(
  handler: ReturnType<typeof handlerOf>,
  messages: SQSRecord[],
): Promise<{ deadLetters: SQSRecord[]; deliveries: number }> {
  const receives = new Map<string, number>();
  const deadLetters: SQSRecord[] = [];
  let queue = messages;
  let deliveries = 0;
  while (queue.length > 0) {
    const batch: SQSEvent = {
      Records: queue.map((message) => {
        const count = (receives.get(message.messageId) ?? 0) + 1;
        receives.set(message.messageId, count);
        return { ...message, attributes: { ...message.attributes, ApproximateReceiveCount: String(count) } };
      }),
    };
    deliveries += batch.Records.length;
    const failed = await failedMessages(handler, batch);
    queue = [];
    for (const message of messages.filter((m) => failed.has(m.messageId))) {
      if ((receives.get(message.messageId) ?? 0) >= MAX_RECEIVES) deadLetters.push(message);
      else queue.push(message);
    }
  }
  return { deadLetters, deliveries };
}

/** The ids of the messages the handler failed; a batch that failed whole throws in Lambda, and SQS redelivers all of it. */
async function failedMessages(handler: ReturnType<typeof handlerOf>, batch: SQSEvent): Promise<Set<string>> {
  try {
    const response = await handler(batch);
    return new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  } catch (error) {
    if ((error as Error).name !== 'FullBatchFailureError') throw error;
    return new Set(batch.Records.map((record) => record.messageId));
  }
}

/** The lake downloaded to a folder, counted with DuckDB, with the ledger beside it. */
async function census(direct: { lake: ObjectStore; state: DynamoDbStateStore }): Promise<LakeCensus> {
  runs += 1;
  const folder = join(root, `census-${runs}`);
  for await (const info of direct.lake.list('')) {
    const path = join(folder, ...info.key.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await direct.lake.getBytes(info.key));
  }
  return takeCensus(folder, direct.state);
}

/** Every ledger entry's objects are in the lake, with the rows the entry says: nothing is done before its objects. */
function expectLedgerBacked(found: LakeCensus): void {
  for (const [key, entry] of found.ledger) {
    if (entry.status === 'ingested') expect(found.eventsBySource.get(key), key).toBe(entry.events);
  }
}

const messages = () => keys.map((key, i) => sqsRecord(`m${i}`, s3Notification(key)));

describe('cloudtrail-ingest handler under faults', () => {
  it('S3 and DynamoDB throttling and 5xx: retried, redelivered by SQS, every event once, the ledger behind the objects', async () => {
    const { bucket, table, direct } = await freshLake();
    const proxies: FaultProxy[] = [
      await startFaultProxy({ target: s3.endpoint, service: 's3', seed: 11, rate: 0.5 }),
      await startFaultProxy({ target: dynamo.endpoint, service: 'dynamodb', seed: 12, rate: 0.5 }),
    ];
    const [s3Proxy, dynamoProxy] = proxies;
    if (s3Proxy === undefined || dynamoProxy === undefined) throw new Error('proxies not started');
    try {
      // One attempt per call: the SDK's own backoff is not waited for, SQS redelivery does the retrying.
      const client = s3.client({ endpoint: s3Proxy.endpoint, maxAttempts: 2 });
      const state = new DynamoDbStateStore({
        client: dynamo.documentClient({ endpoint: dynamoProxy.endpoint, maxAttempts: 2 }),
        tableName: table,
      });
      const handler = handlerOf(new S3ObjectStore({ client, bucket }), client, state);
      const played = await playQueue(handler, messages());
      const during = await census(direct);
      expectLedgerBacked(during);
      // Nothing lost or doubled among what is done; what never passed waits in the dead-letter queue.
      expect(new Set(during.eventIds).size).toBe(during.eventIds.length);
      const done = [...during.ledger.values()].filter((entry) => entry.status === 'ingested').length;
      expect(done + played.deadLetters.length).toBe(FILES);
      expect(s3Proxy.injected.throttle + s3Proxy.injected['server-error']).toBeGreaterThan(0);
      expect(dynamoProxy.injected.throttle + dynamoProxy.injected['server-error']).toBeGreaterThan(0);
      // The faults pass; the dead letters are redriven: nothing is left failing.
      for (const proxy of proxies) proxy.setRate(0);
      const redriven = await playQueue(handler, played.deadLetters);
      expect(redriven.deadLetters).toEqual([]);
      const after = await census(direct);
      expectLedgerBacked(after);
      expect(after.eventIds).toEqual(allEventIds);
      expect(after.ledger.size).toBe(FILES);
      process.stdout.write(
        `faults injected: s3 ${JSON.stringify(s3Proxy.injected)}, dynamodb ${JSON.stringify(dynamoProxy.injected)}; ` +
          `deliveries ${played.deliveries}, dead letters ${played.deadLetters.length}\n`,
      );
    } finally {
      for (const proxy of proxies) await proxy.close();
    }
  }, 600_000);

  it('a Lambda killed mid-upload leaves no ledger entry for what it did not finish; the redelivery gives the full lake', async () => {
    const { bucket, direct } = await freshLake();
    const healthy = new S3ObjectStore({ client: s3.client(), bucket });
    let puts = 0;
    // Dies after its fifth upload and stays dead, like the process it stands for.
    const dying = Object.assign(Object.create(healthy) as S3ObjectStore, {
      putFile: async (key: string, path: string, options?: Parameters<ObjectStore['putFile']>[2]) => {
        puts += 1;
        if (puts > 5) throw new Error('Runtime exited with error: signal: killed');
        return healthy.putFile(key, path, options);
      },
    });
    const one = sqsRecord('m-all', JSON.stringify({ Records: keys.map((key) => JSON.parse(s3Notification(key)).Records[0]) }));
    expect(await failedMessages(handlerOf(dying, s3.client(), direct.state), { Records: [one] })).toEqual(new Set(['m-all']));
    const partial = await census(direct);
    expectLedgerBacked(partial);
    expect(partial.ledger.size).toBeLessThan(FILES);
    // A new container takes the redelivery.
    expect(await failedMessages(handlerOf(healthy, s3.client(), direct.state), { Records: [one] })).toEqual(new Set());
    const after = await census(direct);
    expectLedgerBacked(after);
    expect(after.eventIds).toEqual(allEventIds);
    expect(after.ledger.size).toBe(FILES);
  }, 300_000);
});
