import { expect } from 'vitest';
import type { QueryRow } from '../../pipeline/ports/query-engine.js';

interface DemoQueries {
  readonly run: (name: string, overrides?: Record<string, string>) => Promise<QueryRow[]>;
  readonly scalar: (sql: string) => Promise<number>;
  /** Where the simulators' planted regression begins. */
  readonly since: string;
}

const DAYS = "day BETWEEN '2024-03-05' AND '2024-03-07'";
/** Hosts that guess passwords: on the provisioned clusters (STL) a few, on the SYS sources one. */
const SCANNERS = ['198.51.100.23', '203.0.113.45', '192.0.2.77'];
const texts = (rows: readonly QueryRow[], column: string) => rows.map((row) => String(row[column] ?? ''));

/**
 * What the fleet questions must find in the demo lake: the cases the simulators plant (spill of
 * nested loops and large sorts, the dashboards' revenue query slowed down in the last third of the
 * history, scanners failing to log in, COPY errors) on sources of both dialects.
 */
export function demoFleetChecks({ run, scalar, since }: DemoQueries): Record<string, (rows: QueryRow[]) => void | Promise<void>> {
  return {
    redshift_spilled_statements: (rows) => {
      expect(rows.every((row) => Number(row.spilled_mb) > 0 && Number(row.spilled_runs) > 0)).toBe(true);
      // Every source spills: the provisioned clusters in stl_query_metrics, the SYS sources in sys_query_detail.
      expect(new Set(texts(rows, 'cluster'))).toEqual(new Set(['analytics', 'etl', 'bi', 'warehouse']));
      expect(texts(rows, 'example_text').some((text) => text.includes('region_name') || text.includes('signup_at'))).toBe(true);
    },
    redshift_fingerprint_regressions: async (rows) => {
      // With the whole demo as the recent period there is nothing to compare with.
      expect(await run('redshift_fingerprint_regressions', { since: '2024-03-05 00:00:00' })).toEqual([]);
      expect(since).toBe('2024-03-06 11:00:00');
      const revenue = rows.find((row) => String(row.slowest_text).includes('SUM(s.amount) AS revenue'));
      expect(revenue, 'the planted regression of the revenue-by-region dashboard').toBeDefined();
      expect(Number(revenue?.increase_percent)).toBeGreaterThan(100);
      expect(revenue?.clusters).toBe(2);
    },
    redshift_failed_logins: (rows) => {
      const failing = rows.filter((row) => Number(row.failed_logins) > 0);
      expect(new Set(texts(failing, 'dialect'))).toEqual(new Set(['stl', 'sys']));
      expect(texts(failing, 'remote_host').every((host) => SCANNERS.includes(host))).toBe(true);
      expect(new Set(texts(failing, 'remote_host')).size).toBeGreaterThan(1);
      expect(rows.some((row) => Number(row.sessions) > 0 && Number(row.failed_logins) === 0)).toBe(true);
    },
    redshift_load_errors: async (rows) => {
      const tables = new Set(rows.map((row) => `${row.cluster} ${row.table_name}`));
      expect(tables).toContain('analytics scratch.uploads');
      expect(tables).toContain('etl staging.clickstream_raw');
      const errors = rows.reduce((sum, row) => sum + Number(row.errors), 0);
      expect(errors).toBe(
        (await scalar(`SELECT count(*) FROM stl_load_errors WHERE ${DAYS}`)) +
          (await scalar(`SELECT count(*) FROM sys_load_error_detail WHERE ${DAYS}`)),
      );
    },
    redshift_serverless_cost: async (rows) => {
      expect(new Set(texts(rows, 'cluster'))).toEqual(new Set(['bi']));
      const charged = await scalar(`SELECT sum(charged_seconds) FROM sys_serverless_usage WHERE ${DAYS}`);
      expect(rows.reduce((sum, row) => sum + Number(row.charged_rpu_seconds), 0)).toBe(charged);
      const cost = rows.reduce((sum, row) => sum + Number(row.cost), 0);
      expect(cost).toBeCloseTo((charged / 3600) * 0.375, 2);
    },
    redshift_serverless_cost_by_fingerprint: (rows) => {
      expect(new Set(texts(rows, 'cluster'))).toEqual(new Set(['bi']));
      const costs = rows.map((row) => Number(row.cost));
      expect(costs).toEqual([...costs].sort((a, b) => b - a));
      expect(costs[0]).toBeGreaterThan(0);
    },
    redshift_peak_concurrency: async (rows) => {
      expect(new Set(texts(rows, 'cluster'))).toEqual(new Set(['analytics', 'etl', 'bi', 'warehouse']));
      expect(rows.every((row) => Number(row.peak_concurrency) >= 1)).toBe(true);
      expect(rows.some((row) => Number(row.peak_concurrency) > 1)).toBe(true);
      expect(rows.reduce((sum, row) => sum + Number(row.started), 0)).toBe(
        await scalar(`SELECT count(*) FROM redshift_statements WHERE ${DAYS} AND start_time >= TIMESTAMP '2024-03-05 00:00:00'`),
      );
    },
  };
}
