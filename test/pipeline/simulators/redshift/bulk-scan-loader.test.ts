import { describe, expect, it } from 'vitest';
import { BULK_SEGMENTS, renderBulkScanLoad } from '../../../../pipeline/simulators/redshift/bulk-scan-loader.js';
import { ETL_PROFILE } from '../../../../pipeline/simulators/redshift/etl-profile.js';
import { defined } from '../../../harness/defined.js';

const plan = { count: 1_000_000, slotStart: '2026-11-18 10:00:00', slotMinutes: 60, firstQuery: 500, firstXid: 9000, slices: 8 };

describe('renderBulkScanLoad', () => {
  it('writes stl_query, stl_querytext and stl_scan from generate_series, one query per slices x segments scan rows', () => {
    const load = renderBulkScanLoad(ETL_PROFILE, plan);
    expect(load.queries).toBe(Math.ceil(1_000_000 / (8 * BULK_SEGMENTS)));
    expect(load.statements.map((statement) => statement.view)).toEqual(['stl_query', 'stl_querytext', 'stl_scan']);
    for (const statement of load.statements) {
      expect(statement.text).toMatch(/^INSERT INTO public\.stl_[a-z_]+ \(/);
      expect(statement.text).toContain('generate_series(');
    }
  });

  it('numbers exactly the parameters each statement uses, with a cast on every use', () => {
    for (const statement of renderBulkScanLoad(ETL_PROFILE, plan).statements) {
      expect(statement.text).not.toMatch(/\{[a-z_]+\}/);
      const used = new Set([...statement.text.matchAll(/\$(\d+)::/g)].map((match) => Number(match[1])));
      expect([...used].sort((a, b) => a - b)).toEqual(statement.parameters.map((_, index) => index + 1));
      expect(statement.text).not.toMatch(/\$\d+(?!\d|::)/);
    }
    const scan = defined(renderBulkScanLoad(ETL_PROFILE, plan).statements[2], 'the scan statement');
    expect(scan.parameters).toContain(1_000_000);
    expect(scan.parameters).toContain('2026-11-18 10:00:00');
  });
});
