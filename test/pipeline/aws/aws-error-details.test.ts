import { describe, expect, it } from 'vitest';
import { awsErrorDetails, describeAwsError } from '../../../pipeline/aws/aws-error-details.js';

const sdkError = (name: string, status: number | undefined, extra: object = {}) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status, attempts: 3 }, ...extra });

describe('awsErrorDetails', () => {
  it('treats throttling codes and 429 as throttled and retryable', () => {
    for (const error of [sdkError('ThrottlingException', 400), sdkError('SlowDown', 503), sdkError('Whatever', 429)]) {
      expect(awsErrorDetails(error)).toMatchObject({ throttled: true, retryable: true, attempts: 3 });
    }
  });

  it('treats 5xx as retryable and client errors as final', () => {
    expect(awsErrorDetails(sdkError('InternalError', 500))).toMatchObject({ retryable: true, throttled: false, status: 500 });
    expect(awsErrorDetails(sdkError('AccessDenied', 403))).toMatchObject({ retryable: false, name: 'AccessDenied' });
    expect(awsErrorDetails(sdkError('ConditionalCheckFailedException', 400))).toMatchObject({ retryable: false });
  });

  it('reads network failures from the Node error code', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(awsErrorDetails(refused)).toMatchObject({ name: 'ECONNREFUSED', status: undefined, retryable: true });
  });

  it('copes with values that are not errors', () => {
    expect(awsErrorDetails('boom')).toMatchObject({ name: 'UnknownError', message: 'boom', retryable: false, attempts: 1 });
    expect(awsErrorDetails(undefined)).toMatchObject({ name: 'UnknownError', retryable: false });
  });

  it('describes an error by name, status and message', () => {
    expect(describeAwsError(awsErrorDetails(sdkError('NoSuchBucket', 404)))).toBe('NoSuchBucket (404): NoSuchBucket happened');
  });
});

describe('awsErrorDetails kinds', () => {
  const withCode = (code: string) => Object.assign(new Error(`${code} 127.0.0.1:443`), { code });
  const cases: Array<{ what: string; error: unknown; kind: string; retryable: boolean }> = [
    { what: 'a throttling code', error: sdkError('ThrottlingException', 400), kind: 'throttled', retryable: true },
    { what: 'HTTP 429', error: sdkError('Whatever', 429), kind: 'throttled', retryable: true },
    {
      what: 'an SDK error flagged as throttling',
      error: Object.assign(new Error('slow'), { name: 'SomethingNew', $retryable: { throttling: true } }),
      kind: 'throttled',
      retryable: true,
    },
    { what: 'too many Data API statements', error: sdkError('ActiveStatementsExceededException', 400), kind: 'throttled', retryable: true },
    { what: 'a refused connection', error: withCode('ECONNREFUSED'), kind: 'unreachable', retryable: true },
    { what: 'an SDK timeout', error: sdkError('TimeoutError', undefined), kind: 'unreachable', retryable: true },
    { what: 'a 5xx', error: sdkError('InternalError', 500), kind: 'transient', retryable: true },
    { what: 'a server fault named without status', error: sdkError('InternalServerError', undefined), kind: 'transient', retryable: true },
    {
      what: 'an error the SDK marks server-side',
      error: Object.assign(sdkError('Odd', 400), { $fault: 'server' }),
      kind: 'transient',
      retryable: true,
    },
    {
      what: 'an error the SDK would retry',
      error: Object.assign(sdkError('Odd', 400), { $retryable: {} }),
      kind: 'transient',
      retryable: true,
    },
    { what: 'a concurrent Glue change', error: sdkError('ConcurrentModificationException', 400), kind: 'transient', retryable: true },
    { what: 'an expired token', error: sdkError('ExpiredTokenException', 400), kind: 'credentials', retryable: false },
    { what: 'an unknown access key', error: sdkError('InvalidAccessKeyId', 403), kind: 'credentials', retryable: false },
    { what: 'S3 access denied', error: sdkError('AccessDenied', 403), kind: 'access-denied', retryable: false },
    { what: 'a bare 403', error: sdkError('Forbidden', 403), kind: 'access-denied', retryable: false },
    { what: 'a KMS key that cannot be used', error: sdkError('InvalidKeyId', 400), kind: 'access-denied', retryable: false },
    { what: 'a missing bucket', error: sdkError('NoSuchBucket', 404), kind: 'not-found', retryable: false },
    { what: 'a missing table', error: sdkError('ResourceNotFoundException', 400), kind: 'not-found', retryable: false },
    { what: 'a lost conditional write', error: sdkError('ConditionalCheckFailedException', 400), kind: 'conflict', retryable: false },
    { what: 'a validation error', error: sdkError('ValidationException', 400), kind: 'invalid', retryable: false },
    { what: 'an unknown client error', error: sdkError('SomethingElse', 400), kind: 'other', retryable: false },
  ];

  it.each(cases)('reads $what as $kind', ({ error, kind, retryable }) => {
    const details = awsErrorDetails(error);
    expect(details.kind).toBe(kind);
    expect(details.retryable).toBe(retryable);
    expect(details.throttled).toBe(kind === 'throttled');
  });
});
