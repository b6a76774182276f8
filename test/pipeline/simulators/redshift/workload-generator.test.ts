import { describe, expect, it } from 'vitest';
import { ANALYTICS_PROFILE } from '../../../../pipeline/simulators/redshift/analytics-profile.js';
import { ETL_PROFILE } from '../../../../pipeline/simulators/redshift/etl-profile.js';
import { MINUTE_US, statementsOfMinute } from '../../../../pipeline/simulators/redshift/workload-generator.js';
import { defined } from '../../../harness/defined.js';

const settings = { seed: 3, maxVisibilityDelayMinutes: 10 };
/** Wednesday 2026-11-18, 10:00 UTC: office hours. */
const TEN_AM = Date.parse('2026-11-18T10:00:00Z') / 60_000;

describe('statementsOfMinute', () => {
  it('gives the same statements for the same seed and minute', () => {
    const strip = (minute: number) => statementsOfMinute(ANALYTICS_PROFILE, settings, minute).map((s) => ({ ...s, spec: s.spec.text }));
    expect(strip(TEN_AM + 7)).toEqual(strip(TEN_AM + 7));
    expect(strip(TEN_AM + 7)).not.toEqual(
      statementsOfMinute(ANALYTICS_PROFILE, { ...settings, seed: 4 }, TEN_AM + 7).map((s) => ({ ...s, spec: s.spec.text })),
    );
  });

  it('starts every statement inside its minute unless it follows another of its job', () => {
    for (let minute = TEN_AM; minute < TEN_AM + 30; minute++) {
      const placed = statementsOfMinute(ANALYTICS_PROFILE, settings, minute);
      for (const statement of placed) expect(statement.startUs).toBeGreaterThanOrEqual(minute * MINUTE_US);
      expect(placed.map((s) => s.startUs)).toEqual([...placed.map((s) => s.startUs)].sort((a, b) => a - b));
    }
  });

  it('runs the statements of a job one after the other', () => {
    // The hourly orders load starts at minute 5 of every hour.
    const job = statementsOfMinute(ETL_PROFILE, settings, TEN_AM + 5).filter(
      (s) => s.spec.label === 'etl_hourly' || s.spec.text.includes("'etl_hourly'"),
    );
    expect(job.map((s) => s.spec.text.split('\n')[0])).toEqual([
      "SET query_group TO 'etl_hourly'",
      'BEGIN',
      'TRUNCATE staging.orders_raw',
      'COPY staging.orders_raw',
      'CREATE TEMP TABLE orders_batch (LIKE core.orders)',
      'INSERT INTO orders_batch',
      'DELETE FROM core.orders',
      'INSERT INTO core.orders SELECT * FROM orders_batch',
      'DROP TABLE orders_batch',
      'COMMIT',
      'ANALYZE core.orders PREDICATE COLUMNS',
      'RESET query_group',
    ]);
    for (const [previous, next] of job.slice(1).map((step, i) => [defined(job[i], 'a step'), step] as const)) {
      expect(next.startUs).toBeGreaterThan(previous.endUs);
    }
    expect(new Set(job.map((s) => s.pid)).size).toBe(1);
  });

  it('keeps times consistent: end = start + queue + run, delay within the maximum', () => {
    for (let minute = TEN_AM; minute < TEN_AM + 60; minute++) {
      for (const s of statementsOfMinute(ETL_PROFILE, settings, minute)) {
        expect(s.endUs).toBe(s.startUs + s.queueUs + s.execUs);
        expect(s.execUs).toBeLessThanOrEqual(s.plannedExecUs);
        expect(s.visibilityDelayUs).toBeLessThan(10 * MINUTE_US);
        if (s.spec.kind !== 'query') expect(s.queueUs).toBe(0);
      }
    }
  });

  it('is busier in office hours than at night for the analytics profile', () => {
    const count = (from: number) => {
      let total = 0;
      for (let minute = from; minute < from + 120; minute++) total += statementsOfMinute(ANALYTICS_PROFILE, settings, minute).length;
      return total;
    };
    expect(count(TEN_AM)).toBeGreaterThan(2 * count(TEN_AM - 8 * 60));
  });
});
