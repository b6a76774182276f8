import { describe, expect, it } from 'vitest';
import { formatError } from '../../../jobs/cli/format-error.js';
import { ConnectionError, ThrottledError } from '../../../pipeline/errors.js';

describe('formatError', () => {
  it('calls a failure temporary only when it is retryable', () => {
    expect(formatError(new ThrottledError('read the SSM parameters under /opslake', 3), {})).toBe(
      'opslake: read the SSM parameters under /opslake was throttled 3 times; try again later or lower the concurrency\n' +
        '  This is usually temporary: run the command again.',
    );
    const denied = new ConnectionError(
      'Redshift Data API ExecuteStatement on analytics failed: AccessDeniedException (400): denied; check that the role may ...',
      { retryable: false, hint: 'check that the role may ...' },
    );
    const text = formatError(denied, {});
    expect(text).toBe(`opslake: ${denied.message}`);
    expect(text).not.toContain('temporary');
  });

  it('adds the stack and its causes when OPSLAKE_DEBUG is 1, spaces around it or not', () => {
    const error = new ConnectionError('could not reach S3', { cause: new Error('connect ECONNREFUSED') });
    expect(formatError(error, { OPSLAKE_DEBUG: ' 1\n' })).toContain('caused by:');
    expect(formatError(error, { OPSLAKE_DEBUG: '0' })).not.toContain('caused by:');
  });
});
