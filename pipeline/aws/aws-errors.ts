import { ConnectionError, OpslakeError, ThrottledError } from '../errors.js';
import { awsErrorDetails, describeAwsError, type AwsErrorDetails } from './aws-error-details.js';
import { awsErrorHint, serviceTitle, type AwsCallTarget } from './aws-error-hints.js';

export type { AwsErrorDetails, AwsErrorKind } from './aws-error-details.js';
export type { AwsService } from './aws-error-hints.js';

/** The AWS call that failed, as an adapter describes it. */
export interface AwsCall extends AwsCallTarget {
  /** What the adapter was doing, in words that fit "could not ...": `write s3://lake/lake/x.parquet`. */
  readonly action: string;
  /** Rewrites the service's message before it is shown; the Data API's may quote parameter values. */
  readonly redact?: (text: string) => string;
}

/** A failed AWS call, read once: what AWS answered, whether to retry, and what to check. */
export interface AwsFailure extends AwsErrorDetails {
  readonly call: AwsCall;
  readonly hint: string | undefined;
  /** `Name (status): message; hint`, for the adapter's message. */
  readonly summary: string;
  /** The SDK error, kept as the typed error's `cause`. */
  readonly cause: unknown;
}

/** The fields every typed error built from a failure carries. */
export interface AwsFailureFields {
  readonly cause: unknown;
  readonly retryable: boolean;
  readonly hint: string | undefined;
}

export function describeAwsFailure(error: unknown, call: AwsCall): AwsFailure {
  const read = awsErrorDetails(error);
  const details = call.redact === undefined ? read : { ...read, message: call.redact(read.message) };
  const hint = awsErrorHint(details, call);
  const answered = describeAwsError(details);
  return { ...details, call, hint, cause: error, summary: hint === undefined ? answered : `${answered}; ${hint}` };
}

export function failureFields(failure: AwsFailure): AwsFailureFields {
  return { cause: failure.cause, retryable: failure.retryable, hint: failure.hint };
}

/**
 * ThrottledError for throttling that outlasted the SDK's own retries, ConnectionError for an
 * endpoint that gave no answer; undefined for anything else. Adapters whose callers need their
 * own class even then (an ObjectStoreError carries the key) skip this and build their own.
 */
export function transientAwsError(failure: AwsFailure): ThrottledError | ConnectionError | undefined {
  const { call } = failure;
  if (failure.kind === 'throttled') return new ThrottledError(call.action, failure.attempts, { cause: failure.cause, hint: failure.hint });
  if (failure.kind === 'unreachable') {
    return new ConnectionError(
      `could not reach ${serviceTitle(call.service)} to ${call.action}: ${failure.summary}`,
      failureFields(failure),
    );
  }
  return undefined;
}

/**
 * The one translation of a failed AWS call into a typed error. An OpslakeError passes through
 * as it is (the adapter raised it itself, a key check say); anything else is read once (name,
 * retryable, hint) and `build` chooses the adapter's class for it, keeping the SDK error as cause.
 */
export function translateAwsError(error: unknown, call: AwsCall, build: (failure: AwsFailure) => OpslakeError): OpslakeError {
  if (error instanceof OpslakeError) return error;
  return build(describeAwsFailure(error, call));
}
