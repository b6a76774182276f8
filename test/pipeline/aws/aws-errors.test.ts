import { describe, expect, it } from 'vitest';
import { describeAwsFailure, transientAwsError, translateAwsError, type AwsCall } from '../../../pipeline/aws/aws-errors.js';
import { ConnectionError, ObjectStoreError, OpslakeError, StateStoreError, ThrottledError } from '../../../pipeline/errors.js';

const sdkError = (name: string, status: number | undefined, message = `${name} happened`) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, attempts: 4 } });

const STATE: AwsCall = {
  service: 'dynamodb',
  operation: 'PutItem',
  resource: 'opslake-state',
  action: 'write watermark w#a in opslake-state',
};

describe('describeAwsFailure', () => {
  it('says what AWS answered, then what to check', () => {
    const cause = sdkError('AccessDeniedException', 400, 'User is not authorized');
    const failure = describeAwsFailure(cause, STATE);
    expect(failure).toMatchObject({ name: 'AccessDeniedException', kind: 'access-denied', retryable: false, attempts: 4 });
    expect(failure.cause).toBe(cause);
    expect(failure.hint).toContain('dynamodb:PutItem on table opslake-state');
    expect(failure.summary).toBe(`AccessDeniedException (400): User is not authorized; ${failure.hint}`);
  });

  it('leaves the hint out when there is none', () => {
    expect(describeAwsFailure(sdkError('ValidationException', 400, 'bad'), STATE).summary).toBe('ValidationException (400): bad');
  });

  it("redacts the service's message before it is shown", () => {
    const call: AwsCall = { ...STATE, redact: (text) => text.replaceAll('hunter22', ':password') };
    const failure = describeAwsFailure(sdkError('ValidationException', 400, 'invalid value hunter22'), call);
    expect(failure.summary).toBe('ValidationException (400): invalid value :password');
    expect(failure.message).not.toContain('hunter22');
  });
});

describe('transientAwsError', () => {
  it('turns throttling into a retryable ThrottledError that counts the attempts', () => {
    const cause = sdkError('ProvisionedThroughputExceededException', 400);
    const error = transientAwsError(describeAwsFailure(cause, STATE));
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toMatchObject({ name: 'ThrottledError', retryable: true, cause });
    expect(error?.message).toBe('write watermark w#a in opslake-state was throttled 4 times; try again later or lower the concurrency');
    expect(error?.hint).toContain('DynamoDB is throttling');
  });

  it('turns an endpoint that gave no answer into a retryable ConnectionError', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const error = transientAwsError(describeAwsFailure(cause, STATE));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ retryable: true, cause });
    expect(error?.message).toMatch(/^could not reach DynamoDB to write watermark w#a in opslake-state: ECONNREFUSED: connect/);
  });

  it('leaves everything else to the adapter', () => {
    expect(transientAwsError(describeAwsFailure(sdkError('InternalServerError', 500), STATE))).toBeUndefined();
    expect(transientAwsError(describeAwsFailure(sdkError('AccessDeniedException', 400), STATE))).toBeUndefined();
  });
});

describe('translateAwsError', () => {
  const build = (failure: ReturnType<typeof describeAwsFailure>) =>
    new StateStoreError(`could not ${failure.call.action}: ${failure.summary}`, {
      cause: failure.cause,
      retryable: failure.retryable,
      hint: failure.hint,
    });

  it("builds the adapter's class with the cause, retryable and hint", () => {
    const cause = sdkError('InternalServerError', 500);
    const error = translateAwsError(cause, STATE, build);
    expect(error).toBeInstanceOf(StateStoreError);
    expect(error).toMatchObject({ name: 'StateStoreError', retryable: true, cause, hint: undefined });

    const denied = translateAwsError(sdkError('AccessDeniedException', 400), STATE, build);
    expect(denied).toMatchObject({ retryable: false });
    expect(denied.hint).toContain('dynamodb:PutItem');
    expect(denied.message).toContain(denied.hint);
  });

  it('passes an error the adapter raised itself through unchanged', () => {
    const own = new ObjectStoreError('invalid object key', 'a//b');
    expect(translateAwsError(own, STATE, build)).toBe(own);
  });

  it('copes with values that are not errors', () => {
    const error = translateAwsError('boom', STATE, build);
    expect(error).toBeInstanceOf(OpslakeError);
    expect(error).toMatchObject({ retryable: false, cause: 'boom' });
    expect(error.message).toBe('could not write watermark w#a in opslake-state: UnknownError: boom');
  });
});
