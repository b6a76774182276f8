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
