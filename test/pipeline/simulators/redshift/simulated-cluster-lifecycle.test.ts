import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../pipeline/errors.js';
import { createSimulatedCluster, openSimulatedCluster, type SimulatedCluster } from '../../../../pipeline/simulators/redshift/index.js';
import { PENDING_SCHEMA } from '../../../../pipeline/simulators/redshift/stl-schema-sql.js';
import { STL_VIEWS, STL_VIEW_NAMES } from '../../../../pipeline/tables/stl-views.js';
import { cluster, digest, EMPTY_DIGEST, EVENING, firstRow, MORNING, opened, rows } from './simulated-cluster-support.js';

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'opslake-simulator-'));
});

afterAll(async () => {
  for (const db of opened) await db.close();
  await rm(folder, { recursive: true, force: true });
});

describe('SimulatedCluster', () => {
  describe('as the clock moves', () => {
    let small: SimulatedCluster;

    beforeAll(async () => {
      small = await cluster({
        name: 'small',
        profile: 'analytics',
        seed: 9,
        start: EVENING,
        historyHours: 4,
        retentionDays: 2 / 24,
        maxVisibilityDelayMinutes: 10,
      });
    });

    it('shows late rows only once the clock passes their visibility time', async () => {
      const now = await small.now();
      const pending = await rows<{ query: number; endtime: string; visible_at: string }>(
        small,
        `SELECT query, endtime::text, visible_at::text FROM "${PENDING_SCHEMA}".stl_query
         WHERE endtime <= $1::timestamp ORDER BY visible_at`,
        [now],
      );
      // Queries that have finished but are not visible yet.
      expect(pending.length).toBeGreaterThan(0);
      for (const row of pending) {
        expect(row.visible_at > now).toBe(true);
        expect(Date.parse(`${row.visible_at}Z`) - Date.parse(`${row.endtime}Z`)).toBeLessThanOrEqual(10 * 60_000);
      }
      const ids = pending.map((row) => row.query);
      const visibleBefore = await firstRow<{ n: number }>(small, 'SELECT count(*)::int AS n FROM stl_query WHERE query = ANY($1::int[])', [
        ids,
      ]);
      expect(visibleBefore.n).toBe(0);
      const future = await firstRow<{ n: number }>(small, 'SELECT count(*)::int AS n FROM stl_query WHERE endtime > getdate()');
      expect(future.n).toBe(0);

      await small.advance(10);
      const visibleAfter = await firstRow<{ n: number }>(small, 'SELECT count(*)::int AS n FROM stl_query WHERE query = ANY($1::int[])', [
        ids,
      ]);
      expect(visibleAfter.n).toBe(ids.length);
      const text = await firstRow<{ n: number }>(
        small,
        'SELECT count(DISTINCT query)::int AS n FROM stl_querytext WHERE query = ANY($1::int[])',
        [ids],
      );
      expect(text.n).toBe(ids.length);
    });

    it('adds the new work when it advances, with higher query ids', async () => {
      const before = await small.rowCounts();
      const maxBefore = await firstRow<{ m: number }>(small, 'SELECT max(query)::int AS m FROM stl_query');
      const result = await small.advance(30);
      expect(result.now).toBe('2026-11-18 18:40:00');
      expect(await small.now()).toBe('2026-11-18 18:40:00');
      expect(result.statements).toBeGreaterThan(0);
      expect(result.rowsVisible).toBeGreaterThan(0);
      const newer = await firstRow<{ n: number; lowest: number }>(
        small,
        'SELECT count(*)::int AS n, min(query)::int AS lowest FROM stl_query WHERE starttime >= $1::timestamp',
        ['2026-11-18 18:10:00'],
      );
      expect(newer.n).toBeGreaterThan(0);
      expect(newer.lowest).toBeGreaterThan(maxBefore.m);
      expect((await small.rowCounts()).stl_scan).not.toBe(before.stl_scan);
    });

    it('deletes rows older than the retention, by their completion time', async () => {
      const check = async (): Promise<void> => {
        for (const view of STL_VIEW_NAMES) {
          const cursor = STL_VIEWS[view].cursor;
          const time = cursor.kind === 'own' ? `v.${cursor.column}` : '(SELECT q.endtime FROM stl_query q WHERE q.query = v.query LIMIT 1)';
          const row = await firstRow<{ old: number; orphans: number }>(
            small,
            `SELECT count(*) FILTER (WHERE ${time} < getdate() - interval '2 hours')::int AS old,
                    count(*) FILTER (WHERE ${time} IS NULL)::int AS orphans FROM ${view} v`,
          );
          expect(row, view).toEqual({ old: 0, orphans: 0 });
        }
      };
      await check();
      const oldest = await firstRow<{ t: string }>(small, 'SELECT min(endtime)::text AS t FROM stl_query');
      const result = await small.advance(60);
      expect(result.rowsDeleted).toBeGreaterThan(0);
      await check();
      const gone = await firstRow<{ n: number }>(small, 'SELECT count(*)::int AS n FROM stl_query WHERE endtime = $1::timestamp', [
        oldest.t,
      ]);
      expect(gone.n).toBe(0);
    });
  });

  describe('determinism and reopening', () => {
    const options = { name: 'twin', profile: 'etl', seed: 21, start: MORNING, historyHours: 3 } as const;
    /** Contents after 30 + 30 minutes, shared by the two tests. */
    let afterAnHour: Record<string, string>;

    it('gives identical tables for the same seed, whatever the steps of the clock', async () => {
      const a = await cluster(options);
      const b = await cluster(options);
      await a.advance(30);
      await a.advance(30);
      await b.advance(60);
      afterAnHour = await digest(a);
      expect(await digest(b)).toEqual(afterAnHour);
      const emptyViews = Object.entries(afterAnHour).filter(([key, value]) => key.startsWith('public.') && value === EMPTY_DIGEST);
      expect(emptyViews).toEqual([]);
    });

    it('continues from its folder after a reopen: clock, pending rows and contents', async () => {
      const dataDir = join(folder, 'twin');
      const first = await createSimulatedCluster({ ...options, dataDir });
      await first.advance(30);
      const before = await digest(first);
      await first.close();

      await expect(createSimulatedCluster({ ...options, dataDir, seed: 99 })).rejects.toBeInstanceOf(ConfigError);
      const reopened = await openSimulatedCluster(dataDir);
      opened.push(reopened);
      expect(reopened.name).toBe('twin');
      expect(reopened.profile).toBe('etl');
      expect(await reopened.now()).toBe('2026-11-18 06:30:00');
      expect(await digest(reopened)).toEqual(before);
      // A cluster that never closed took the same steps: the reopened one must match it.
      await reopened.advance(30);
      expect(await digest(reopened)).toEqual(afterAnHour);
    });

    it('refuses a folder without a cluster', async () => {
      await expect(openSimulatedCluster(join(folder, 'nothing-here'))).rejects.toBeInstanceOf(ConfigError);
    });
  });
});
