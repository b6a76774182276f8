import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { awsErrorDetails } from '../aws/aws-error-details.js';
import { failureFields, translateAwsError } from '../aws/aws-errors.js';
import { ObjectNotFoundError, ObjectStoreError, type OpslakeError } from '../errors.js';
import type { ObjectInfo, ObjectStore, PutOptions } from '../ports/object-store.js';
import { assertListPrefix, assertObjectKey, assertObjectMetadata } from './object-key.js';

/** S3's rule for bucket names (lower-case letters, digits, dots and hyphens, 3-63 characters). */
export const S3_BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const MIB = 1024 * 1024;
/** S3 refuses multipart parts smaller than 5 MiB (except the last). */
const MIN_PART_SIZE = 5 * MIB;

export interface S3ObjectStoreOptions {
  /** Injected so that callers choose region, credentials, retries (and tests an endpoint). */
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix under which the store lives, e.g. `lake`; keys are relative to it. Default: the bucket root. */
  readonly prefix?: string;
  /** KMS key (id or ARN) for SSE-KMS on every object written. Default: the bucket's default encryption. */
  readonly kmsKeyId?: string;
  /** Part size of multipart uploads. Default 8 MiB; at least 5 MiB. */
  readonly partSizeBytes?: number;
  /** Files larger than this are uploaded in parts. Default 16 MiB. */
  readonly multipartThresholdBytes?: number;
  /** Parts uploaded at once; memory held is about `partSizeBytes * uploadConcurrency`. Default 4. */
  readonly uploadConcurrency?: number;
  /** Keys asked for per ListObjectsV2 page (S3 caps it at 1,000). Default: S3's own (1,000). */
  readonly listPageSize?: number;
}

/** S3 quotes ETags in listings and heads but not in event notifications: the port's ETag is unquoted. */
export function unquoteEtag(etag: string | undefined): string | undefined {
  if (etag === undefined || etag === '') return undefined;
  return etag.replace(/^"(.*)"$/, '$1');
}

function objectInfo(key: string, size: number | undefined, lastModified: Date | undefined, etag: string | undefined): ObjectInfo {
  const unquoted = unquoteEtag(etag);
  return {
    key,
    size: size ?? 0,
    ...(lastModified === undefined ? {} : { lastModified }),
    ...(unquoted === undefined ? {} : { etag: unquoted }),
  };
}

function normalisePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `${assertObjectKey(trimmed)}/`;
}

/**
 * The lake (or a CloudTrail bucket) in S3. Every key is relative to `prefix`; listings never use
 * a delimiter, so they are flat and complete at any depth.
 */
export class S3ObjectStore implements ObjectStore {
  readonly location: string;
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: S3Client;
  private readonly kmsKeyId: string | undefined;
  private readonly partSize: number;
  private readonly multipartThreshold: number;
  private readonly uploadConcurrency: number;
  private readonly listPageSize: number | undefined;

  constructor(options: S3ObjectStoreOptions) {
    if (!S3_BUCKET_NAME.test(options.bucket)) {
      throw new ObjectStoreError(`invalid bucket name ${JSON.stringify(options.bucket)}`, '');
    }
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = normalisePrefix(options.prefix);
    this.location = `s3://${this.bucket}/${this.prefix}`;
    this.kmsKeyId = options.kmsKeyId;
    this.partSize = Math.max(options.partSizeBytes ?? 8 * MIB, MIN_PART_SIZE);
    this.multipartThreshold = options.multipartThresholdBytes ?? 16 * MIB;
    this.uploadConcurrency = Math.max(1, options.uploadConcurrency ?? 4);
    this.listPageSize = options.listPageSize;
  }

  async putFile(key: string, localPath: string, options?: PutOptions): Promise<void> {
    const params = this.putParams(key, options);
    try {
      const { size } = await stat(localPath);
      if (size <= this.multipartThreshold) {
        // A buffered body, unlike a stream, can be sent again when the SDK retries.
        await this.client.send(new PutObjectCommand({ ...params, Body: await readFile(localPath) }));
        return;
      }
      const upload = new Upload({
        client: this.client,
        params: { ...params, Body: createReadStream(localPath) },
        partSize: this.partSize,
        queueSize: this.uploadConcurrency,
        leavePartsOnError: false,
      });
      await upload.done();
    } catch (error) {
      throw this.failure('PutObject', 'write', key, error);
    }
  }

  async putBytes(key: string, body: Uint8Array | string, options?: PutOptions): Promise<void> {
    const params = this.putParams(key, options);
    try {
      await this.client.send(new PutObjectCommand({ ...params, Body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body }));
    } catch (error) {
      throw this.failure('PutObject', 'write', key, error);
    }
  }

  async getStream(key: string): Promise<Readable> {
    const fullKey = this.fullKey(key);
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: fullKey }));
      // In Node the SDK's body is an http.IncomingMessage, a Readable.
      return response.Body as Readable;
    } catch (error) {
      throw this.readError(key, error);
    }
  }

  async getBytes(key: string): Promise<Buffer> {
    const fullKey = this.fullKey(key);
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: fullKey }));
      if (!response.Body) return Buffer.alloc(0);
      return Buffer.from(await response.Body.transformToByteArray());
    } catch (error) {
      throw this.readError(key, error);
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const fullKey = this.fullKey(key);
    try {
      const response = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: fullKey }));
      const metadata = response.Metadata ?? {};
      return {
        ...objectInfo(key, response.ContentLength, response.LastModified, response.ETag),
        // The SDK gives the x-amz-meta-* names without their prefix, lower-cased.
        ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
      };
    } catch (error) {
      if (this.isNotFound(error)) return undefined;
      throw this.failure('HeadObject', 'read', key, error);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const fullPrefix = `${this.prefix}${assertListPrefix(prefix)}`;
    let continuationToken: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: fullPrefix,
            ContinuationToken: continuationToken,
            MaxKeys: this.listPageSize,
          }),
        );
      } catch (error) {
        throw this.failure('ListObjectsV2', 'list', prefix, error);
      }
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined || !object.Key.startsWith(this.prefix)) continue;
        yield objectInfo(object.Key.slice(this.prefix.length), object.Size, object.LastModified, object.ETag);
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
  }

  async delete(key: string): Promise<void> {
    const fullKey = this.fullKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: fullKey }));
    } catch (error) {
      if (this.isNotFound(error)) return;
      throw this.failure('DeleteObject', 'delete', key, error);
    }
  }

  private fullKey(key: string): string {
    return `${this.prefix}${assertObjectKey(key)}`;
  }

  private putParams(key: string, options: PutOptions | undefined): PutObjectCommandInput {
    const params: PutObjectCommandInput = { Bucket: this.bucket, Key: this.fullKey(key) };
    if (options?.contentType !== undefined) params.ContentType = options.contentType;
    if (options?.metadata !== undefined) params.Metadata = assertObjectMetadata(key, options.metadata);
    if (this.kmsKeyId !== undefined) {
      params.ServerSideEncryption = 'aws:kms';
      params.SSEKMSKeyId = this.kmsKeyId;
    }
    return params;
  }

  private isNotFound(error: unknown): boolean {
    const details = awsErrorDetails(error);
    return details.name === 'NoSuchKey' || details.name === 'NotFound' || (details.status === 404 && details.name !== 'NoSuchBucket');
  }

  private readError(key: string, error: unknown): OpslakeError {
    if (this.isNotFound(error)) return new ObjectNotFoundError(key, { cause: error });
    return this.failure('GetObject', 'read', key, error);
  }

  /**
   * Every S3 failure is an ObjectStoreError, throttling and lost connections included: callers
   * read its `key`, and `retryable` tells them whether to try again.
   */
  private failure(operation: string, verb: string, key: string, error: unknown): OpslakeError {
    const call = {
      service: 's3',
      operation,
      resource: this.bucket,
      action: `${verb} ${this.location}${key}`,
      kmsKeyId: this.kmsKeyId,
    } as const;
    return translateAwsError(
      error,
      call,
      (failure) => new ObjectStoreError(`could not ${call.action}: ${failure.summary}`, key, failureFields(failure)),
    );
  }
}
