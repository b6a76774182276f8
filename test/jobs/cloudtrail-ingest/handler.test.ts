import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Context, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CloudTrailIngestDependencies,
  createCloudTrailIngestHandler,
  handler as environmentHandler,
} from '../../../jobs/cloudtrail-ingest/handler.js';
import { openDuckDb } from '../../../pipeline/duckdb/duckdb-engine.js';
import { ConfigError } from '../../../pipeline/errors.js';
import { DynamoDbStateStore } from '../../../pipeline/state/dynamodb-state-store.js';
import { S3ObjectStore } from '../../../pipeline/store/s3-object-store.js';
import { type DynaliteServer, startDynalite } from '../../harness/dynalite-server.js';
import { startS3rver, type S3rverServer } from '../../harness/s3rver-server.js';
import { fixtureText, gzipJson, logKey } from '../../pipeline/cloudtrail/cloudtrail-test-support.js';
import { s3Notification, sqsRecord } from './sqs-messages.js';

let s3: S3rverServer;
let dynamo: DynaliteServer;
let state: DynamoDbStateStore;
let client: S3Client;
let root: string;
let instance: DuckDBInstance;
let connection: DuckDBConnection;

const KEYS = {
  good: logKey('good', { prefix: 'audit logs/' }),
  viaSns: logKey('sns', { day: '2024-03-06' }),
  truncated: logKey('truncated'),
  digest:
    'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/03/05/' +
    '111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240305T150000Z.json.gz',
};

function event(id: string, time: string) {
  return {
    eventVersion: '1.08',
    eventID: id,
    eventTime: time,
    eventName: 'DescribeClusters',
    eventSource: 'redshift.amazonaws.com',
    awsRegion: 'us-east-1',
    recipientAccountId: '123456789012',
    readOnly: true,
  };
}

const BATCH: SQSEvent = {
  Records: [
    sqsRecord('m-good', s3Notification(KEYS.good)),
    sqsRecord('m-bad', fixtureText('aws-cloudtrail-processing-library/SQSMessageBodyWrongFormat')),
    sqsRecord(
      'm-sns',
      JSON.stringify({ Type: 'Notification', MessageId: 'n', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: s3Notification(KEYS.viaSns) }),
    ),
    sqsRecord('m-test', JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'trail' })),
    sqsRecord('m-truncated', s3Notification(KEYS.truncated)),
    sqsRecord('m-digest', s3Notification(KEYS.digest)),
  ],
};

function fakes() {
  const metrics: Array<[string, number]> = [];
  const logs: Array<[string, string, unknown]> = [];
  return {
    metrics,
    logs,
    logger: {
      info: (message: string, extra?: unknown) => logs.push(['info', message, extra]),
      warn: (message: string, extra?: unknown) => logs.push(['warn', message, extra]),
      error: (message: string, extra?: unknown) => logs.push(['error', message, extra]),
    },
    metricsSink: {
      addMetric: (name: string, _unit: unknown, value: number) => metrics.push([name, value]),
      publishStoredMetrics: () => undefined,
    },
  };
}

function handlerWith(observed: ReturnType<typeof fakes>, overrides: Partial<CloudTrailIngestDependencies> = {}) {
  return createCloudTrailIngestHandler({
    lake: new S3ObjectStore({ client, bucket: 'lake', prefix: 'lake' }),
    sourceFor: (bucket) => new S3ObjectStore({ client, bucket }),
    connection: async () => connection,
    state,
    cloudtrailLatenessMinutes: 120,
    logger: observed.logger,
    metrics: observed.metricsSink as never,
    clock: () => new Date('2026-03-02T10:00:00Z'),
    tempDirectory: root,
    ...overrides,
  });
}

/** The decision logged for each message that did not simply succeed, in the order taken. */
function decisions(observed: ReturnType<typeof fakes>): Array<[string, string]> {
  return observed.logs.flatMap(([, , extra]) => {
    const fields = (extra ?? {}) as { messageId?: string; decision?: string };
    return fields.decision === undefined ? [] : [[String(fields.messageId), fields.decision] as [string, string]];
  });
}

async function lakeObjects(): Promise<Map<string, string>> {
  const lake = new S3ObjectStore({ client, bucket: 'lake', prefix: 'lake' });
  const out = new Map<string, string>();
  for await (const info of lake.list('')) out.set(info.key, (await lake.getBytes(info.key)).toString('base64'));
  return out;
}

beforeAll(async () => {
  s3 = await startS3rver({ buckets: ['trail', 'lake'] });
  dynamo = await startDynalite();
  state = new DynamoDbStateStore({ client: dynamo.documentClient(), tableName: dynamo.tableName });
  client = s3.client();
  root = await mkdtemp(join(tmpdir(), 'opslake-cloudtrail-handler-'));
  ({ instance, connection } = await openDuckDb({ threads: 1, memoryLimit: '256MB', tempDirectory: root }));
  const trail = new S3ObjectStore({ client, bucket: 'trail' });
  await trail.putBytes(KEYS.good, gzipJson({ Records: [event('a', '2024-08-01T23:59:59Z'), event('b', '2024-08-02T00:00:01Z')] }));
  await trail.putBytes(KEYS.viaSns, gzipJson({ Records: [event('c', '2024-03-06T10:00:00Z')] }));
  await trail.putBytes(KEYS.truncated, gzipJson({ Records: [event('d', '2024-03-06T10:00:00Z')] }).subarray(0, 20));
  await trail.putBytes(KEYS.digest, gzipJson({ awsAccountId: '123456789012', digestStartTime: 'x' }));
});

afterAll(async () => {
  connection?.closeSync();
  instance?.closeSync();
  await s3?.close();
  await dynamo?.close();
  await rm(root, { recursive: true, force: true });
});

describe('cloudtrail-ingest handler', () => {
  it('reports exactly the bad message of a batch as failed, and lands the rest in the lake', async () => {
    const observed = fakes();
    const response = await handlerWith(observed)(BATCH);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-bad' }] });

    const objects = await lakeObjects();
    const keys = [...objects.keys()].sort();
    expect(keys.filter((key) => key.startsWith('cloudtrail/events/'))).toHaveLength(3); // two days of the first file, one of the second
    expect(keys.filter((key) => key.startsWith('_quarantine/cloudtrail/2026-03-02/'))).toHaveLength(2);
    expect(keys.some((key) => key.endsWith('.error.json'))).toBe(true);

    // What landed, read by DuckDB from the objects themselves.
    const parquet = keys.filter((key) => key.endsWith('.parquet'));
    const files = await Promise.all(
      parquet.map(async (key, index) => {
        const path = join(root, `read-${index}.parquet`);
        await writeFile(path, Buffer.from(objects.get(key) ?? '', 'base64'));
        return path;
      }),
    );
    const reader = await connection.runAndReadAll(
      `SELECT eventid, source_key FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}]) ORDER BY eventid`,
    );
    expect(reader.getRowObjectsJS()).toEqual([
      { eventid: 'a', source_key: KEYS.good },
      { eventid: 'b', source_key: KEYS.good },
      { eventid: 'c', source_key: KEYS.viaSns },
    ]);

    const totals = new Map<string, number>();
    for (const [name, value] of observed.metrics) totals.set(name, (totals.get(name) ?? 0) + value);
    expect(Object.fromEntries(totals)).toEqual({
      EventsIngested: 3,
      FilesIngested: 2,
      FilesQuarantined: 1,
      DigestsSkipped: 1,
      FilesAlreadyIngested: 0,
    });
    expect(observed.logs.some(([level, message]) => level === 'info' && message.includes('s3:TestEvent'))).toBe(true);
    expect(observed.logs.some(([level, , extra]) => level === 'warn' && (extra as { reason?: string }).reason === 'truncated')).toBe(true);
    // Each decision is logged: the bad file quarantined (its message succeeds), the message that
    // is not a notification failed for the dead-letter queue.
    expect(decisions(observed)).toEqual([
      ['m-bad', 'dead-letter'],
      ['m-truncated', 'quarantine'],
    ]);
    expect(observed.logs).toContainEqual([
      'error',
      'message failed; retrying will not help, it goes to the dead-letter queue',
      expect.objectContaining({ messageId: 'm-bad', error: 'InvalidNotificationError', retryable: false, receiveCount: '1' }),
    ]);
  });

  it('records every file in the ledger, and marks the closed partitions it wrote dirty', async () => {
    const entries = await state.getLedgerEntries('trail', [KEYS.good, KEYS.viaSns, KEYS.truncated, KEYS.digest]);
    expect(entries.get(KEYS.good)).toMatchObject({
      status: 'ingested',
      size: 100,
      events: 2,
      partitions: [
        { table: 'cloudtrail_events', values: { day: '2024-08-01' }, rows: 1, objects: 1 },
        { table: 'cloudtrail_events', values: { day: '2024-08-02' }, rows: 1, objects: 1 },
      ],
    });
    expect(entries.get(KEYS.good)?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(entries.get(KEYS.truncated)).toMatchObject({ status: 'quarantined', reason: 'truncated' });
    expect(entries.get(KEYS.digest)).toMatchObject({ status: 'digest' });
    // 2026-03-02 is long after those days: the partitions may be compacted, so a write marks them.
    const dirty = await state.listDirtyPartitions('cloudtrail_events');
    expect(dirty.map((mark) => mark.values.day).sort()).toEqual(['2024-03-06', '2024-08-01', '2024-08-02']);
  });

  it('does not read a file again when SQS delivers the batch again: the ledger holds it', async () => {
    const before = await lakeObjects();
    const observed = fakes();
    const response = await handlerWith(observed)(BATCH);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-bad' }] });
    expect(await lakeObjects()).toEqual(before);
    const totals = new Map<string, number>();
    for (const [name, value] of observed.metrics) totals.set(name, (totals.get(name) ?? 0) + value);
    expect(totals.get('FilesAlreadyIngested')).toBe(4);
    expect(totals.get('FilesIngested')).toBe(0);
  });

  it('fails the message (for SQS to retry) when the notified object cannot be read from S3', async () => {
    const observed = fakes();
    const response = await handlerWith(observed)({
      Records: [sqsRecord('m-ok', s3Notification(KEYS.viaSns)), sqsRecord('m-missing', s3Notification(logKey('missing')))],
    });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-missing' }] });
    // Asking again will not bring the object back: logged as bound for the dead-letter queue.
    expect(decisions(observed)).toEqual([['m-missing', 'dead-letter']]);
    expect(observed.logs).toContainEqual([
      'error',
      'message failed; retrying will not help, it goes to the dead-letter queue',
      expect.objectContaining({ messageId: 'm-missing', error: 'ObjectNotFoundError', retryable: false }),
    ]);
  });

  it('fails a message whose file S3 cannot serve for now, for SQS to retry, while a bad file is quarantined and succeeds', async () => {
    // S3 answers 503 SlowDown for one bucket: the adapter's translation makes it a retryable ObjectStoreError.
    const busy = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const mock = mockClient(busy);
    mock.on(GetObjectCommand).rejects(
      new S3ServiceException({
        name: 'SlowDown',
        $fault: 'server',
        message: 'Please reduce your request rate.',
        $metadata: { httpStatusCode: 503 },
      }),
    );
    const observed = fakes();
    // A state of its own: the ledger of the earlier tests holds the truncated file already.
    await dynamo.createStateTable('busy-state');
    const handler = handlerWith(observed, {
      sourceFor: (bucket) => new S3ObjectStore({ client: bucket === 'busy-trail' ? busy : client, bucket }),
      state: new DynamoDbStateStore({ client: dynamo.documentClient(), tableName: 'busy-state' }),
    });
    try {
      const response = await handler({
        Records: [sqsRecord('m-busy', s3Notification(KEYS.good, 'busy-trail')), sqsRecord('m-truncated', s3Notification(KEYS.truncated))],
      });
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-busy' }] });
    } finally {
      mock.restore();
    }
    expect(decisions(observed)).toEqual([
      ['m-busy', 'retry'],
      ['m-truncated', 'quarantine'],
    ]);
    expect(observed.logs).toContainEqual([
      'warn',
      'message failed; SQS delivers it again',
      expect.objectContaining({ messageId: 'm-busy', error: 'ObjectStoreError', retryable: true }),
    ]);
    expect(observed.metrics).toContainEqual(['FilesQuarantined', 1]);
  });
});

describe('cloudtrail-ingest handler built from the environment', () => {
  const saved = { ...process.env };

  afterAll(() => {
    process.env = saved;
  });

  it.each([
    ['OPSLAKE_LAKE_BUCKET', undefined, 'environment variable is not set'],
    ['OPSLAKE_LAKE_BUCKET', ' ', 'environment variable is blank'],
    ['OPSLAKE_GLUE_DATABASE', 'Ops Lake', 'use a Glue database name'],
    ['OPSLAKE_STATE_TABLE', undefined, 'environment variable is not set'],
  ])('refuses to start when %s is %j, naming it', async (name, value, problem) => {
    process.env = { ...saved, OPSLAKE_LAKE_BUCKET: 'lake', [name]: value };
    if (value === undefined) delete process.env[name];
    const error = await environmentHandler(BATCH, {} as Context).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).parameter).toBe(name);
    expect((error as ConfigError).message).toContain(problem);
  });
});
