import type { ObjectStore } from '../ports/object-store.js';

/**
 * The `source` of a ledger entry read from `store`: the bucket name for S3 (CloudTrail sources
 * are opened at the bucket root, so the key alone names the object), the folder's location for a
 * local folder read as the bucket. The backfill, the SQS handler and the digest check name a
 * source through this one function, so they find each other's entries.
 */
export function ledgerSourceName(store: Pick<ObjectStore, 'location'>): string {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(store.location);
  if (match === null) return store.location;
  const [, bucket = '', prefix = ''] = match;
  return prefix === '' ? bucket : `${bucket}/${prefix.replace(/\/+$/, '')}`;
}
