import { describe, expect, it } from 'vitest';
import { formatMicros, parseMicros } from '../../../../pipeline/simulators/redshift/format-micros.js';

describe('formatMicros', () => {
  it('prints microseconds and parses back', () => {
    expect(formatMicros(Date.parse('2026-11-18T10:00:00Z') * 1000 + 1_234_567)).toBe('2026-11-18 10:00:01.234567');
    expect(parseMicros('2026-11-18 10:00:01.234567')).toBe(Date.parse('2026-11-18T10:00:00Z') * 1000 + 1_234_567);
    expect(parseMicros('2026-11-18 10:00:01')).toBe(Date.parse('2026-11-18T10:00:01Z') * 1000);
  });
});
