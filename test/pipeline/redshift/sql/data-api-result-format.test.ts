import { describe, expect, it } from 'vitest';
import { firstDifference, RESULT_FORMAT_PROBE } from '../../../../pipeline/redshift/sql/data-api-result-format.js';

describe('firstDifference', () => {
  it('finds no difference between equal results', () => {
    expect(firstDifference([{ a: 1, b: null, c: '' }], [{ a: 1, b: null, c: '' }])).toBeUndefined();
  });

  it.each([
    { case: "NULL read as ''", expected: [{ a: 1, b: null }], actual: [{ a: 1, b: '' }], difference: 'b' },
    { case: 'a number read as text', expected: [{ a: 1 }], actual: [{ a: '1' }], difference: 'a' },
    { case: '0 read as -0', expected: [{ a: 0 }], actual: [{ a: -0 }], difference: 'a' },
    { case: 'a column missing', expected: [{ a: 1, b: 2 }], actual: [{ a: 1 }], difference: 'b' },
    { case: 'a column added', expected: [{ a: 1 }], actual: [{ a: 1, z: 2 }], difference: 'z' },
    { case: 'a row missing', expected: [{ a: 1 }, { a: 2 }], actual: [{ a: 1 }], difference: 'row count' },
  ])('names the column where $case', ({ expected, actual, difference }) => {
    expect(firstDifference(expected, actual)).toBe(difference);
  });
});

describe('RESULT_FORMAT_PROBE', () => {
  it('reads no table and takes no parameter', () => {
    expect(RESULT_FORMAT_PROBE.text).not.toMatch(/\bFROM\b/i);
    expect(RESULT_FORMAT_PROBE.parameters).toEqual({});
  });
});
