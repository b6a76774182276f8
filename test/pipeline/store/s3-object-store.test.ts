import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectNotFoundError, ObjectStoreError } from '../../../pipeline/errors.js';
import { S3ObjectStore } from '../../../pipeline/store/s3-object-store.js';
import { startS3rver, type S3rverServer } from '../../harness/s3rver-server.js';
import { collect, describeObjectStoreContract, readAll } from './object-store-contract.js';

interface SeenRequest {
  readonly command: string;
  readonly headers: Record<string, string>;
  readonly query: Record<string, unknown>;
}

/** A client that records every request it sends, as it goes on the wire. */
function recordingClient(s3: S3rverServer): { client: S3Client; seen: SeenRequest[] } {
  const client = s3.client();
  const seen: SeenRequest[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers: Record<string, string>; query: Record<string, unknown> };
      seen.push({ command: String(context.commandName), headers: { ...request.headers }, query: { ...request.query } });
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordRequests' },
  );
  return { client, seen };
}

describe('S3ObjectStore', () => {
  let s3: S3rverServer;
  let scratch: string;
  let buckets = 0;
  const newBucket = async () => {
    buckets += 1;
    const bucket = `lake-${buckets}`;
    await s3.createBucket(bucket);
    return bucket;
  };

  beforeAll(async () => {
    [s3, scratch] = await Promise.all([startS3rver(), mkdtemp(join(tmpdir(), 'opslake-s3-store-'))]);
  });

  afterAll(async () => {
    await s3?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  const quirks = { unorderedAroundSlash: 's3rver lists in folder-walk order, S3 in byte order' };

  // Under a two-level prefix, the harder case; the bucket root is covered below.
  describeObjectStoreContract(
    async () => new S3ObjectStore({ client: s3.client(), bucket: await newBucket(), prefix: 'opslake/lake' }),
    quirks,
  );

  it('names its location s3://bucket/prefix/ whatever slashes the prefix came with', () => {
    const client = s3.client();
    expect(new S3ObjectStore({ client, bucket: 'b-1', prefix: '/lake/' }).location).toBe('s3://b-1/lake/');
    expect(new S3ObjectStore({ client, bucket: 'b-1', prefix: 'a/lake' }).location).toBe('s3://b-1/a/lake/');
    expect(new S3ObjectStore({ client, bucket: 'b-1' }).location).toBe('s3://b-1/');
    expect(() => new S3ObjectStore({ client, bucket: 'b-1', prefix: 'a/../b' })).toThrow(ObjectStoreError);
    expect(() => new S3ObjectStore({ client, bucket: 'Bad_Bucket' })).toThrow(ObjectStoreError);
  });

  it('keeps keys under its prefix and sees nothing of a sibling prefix', async () => {
    const bucket = await newBucket();
    const lake = new S3ObjectStore({ client: s3.client(), bucket, prefix: 'lake' });
    const wholeBucket = new S3ObjectStore({ client: s3.client(), bucket });
    await lake.putBytes('x/1', 'in');
    await wholeBucket.putBytes('lakehouse/x/1', 'beside');

    expect((await collect(wholeBucket.list(''))).map((o) => o.key)).toEqual(['lake/x/1', 'lakehouse/x/1']);
    expect((await collect(lake.list(''))).map((o) => o.key)).toEqual(['x/1']);
    expect((await wholeBucket.getBytes('lake/x/1')).toString()).toBe('in');
  });

  it('reports the ETag without the quotes S3 puts around it, in listings and heads alike', async () => {
    const bucket = await newBucket();
    const store = new S3ObjectStore({ client: s3.client(), bucket });
    await store.putBytes('x/1', 'in');
    const [listed] = await collect(store.list(''));
    // The MD5 of a single-part upload.
    expect(listed?.etag).toBe('13b5bfe96f3e2fe411c9f66f4a582adf');
    expect((await store.head('x/1'))?.etag).toBe(listed?.etag);
  });

  it('pages through listings with continuation tokens', async () => {
    const bucket = await newBucket();
    const { client, seen } = recordingClient(s3);
    const store = new S3ObjectStore({ client, bucket, prefix: 'lake', listPageSize: 7 });
    const keys = Array.from({ length: 25 }, (_, i) => `day=2026-03-0${(i % 3) + 1}/part-${String(i).padStart(2, '0')}`);
    for (const key of keys) await store.putBytes(key, 'x');
    seen.length = 0;

    const listed = (await collect(store.list('day='))).map((o) => o.key);

    expect(listed).toEqual([...keys].sort());
    const lists = seen.filter((r) => r.command === 'ListObjectsV2Command');
    expect(lists).toHaveLength(4);
    expect(lists.every((r) => r.query.delimiter === undefined && r.query.prefix === 'lake/day=')).toBe(true);
    expect(lists.slice(1).every((r) => typeof r.query['continuation-token'] === 'string')).toBe(true);
  });

  it('uploads a 12 MB file in 5 MB parts and reads it back byte for byte', async () => {
    const bucket = await newBucket();
    const { client, seen } = recordingClient(s3);
    const store = new S3ObjectStore({
      client,
      bucket,
      prefix: 'lake',
      partSizeBytes: 5 * 1024 * 1024,
      multipartThresholdBytes: 6 * 1024 * 1024,
    });
    const local = join(scratch, 'big.parquet');
    const content = randomBytes(12 * 1024 * 1024);
    await writeFile(local, content);

    await store.putFile('redshift/big.parquet', local);

    const commands = seen.map((r) => r.command);
    expect(commands.filter((c) => c === 'UploadPartCommand')).toHaveLength(3);
    expect(commands).toContain('CreateMultipartUploadCommand');
    expect(commands).toContain('CompleteMultipartUploadCommand');
    expect(commands).not.toContain('PutObjectCommand');
    expect(await store.head('redshift/big.parquet')).toMatchObject({ size: content.length });
    expect((await readAll(await store.getStream('redshift/big.parquet'))).equals(content)).toBe(true);
  });

  it('sends a file at or below the threshold as one PutObject', async () => {
    const { client, seen } = recordingClient(s3);
    const store = new S3ObjectStore({ client, bucket: await newBucket(), multipartThresholdBytes: 1024 });
    const local = join(scratch, 'small.bin');
    await writeFile(local, randomBytes(1024));

    await store.putFile('small.bin', local);

    expect(seen.map((r) => r.command)).toEqual(['PutObjectCommand']);
  });

  it('asks for SSE-KMS with the given key on single and multipart uploads', async () => {
    const bucket = await newBucket();
    const { client, seen } = recordingClient(s3);
    const kmsKeyId = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const store = new S3ObjectStore({ client, bucket, kmsKeyId, partSizeBytes: 5 * 1024 * 1024, multipartThresholdBytes: 5 * 1024 * 1024 });
    const local = join(scratch, 'kms.bin');
    await writeFile(local, randomBytes(6 * 1024 * 1024));

    await store.putBytes('small', 'x', { contentType: 'text/plain' });
    await store.putFile('large', local);

    const put = seen.find((r) => r.command === 'PutObjectCommand');
    const create = seen.find((r) => r.command === 'CreateMultipartUploadCommand');
    for (const request of [put, create]) {
      expect(request?.headers).toMatchObject({
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': kmsKeyId,
      });
    }
    expect(put?.headers['content-type']).toBe('text/plain');
  });

  it('leaves encryption to the bucket when no KMS key is given', async () => {
    const { client, seen } = recordingClient(s3);
    const store = new S3ObjectStore({ client, bucket: await newBucket() });
    await store.putBytes('plain', 'x');
    expect(seen[0]?.headers).not.toHaveProperty('x-amz-server-side-encryption');
  });

  it('says the bucket is missing, without retry, when it does not exist', async () => {
    const store = new S3ObjectStore({ client: s3.client(), bucket: 'no-such-bucket' });
    const error = await store.putBytes('k', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectStoreError);
    expect(error).not.toBeInstanceOf(ObjectNotFoundError);
    expect(error).toMatchObject({ key: 'k', retryable: false });
    expect((error as Error).message).toMatch(/s3:\/\/no-such-bucket\/k: NoSuchBucket.*bucket no-such-bucket does not exist/);
    await expect(store.getBytes('k')).rejects.not.toBeInstanceOf(ObjectNotFoundError);
  });

  it('marks throttling, server errors and unreachable endpoints retryable', async () => {
    const mocked = new S3Client({ region: 'us-east-1' });
    const mock = mockClient(mocked);
    mock.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: 'SlowDown',
        $fault: 'server',
        message: 'Please reduce your request rate.',
        $metadata: { httpStatusCode: 503 },
      }),
    );
    mock.on(GetObjectCommand).rejects(
      new S3ServiceException({
        name: 'InternalError',
        $fault: 'server',
        message: 'We encountered an internal error.',
        $metadata: { httpStatusCode: 500 },
      }),
    );
    const store = new S3ObjectStore({ client: mocked, bucket: 'lake' });

    await expect(store.putBytes('k', 'x')).rejects.toMatchObject({ name: 'ObjectStoreError', key: 'k', retryable: true });
    await expect(store.getBytes('k')).rejects.toMatchObject({ name: 'ObjectStoreError', key: 'k', retryable: true });
    mock.restore();

    const unreachable = new S3ObjectStore({ client: s3.client({ endpoint: 'http://127.0.0.1:1', maxAttempts: 1 }), bucket: 'lake' });
    await expect(unreachable.head('k')).rejects.toMatchObject({ name: 'ObjectStoreError', retryable: true });
  });

  it('says which permission and key to check when S3 denies access, and does not retry', async () => {
    const mocked = new S3Client({ region: 'us-east-1' });
    const mock = mockClient(mocked);
    const denied = new S3ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      message: 'Access Denied',
      $metadata: { httpStatusCode: 403 },
    });
    mock.on(PutObjectCommand).rejects(denied);
    mock.on(GetObjectCommand).rejects(denied);
    const key = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000001';
    const store = new S3ObjectStore({ client: mocked, bucket: 'lake', prefix: 'lake', kmsKeyId: key });

    const write = await store.putBytes('redshift/a.parquet', 'x').catch((e: unknown) => e);
    expect(write).toMatchObject({ name: 'ObjectStoreError', key: 'redshift/a.parquet', retryable: false, cause: denied });
    expect((write as ObjectStoreError).hint).toBe(`check that the role may s3:PutObject on lake and kms:GenerateDataKey on its key ${key}`);
    expect((write as Error).message).toBe(
      `could not write s3://lake/lake/redshift/a.parquet: AccessDenied (403): Access Denied; ${(write as ObjectStoreError).hint}`,
    );
    const read = await store.getBytes('redshift/a.parquet').catch((e: unknown) => e);
    expect((read as ObjectStoreError).hint).toContain('s3:GetObject on lake and kms:Decrypt');
    mock.restore();
  });
});
