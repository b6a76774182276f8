import { InvalidNotificationError } from '../errors.js';
import { decodeS3NotificationKey } from './cloudtrail-key.js';

/** An object a notification announces: its bucket and its (decoded) key. */
export interface NotifiedObject {
  readonly bucket: string;
  readonly key: string;
  readonly size: number | undefined;
  /** The object's ETag as the notification gives it (unquoted), when it does. */
  readonly etag?: string;
}

/**
 * What one queue message says. `test-event`: S3's `s3:TestEvent`, sent when a notification is
 * configured, which carries no object.
 */
export type Notification = { readonly kind: 'objects'; readonly objects: readonly NotifiedObject[] } | { readonly kind: 'test-event' };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refuse(what: string, cause?: unknown): never {
  throw new InvalidNotificationError(`not an S3 object notification: ${what}`, cause === undefined ? {} : { cause });
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    refuse(`${what} is not JSON`, error);
  }
}

function s3EventObjects(records: unknown[]): NotifiedObject[] {
  const objects: NotifiedObject[] = [];
  for (const [index, record] of records.entries()) {
    if (!isObject(record)) refuse(`Records[${index}] is not an object`);
    const eventName = typeof record.eventName === 'string' ? record.eventName : '';
    // Deletions, restores and the like announce no new CloudTrail file.
    if (!eventName.startsWith('ObjectCreated:')) continue;
    const s3 = record.s3;
    const bucket = isObject(s3) && isObject(s3.bucket) ? s3.bucket.name : undefined;
    const object = isObject(s3) && isObject(s3.object) ? s3.object : undefined;
    const rawKey = object?.key;
    if (typeof bucket !== 'string' || typeof rawKey !== 'string') refuse(`Records[${index}] has no s3.bucket.name or s3.object.key`);
    let key: string;
    try {
      key = decodeS3NotificationKey(rawKey);
    } catch (error) {
      refuse(`Records[${index}] has a malformed URL-encoded key ${JSON.stringify(rawKey.slice(0, 200))}`, error);
    }
    const etag = typeof object?.eTag === 'string' && object.eTag !== '' ? { etag: object.eTag } : {};
    objects.push({ bucket, key, size: typeof object?.size === 'number' ? object.size : undefined, ...etag });
  }
  return objects;
}

function fromDocument(document: unknown, depth: number): Notification {
  if (!isObject(document)) refuse('the message is not a JSON object');
  // S3's own test message when the notification is set up.
  if (document.Event === 's3:TestEvent') return { kind: 'test-event' };
  // S3 event notification.
  if (Array.isArray(document.Records)) return { kind: 'objects', objects: s3EventObjects(document.Records) };
  // SNS envelope (S3 -> SNS -> SQS without raw delivery): the payload is a JSON string.
  if (document.Type === 'Notification' && typeof document.Message === 'string' && depth === 0) {
    return fromDocument(parseJson(document.Message, 'the SNS Message'), depth + 1);
  }
  // CloudTrail's own SNS notification: keys as written, not URL-encoded.
  if (typeof document.s3Bucket === 'string' && Array.isArray(document.s3ObjectKey)) {
    const bucket = document.s3Bucket;
    const keys = document.s3ObjectKey;
    if (!keys.every((key): key is string => typeof key === 'string')) refuse('s3ObjectKey holds something other than strings');
    return { kind: 'objects', objects: [...new Set(keys)].map((key) => ({ bucket, key, size: undefined })) };
  }
  // EventBridge "Object Created" event delivered to the queue.
  const detail = document.detail;
  if (document.source === 'aws.s3' && isObject(detail) && isObject(detail.bucket) && isObject(detail.object)) {
    const bucket = detail.bucket.name;
    const key = detail.object.key;
    if (typeof bucket !== 'string' || typeof key !== 'string') refuse('the EventBridge event has no bucket name or object key');
    const size = detail.object.size;
    const etag = typeof detail.object.etag === 'string' && detail.object.etag !== '' ? { etag: detail.object.etag } : {};
    return { kind: 'objects', objects: [{ bucket, key, size: typeof size === 'number' ? size : undefined, ...etag }] };
  }
  refuse(
    'no Records, SNS Message, s3Bucket/s3ObjectKey or EventBridge detail among its members ' +
      `(${Object.keys(document).slice(0, 8).join(', ')})`,
  );
}

/**
 * Reads the body of an SQS message that announces new CloudTrail files: an S3 event
 * notification (keys URL-encoded), the same wrapped in an SNS envelope, CloudTrail's own SNS
 * notification (`s3Bucket`, `s3ObjectKey`), or an EventBridge S3 event. Throws
 * InvalidNotificationError for anything else.
 */
export function parseNotification(body: string): Notification {
  return fromDocument(parseJson(body, 'the message body'), 0);
}
