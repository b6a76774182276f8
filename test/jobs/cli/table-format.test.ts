import { describe, expect, it } from 'vitest';
import { formatDuration, formatTable } from '../../../jobs/cli/table-format.js';

describe('formatDuration', () => {
  it.each([
    [null, '-'],
    [42, '42s'],
    [119, '119s'],
    [420, '7m'],
    [12_600, '3.5h'],
    [172_800, '2.0d'],
  ])('writes a lag of %j seconds as %s', (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected);
  });

  it.each([
    [0, '0:00'],
    [41.6, '0:42'],
    [600, '10:00'],
    [3_909, '1:05:09'],
    [null, '-'],
  ])('writes a time left of %j seconds as a clock, %s', (seconds, expected) => {
    expect(formatDuration(seconds, 'clock')).toBe(expected);
  });
});

describe('formatTable', () => {
  it('pads columns to their widest cell and right-aligns numbers', () => {
    expect(
      formatTable(
        ['table', 'rows'],
        [
          ['stl_query', 1200],
          ['query_text', 7],
        ],
      ),
    ).toBe(['table        rows', 'stl_query   1,200', 'query_text      7'].join('\n'));
  });
});
