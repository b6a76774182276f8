/**
 * What an adapter needs to know about an error thrown by an AWS SDK v3 client to turn it into a
 * typed pipeline error. Reads only the fields every SDK error carries, so it needs no SDK import.
 */
export interface AwsErrorDetails {
  /** The service's error code (`NoSuchKey`, `ConditionalCheckFailedException`) or the Node error code. */
  readonly name: string;
  readonly message: string;
  /** HTTP status of the failed response; undefined when no response came back. */
  readonly status: number | undefined;
  /** How many attempts the SDK made (it retries throttling and 5xx itself before giving up). */
  readonly attempts: number;
  readonly kind: AwsErrorKind;
  readonly throttled: boolean;
  /** Throttling, a 5xx, or a network failure: trying again later may succeed. */
  readonly retryable: boolean;
}

/**
 * What went wrong, in the terms a hint or a retry decision needs. `throttled`, `unreachable`
 * and `transient` are retryable; the others are not: asking again gets the same answer.
 */
export type AwsErrorKind =
  | 'throttled'
  | 'unreachable'
  | 'transient'
  | 'credentials'
  | 'access-denied'
  | 'not-found'
  | 'conflict'
  | 'invalid'
  | 'other';

const THROTTLING_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  // The Data API's answer to too many statements at once: wait and ask again, like throttling.
  'ActiveStatementsExceededException',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Faults on the service's side that some SDK errors name without a 5xx status (mocks, older protocols). */
const TRANSIENT_NAMES = new Set([
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'InternalServiceException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'OperationTimeoutException',
  // Glue: another writer changed the table at the same moment; the next attempt sees its change.
  'ConcurrentModificationException',
  // The Data API could not open a connection to the database: the cluster may be resuming or busy.
  'DatabaseConnectionException',
]);

const CREDENTIAL_NAMES = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidAccessKeyId',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
]);

const ACCESS_NAMES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationErrorException',
  // A KMS key that the caller may not use, or that is disabled: the same fix, a key policy or grant.
  'InvalidKeyId',
  'KMS.AccessDeniedException',
  'KMS.DisabledException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
]);

const NOT_FOUND_NAMES = new Set([
  'NoSuchBucket',
  'NoSuchKey',
  'NotFound',
  'ResourceNotFoundException',
  'EntityNotFoundException',
  'ParameterNotFound',
]);

const CONFLICT_NAMES = new Set(['ConditionalCheckFailedException', 'AlreadyExistsException', 'TransactionConflictException']);

const INVALID_NAMES = new Set([
  'ValidationException',
  'InvalidRequestException',
  'InvalidInputException',
  'InvalidParameterException',
  'InvalidParameterValueException',
  'InvalidArgument',
  'SerializationException',
  'BadRequestException',
]);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown; attempts?: unknown };
  $retryable?: unknown;
}

export function awsErrorDetails(error: unknown): AwsErrorDetails {
  const shape: SdkErrorShape = typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
  const code = typeof shape.code === 'string' ? shape.code : undefined;
  const rawName = typeof shape.name === 'string' ? shape.name : undefined;
  // Node network errors are plain `Error`s whose meaning is in `code`.
  const name = rawName !== undefined && rawName !== 'Error' ? rawName : (code ?? rawName ?? 'UnknownError');
  const status = typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;
  const attempts = typeof shape.$metadata?.attempts === 'number' ? shape.$metadata.attempts : 1;
  const message = typeof shape.message === 'string' && shape.message !== '' ? shape.message : String(error);
  const kind = kindOf(shape, name, code, status);
  const retryable = kind === 'throttled' || kind === 'unreachable' || kind === 'transient';
  return { name, message, status, attempts, kind, throttled: kind === 'throttled', retryable };
}

function kindOf(shape: SdkErrorShape, name: string, code: string | undefined, status: number | undefined): AwsErrorKind {
  // The SDK sets `$retryable` on errors its own retry strategy would retry, `{ throttling: true }` for throttling.
  const sdkRetryable = shape.$retryable !== undefined && shape.$retryable !== null;
  const sdkThrottling = sdkRetryable && (shape.$retryable as { throttling?: unknown }).throttling === true;
  if (THROTTLING_NAMES.has(name) || status === 429 || sdkThrottling) return 'throttled';
  if (NETWORK_CODES.has(name) || (code !== undefined && NETWORK_CODES.has(code))) return 'unreachable';
  if (TRANSIENT_NAMES.has(name) || (status !== undefined && status >= 500) || shape.$fault === 'server' || sdkRetryable) {
    return 'transient';
  }
  if (CREDENTIAL_NAMES.has(name)) return 'credentials';
  if (ACCESS_NAMES.has(name) || status === 403) return 'access-denied';
  if (NOT_FOUND_NAMES.has(name) || status === 404) return 'not-found';
  if (CONFLICT_NAMES.has(name)) return 'conflict';
  if (INVALID_NAMES.has(name)) return 'invalid';
  return 'other';
}

/** `Name (status): message`, for error messages that have to say what AWS answered. */
export function describeAwsError(details: Pick<AwsErrorDetails, 'name' | 'status' | 'message'>): string {
  const status = details.status === undefined ? '' : ` (${details.status})`;
  return details.message === details.name ? `${details.name}${status}` : `${details.name}${status}: ${details.message}`;
}
