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
  readonly throttled: boolean;
  /** Throttling, a 5xx, or a network failure: trying again later may succeed. */
  readonly retryable: boolean;
}

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
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
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
  const throttled = THROTTLING_NAMES.has(name) || status === 429;
  const network = NETWORK_CODES.has(name) || (code !== undefined && NETWORK_CODES.has(code));
  const retryable =
    throttled || network || (status !== undefined && status >= 500) || (shape.$retryable !== undefined && shape.$retryable !== null);
  return { name, message, status, attempts, throttled, retryable };
}

/** `Name (status): message`, for error messages that have to say what AWS answered. */
export function describeAwsError(details: AwsErrorDetails): string {
  const status = details.status === undefined ? '' : ` (${details.status})`;
  return details.message === details.name ? `${details.name}${status}` : `${details.name}${status}: ${details.message}`;
}
