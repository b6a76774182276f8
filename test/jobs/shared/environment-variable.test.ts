import { describe, expect, it } from 'vitest';
import { environmentVariable, requiredEnvironmentVariable } from '../../../jobs/shared/environment-variable.js';
import { ConfigError } from '../../../pipeline/errors.js';

const NAME = { pattern: /^[a-z-]+$/, rule: 'use lower-case letters and -' };

describe('environmentVariable', () => {
  it('trims the value and reads a blank one as unset', () => {
    expect(environmentVariable({ A: '  lake-bucket\n' }, 'A')).toBe('lake-bucket');
    expect(environmentVariable({ A: ' \t' }, 'A')).toBeUndefined();
    expect(environmentVariable({}, 'A')).toBeUndefined();
  });

  it('refuses a value that breaks its rule, naming the variable and the rule', () => {
    expect(() => environmentVariable({ BUCKET: 'Bad_Name' }, 'BUCKET', NAME)).toThrow(
      new ConfigError('BUCKET', '"Bad_Name" is not valid; use lower-case letters and -'),
    );
  });

  it('quotes at most 80 characters of a refused value', () => {
    const error = (() => {
      try {
        environmentVariable({ BUCKET: 'X'.repeat(500) }, 'BUCKET', NAME);
      } catch (caught) {
        return caught as ConfigError;
      }
      throw new Error('accepted');
    })();
    expect(error.message).toContain(`"${'X'.repeat(80)}..."`);
    expect(error.message).not.toContain('X'.repeat(81));
  });
});

describe('requiredEnvironmentVariable', () => {
  it('says whether a required variable is missing or blank, naming it', () => {
    expect(() => requiredEnvironmentVariable({}, 'OPSLAKE_LAKE_BUCKET')).toThrow(
      'OPSLAKE_LAKE_BUCKET: environment variable is not set (the CDK stack sets it)',
    );
    expect(() => requiredEnvironmentVariable({ OPSLAKE_LAKE_BUCKET: '  ' }, 'OPSLAKE_LAKE_BUCKET')).toThrow(
      'OPSLAKE_LAKE_BUCKET: environment variable is blank (the CDK stack sets it)',
    );
    expect(requiredEnvironmentVariable({ OPSLAKE_LAKE_BUCKET: ' lake ' }, 'OPSLAKE_LAKE_BUCKET', NAME)).toBe('lake');
  });
});
