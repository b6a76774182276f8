import { describe, expect, it } from 'vitest';
import { decideFailure } from '../../../jobs/cloudtrail-ingest/message-decision.js';
import {
  ConfigError,
  ConnectionError,
  InvalidNotificationError,
  ObjectNotFoundError,
  ObjectStoreError,
  StateStoreError,
  ThrottledError,
} from '../../../pipeline/errors.js';

describe('decideFailure', () => {
  it.each([
    ['a throttled call', new ThrottledError('read s3://trail/k', 3), 'retry'],
    ['a lost connection', new ConnectionError('could not reach S3'), 'retry'],
    ['a 5xx from S3', new ObjectStoreError('could not write', 'k', { retryable: true }), 'retry'],
    ['an error of unknown kind', new Error('duckdb crashed'), 'retry'],
    ['a message that is not a notification', new InvalidNotificationError('not an S3 object notification'), 'dead-letter'],
    ['a missing object', new ObjectNotFoundError('AWSLogs/x.json.gz'), 'dead-letter'],
    ['access denied on the lake', new ObjectStoreError('could not write; check s3:PutObject', 'k', { retryable: false }), 'dead-letter'],
    ['a bad setting', new ConfigError('OPSLAKE_LAKE_BUCKET', 'is blank'), 'dead-letter'],
    ['a non-retryable state failure', new StateStoreError('table missing'), 'dead-letter'],
  ])('decides %s: %s', (_what, error, decision) => {
    expect(decideFailure(error)).toBe(decision);
  });

  it('sends a notification that is not one to the dead-letter queue even if it were marked retryable', () => {
    const odd = Object.assign(new InvalidNotificationError('not a notification'), { retryable: true });
    expect(decideFailure(odd)).toBe('dead-letter');
  });
});
