import { describe, expect, it } from 'vitest';
import { QueryDefinitionError } from '../../../pipeline/errors.js';
import { athenaLiteral, bindParameters, normalizeValue, type QueryParameter } from '../../../pipeline/query/query-parameters.js';

const NOW = new Date('2024-03-05T13:47:12Z');
const DECLARED: QueryParameter[] = [
  { name: 'from_day', type: 'day', default: 'today-7d', description: 'first day' },
  { name: 'to_day', type: 'day', default: 'today', description: 'last day' },
  { name: 'since', type: 'timestamp', default: 'now-24h', description: 'start' },
  { name: 'top', type: 'integer', default: '10', description: 'rows' },
  { name: 'who', type: 'string', description: 'principal' },
];

describe('bindParameters', () => {
  it('resolves relative defaults against the clock and keeps given values, in declaration order', () => {
    expect(bindParameters('q', DECLARED, { who: "o'brien", to_day: '2024-03-01' }, NOW)).toEqual([
      { name: 'from_day', type: 'day', value: '2024-02-27' },
      { name: 'to_day', type: 'day', value: '2024-03-01' },
      { name: 'since', type: 'timestamp', value: '2024-03-04 13:47:12' },
      { name: 'top', type: 'integer', value: '10' },
      { name: 'who', type: 'string', value: "o'brien" },
    ]);
  });

  it('names the parameter when one is unknown, missing or malformed', () => {
    expect(() => bindParameters('q', DECLARED, { who: 'x', form_day: '2024-01-01' }, NOW)).toThrow(
      /unknown parameter "form_day" \(parameters: from_day, to_day, since, top, who\)/,
    );
    expect(() => bindParameters('q', DECLARED, {}, NOW)).toThrow(/parameter who \(string\) needs a value: --param who=/);
    expect(() => bindParameters('q', DECLARED, { who: 'x', top: '1; DROP' }, NOW)).toThrow(QueryDefinitionError);
  });
});

describe('normalizeValue', () => {
  const day = { name: 'd', type: 'day' } as const;
  const timestamp = { name: 't', type: 'timestamp' } as const;

  it('accepts real days only', () => {
    expect(normalizeValue('q', day, '2024-02-29', NOW)).toBe('2024-02-29');
    expect(normalizeValue('q', day, 'today+1d', NOW)).toBe('2024-03-06');
    for (const bad of ['2023-02-29', '2024-13-01', '20240301', "2024-03-01' OR '1'='1", 'yesterday']) {
      expect(() => normalizeValue('q', day, bad, NOW), bad).toThrow(/is not a valid day/);
    }
  });

  it('writes timestamps as YYYY-MM-DD HH:MM:SS in UTC whatever form they came in', () => {
    expect(normalizeValue('q', timestamp, '2024-03-05T10:15Z', NOW)).toBe('2024-03-05 10:15:00');
    expect(normalizeValue('q', timestamp, '2024-03-05 10:15:30.250', NOW)).toBe('2024-03-05 10:15:30');
    expect(normalizeValue('q', timestamp, '2024-03-05', NOW)).toBe('2024-03-05 00:00:00');
    expect(normalizeValue('q', timestamp, 'today', NOW)).toBe('2024-03-05 00:00:00');
    expect(normalizeValue('q', timestamp, 'now-90m', NOW)).toBe('2024-03-05 12:17:12');
    expect(() => normalizeValue('q', timestamp, '2024-03-05 25:00', NOW)).toThrow(/not a valid timestamp/);
  });
});

describe('athenaLiteral', () => {
  it('quotes text with its quotes doubled and leaves integers bare', () => {
    expect(athenaLiteral({ name: 'who', type: 'string', value: "o'brien" })).toBe("'o''brien'");
    expect(athenaLiteral({ name: 'd', type: 'day', value: '2024-03-05' })).toBe("'2024-03-05'");
    expect(athenaLiteral({ name: 'top', type: 'integer', value: '25' })).toBe('25');
  });
});
