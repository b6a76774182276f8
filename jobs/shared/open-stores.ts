import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { ConfigError } from '../../pipeline/errors.js';
import type { ObjectStore } from '../../pipeline/ports/object-store.js';
import type { CompactionState } from '../../pipeline/ports/compaction-state.js';
import type { IngestionLedger } from '../../pipeline/ports/ingestion-ledger.js';
import type { StateStore } from '../../pipeline/ports/state-store.js';
import { DynamoDbStateStore } from '../../pipeline/state/dynamodb-state-store.js';
import { FileStateStore } from '../../pipeline/state/file-state-store.js';
import { LocalObjectStore } from '../../pipeline/store/local-object-store.js';
import { S3ObjectStore } from '../../pipeline/store/s3-object-store.js';
import { parseStoreLocation } from './store-location.js';

/**
 * `s3://bucket/prefix` or a local folder. `forcePathStyle` is for S3-compatible stores that
 * have no virtual-host addressing (set OPSLAKE_S3_FORCE_PATH_STYLE=true in the jobs).
 */
export function openObjectStore(
  location: string,
  parameter: string,
  options: { kmsKeyId?: string | undefined; s3?: S3Client; forcePathStyle?: boolean } = {},
): ObjectStore {
  const parsed = parseStoreLocation(location, parameter);
  if (parsed.kind === 'local') return new LocalObjectStore(parsed.path);
  return new S3ObjectStore({
    client: options.s3 ?? new S3Client(options.forcePathStyle ? { forcePathStyle: true } : {}),
    bucket: parsed.bucket,
    prefix: parsed.prefix,
    ...(options.kmsKeyId ? { kmsKeyId: options.kmsKeyId } : {}),
  });
}

/** The state every job opens: watermarks, leases, the ingestion ledger and compaction state in one store. */
export type OpenedStateStore = StateStore & IngestionLedger & CompactionState;

/** `dynamodb://<table>` or a local folder. */
export function openStateStore(location: string, parameter: string, options: { dynamodb?: DynamoDBClient } = {}): OpenedStateStore {
  if (location.startsWith('dynamodb://')) {
    const tableName = location.slice('dynamodb://'.length);
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) {
      throw new ConfigError(parameter, `expected dynamodb://<table name>, got ${JSON.stringify(location)}`);
    }
    const client = DynamoDBDocumentClient.from(options.dynamodb ?? new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    });
    return new DynamoDbStateStore({ client, tableName });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new ConfigError(parameter, `unsupported state location ${JSON.stringify(location)}; use a folder or dynamodb://<table>`);
  }
  return new FileStateStore(location);
}
