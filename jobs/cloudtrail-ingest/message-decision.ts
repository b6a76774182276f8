import { InvalidNotificationError, OpslakeError } from '../../pipeline/errors.js';

/**
 * What becomes of an SQS message whose processing threw. (A file that cannot be read never
 * throws: the ingester quarantines it and the message succeeds.)
 *
 * - `retry`: the failure is `retryable` (throttling, a 5xx, a lost connection): the message
 *   fails and SQS delivers it again after the visibility timeout.
 * - `dead-letter`: the message is not a notification, or the failure is one that asking again
 *   does not mend (access denied, a missing bucket or object, a bad setting). The message fails
 *   too, since a partial batch response can only fail it; after `maxReceiveCount` deliveries SQS
 *   moves it to the dead-letter queue, where it waits for someone to fix the cause and redrive it.
 *
 * An error that is not one of ours (a bug, a DuckDB crash) says nothing about retrying: it is
 * retried, and the receive count bounds how often.
 */
export type MessageDecision = 'retry' | 'dead-letter';

export function decideFailure(error: unknown): MessageDecision {
  if (error instanceof InvalidNotificationError) return 'dead-letter';
  if (error instanceof OpslakeError) return error.retryable ? 'retry' : 'dead-letter';
  return 'retry';
}
