import { expect } from 'vitest';
import type { QueryRow } from '../../pipeline/ports/query-engine.js';
import { SMALL_LAKE } from '../pipeline/catalog/small-lake.js';

type Run = (name: string, given?: Record<string, string>) => Promise<{ rows: QueryRow[] }>;

const [DAY1, DAY2] = SMALL_LAKE.days;
const WORKGROUP = SMALL_LAKE.workgroup;
const COUNT_OF_SALES = 'SELECT count(*) FROM sales';

/**
 * What the fleet questions (spill, regressions, logins, load errors, Serverless cost, concurrency)
 * must find in the small lake: the rows planted for them on the provisioned clusters (STL) and on
 * the Serverless workgroup (SYS), and nothing else.
 */
export function fleetChecks({ run }: { readonly run: Run }): Record<string, (rows: QueryRow[]) => void | Promise<void>> {
  return {
    redshift_spilled_statements: (rows) => {
      expect(rows.map((row) => [row.cluster, row.kind, row.spilled_mb, row.spilled_runs, row.runs])).toEqual([
        [SMALL_LAKE.slowest.cluster, 'provisioned', SMALL_LAKE.spill.stlBlocks, 1, 1],
        [WORKGROUP, 'serverless', SMALL_LAKE.spill.sysBlocks, 1, 4],
      ]);
      expect(rows[0]?.example_text).toBe(SMALL_LAKE.slowest.text);
    },
    redshift_fingerprint_regressions: async (rows) => {
      // The count of sales on the workgroup: 4 s and 2 s on the first day, 12 s and 10 s on the second.
      expect(rows).toEqual([
        {
          fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
          clusters: 1,
          baseline_runs: 2,
          recent_runs: 2,
          baseline_avg_seconds: 3,
          recent_avg_seconds: 11,
          increase_percent: 266.7,
          slowest_text: COUNT_OF_SALES,
        },
      ]);
      expect((await run('redshift_fingerprint_regressions', { min_increase_percent: '300' })).rows).toEqual([]);
      // With the whole lake as the recent period there is nothing to compare with.
      expect((await run('redshift_fingerprint_regressions', { since: `${DAY1} 00:00:00` })).rows).toEqual([]);
    },
    redshift_failed_logins: (rows) => {
      const { stl, sys } = SMALL_LAKE.failedLogins;
      expect(rows[0]).toMatchObject({ cluster: 'alpha', dialect: 'stl', user_name: stl.user, remote_host: stl.host, failed_logins: 3 });
      expect(rows.find((row) => row.remote_host === sys.host)).toMatchObject({ cluster: WORKGROUP, dialect: 'sys', failed_logins: 1 });
      expect(rows.find((row) => row.remote_host === '10.0.3.20')).toMatchObject({ failed_logins: 0, logins: 1 });
    },
    redshift_load_errors: (rows) => {
      expect(rows.map((row) => [row.cluster, row.table_name, row.errors, row.copies])).toEqual([
        [SMALL_LAKE.copy.cluster, SMALL_LAKE.copy.table, SMALL_LAKE.copy.errors, 1],
        [WORKGROUP, 'staging.sales', 1, 1],
      ]);
    },
    redshift_serverless_cost: async (rows) => {
      // RPU-seconds billed / 3600 * 0.375 USD.
      expect(rows.map((row) => [row.hour, row.charged_rpu_seconds, row.cost])).toEqual([
        [`${DAY2} 10:00:00`, 160, 0.0167],
        [`${DAY2} 12:00:00`, 120, 0.0125],
        [`${DAY2} 13:00:00`, 60, 0.0063],
      ]);
      const doubled = await run('redshift_serverless_cost', { price_per_rpu_hour: '0.75' });
      expect(doubled.rows.map((row) => row.cost)).toEqual([0.0333, 0.025, 0.0125]);
    },
    redshift_serverless_cost_by_fingerprint: (rows) => {
      expect(rows.map((row) => [row.example_text, row.rpu_seconds, row.cost])).toEqual([
        ["COPY staging.sales FROM 's3://landing/sales/'", 160, 0.0167],
        [COUNT_OF_SALES, 120, 0.0125],
        [null, 60, 0.0063],
      ]);
      expect(rows[2]?.fingerprint).toBe('(unallocated)');
    },
    redshift_peak_concurrency: (rows) => {
      // Only the two counts of sales on the workgroup overlap.
      expect(rows.filter((row) => Number(row.peak_concurrency) > 1)).toEqual([
        { cluster: WORKGROUP, hour: `${DAY2} 12:00:00`, peak_concurrency: 2, started: 2 },
      ]);
      expect(rows.reduce((sum, row) => sum + Number(row.started), 0)).toBe(62);
    },
  };
}
