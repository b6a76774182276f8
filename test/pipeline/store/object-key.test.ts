import { describe, expect, it } from 'vitest';
import { ObjectStoreError } from '../../../pipeline/errors.js';
import { assertListPrefix, assertObjectKey } from '../../../pipeline/store/object-key.js';

describe('assertObjectKey', () => {
  it.each(['a', 'a/b.parquet', '.hidden', 'a/..b', 'a/b..', 'cluster=prod/day=2026-03-01/x y.parquet', 'é/日本/ü', 'a'.repeat(1024)])(
    'accepts %j',
    (key) => {
      expect(assertObjectKey(key)).toBe(key);
    },
  );

  it.each([
    ['', /may not be empty/],
    ['/abs', /may not start with \//],
    ['../x', /\. and \.\. segments/],
    ['a/../../x', /\. and \.\. segments/],
    ['a/./b', /\. and \.\. segments/],
    ['a//b', /empty segments/],
    ['a/', /empty segments/],
    ['a\\b', /not \\/],
    ['x\u0000y', /control characters/],
    ['x\ry', /control characters/],
    ['a/.opslake-tmp-123', /may not start with \.opslake-tmp-/],
    ['a/.opslake-meta-b.json', /may not start with \.opslake-meta-/],
    ['é'.repeat(513), /at most 1024 bytes/],
  ])('refuses %j', (key, rule) => {
    const error = (() => {
      try {
        assertObjectKey(key);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ObjectStoreError);
    expect((error as Error).message).toMatch(rule);
    expect(error).toMatchObject({ key, retryable: false });
  });
});

describe('assertListPrefix', () => {
  it.each(['', 'a', 'a/', 'redshift/stl_q', 'a/b/', 'a/.hid'])('accepts %j', (prefix) => {
    expect(assertListPrefix(prefix)).toBe(prefix);
  });

  it.each(['/a', '../', 'a/..', 'a/.', 'a//', '//', 'a\\', 'a\nb'])('refuses %j', (prefix) => {
    expect(() => assertListPrefix(prefix)).toThrow(ObjectStoreError);
  });
});
