import { describe, expect, it } from 'vitest';
import { athenaNamedQueries, athenaQueryString, athenaViewDdl } from '../../../pipeline/query/athena-named-queries.js';
import { QueryLibrary } from '../../../pipeline/query/query-library.js';
import { parameterUses } from '../../../pipeline/query/sql-tokens.js';

describe('athenaNamedQueries', () => {
  it('gives one named query per file of queries/, within Athena limits', async () => {
    const library = await QueryLibrary.load();
    const named = athenaNamedQueries(library, { database: 'opslake', workGroup: 'opslake' });
    expect(named.map((query) => query.name)).toEqual(library.queries.map((query) => query.name));
    for (const query of named) {
      expect(query.database).toBe('opslake');
      expect(query.workGroup).toBe('opslake');
      expect(query.name.length).toBeLessThanOrEqual(128);
      expect(query.description.length).toBeLessThanOrEqual(1024);
      expect(query.description.length).toBeGreaterThan(0);
      expect(parameterUses(query.queryString)).toEqual([]);
    }
  });

  it('writes parameters as ? and says in a comment what each one is', async () => {
    const library = await QueryLibrary.load();
    const text = athenaQueryString(library.get('redshift_hourly_statements'));
    expect(text.split('\n').slice(0, 4)).toEqual([
      '-- Statements per hour and cluster (opslake queries/redshift_hourly_statements.sql)',
      '-- Parameters, in order of the ? marks:',
      '--   1. from_day (day, e.g. today-7d, quoted if not a number): First UTC day (YYYY-MM-DD)',
      '--   2. to_day (day, e.g. today, quoted if not a number): Last UTC day (YYYY-MM-DD)',
    ]);
    expect(text).toContain('WHERE day BETWEEN ? AND ?');
  });

  it('creates the view of a view file', async () => {
    const library = await QueryLibrary.load();
    const view = library.get('cloudtrail_events_unique');
    expect(athenaViewDdl(view)).toMatch(/^CREATE OR REPLACE VIEW cloudtrail_events_unique AS\nSELECT \*/);
    expect(
      athenaNamedQueries(library, { database: 'opslake' }).find((query) => query.name === 'cloudtrail_events_unique')?.queryString,
    ).toBe(athenaViewDdl(view));
  });
});
