import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidIdentifierError, LeaseHeldError, StateConflictError, StateStoreError } from '../../../pipeline/errors.js';
import type { Lease, StateStore, WatermarkUpdate } from '../../../pipeline/ports/state-store.js';

/**
 * The behaviour every StateStore adapter owes its callers. Each adapter's test file runs it
 * with a factory that returns a store over empty state.
 */
export const CONTRACT_NOW = new Date('2026-03-01T12:00:00.000Z');

export function describeStateStoreContract(createStore: (clock: () => Date) => Promise<StateStore>): void {
  describe('StateStore contract', () => {
    let store: StateStore;
    const key = { cluster: 'prod-east', table: 'stl_query' };
    const update: WatermarkUpdate = { sealedThrough: new Date('2026-03-01T10:00:00.000Z'), gaps: [] };

    beforeEach(async () => {
      store = await createStore(() => CONTRACT_NOW);
    });

    describe('watermarks', () => {
      it('reads version 0 and nothing sealed when no watermark is stored', async () => {
        await expect(store.getWatermark(key)).resolves.toEqual({ sealedThrough: null, version: 0, gaps: [], updatedAt: null });
      });

      it('returns and then reads back the written watermark with the next version', async () => {
        const written = await store.putWatermark(key, update, 0);
        expect(written).toEqual({ sealedThrough: update.sealedThrough, version: 1, gaps: [], updatedAt: CONTRACT_NOW });
        await expect(store.getWatermark(key)).resolves.toEqual(written);

        const next = await store.putWatermark(key, { sealedThrough: new Date('2026-03-01T11:00:00.000Z'), gaps: [] }, 1);
        expect(next.version).toBe(2);
        await expect(store.getWatermark(key)).resolves.toEqual(next);
      });

      it('keeps sealedThrough null when written as null', async () => {
        await store.putWatermark(key, { sealedThrough: null, gaps: [] }, 0);
        await expect(store.getWatermark(key)).resolves.toMatchObject({ sealedThrough: null, version: 1 });
      });

      it('rejects a stale expected version with StateConflictError and writes nothing', async () => {
        const first = await store.putWatermark(key, update, 0);
        const later = { sealedThrough: new Date('2026-03-01T11:00:00.000Z'), gaps: [] };

        await expect(store.putWatermark(key, later, 0)).rejects.toBeInstanceOf(StateConflictError);
        await expect(store.putWatermark(key, later, 2)).rejects.toBeInstanceOf(StateConflictError);
        await expect(store.getWatermark(key)).resolves.toEqual(first);
      });

      it('rejects a non-zero expected version when nothing is stored', async () => {
        await expect(store.putWatermark(key, update, 1)).rejects.toBeInstanceOf(StateConflictError);
        await expect(store.getWatermark(key)).resolves.toMatchObject({ version: 0 });
      });

      it('round-trips gaps with their dates to the millisecond', async () => {
        const gaps = [
          {
            from: new Date('2026-02-01T00:00:00.000Z'),
            to: new Date('2026-02-03T05:00:00.000Z'),
            detectedAt: new Date('2026-02-10T08:15:30.123Z'),
          },
          {
            from: new Date('2026-02-20T00:00:00.000Z'),
            to: new Date('2026-02-20T01:00:00.000Z'),
            detectedAt: new Date('2026-02-21T00:00:00.001Z'),
          },
        ];
        await store.putWatermark(key, { sealedThrough: update.sealedThrough, gaps }, 0);
        const read = await store.getWatermark(key);
        expect(read.gaps).toEqual(gaps);
        expect(read.gaps[0]?.detectedAt).toBeInstanceOf(Date);
      });

      it('lists every stored watermark, by cluster then table, and no leases', async () => {
        await store.putWatermark({ cluster: 'zeta', table: 'stl_scan' }, update, 0);
        await store.putWatermark({ cluster: 'alpha', table: 'stl_wlm_query' }, { sealedThrough: null, gaps: [] }, 0);
        await store.putWatermark({ cluster: 'alpha', table: 'stl_query' }, update, 0);
        await store.putWatermark({ cluster: 'alpha', table: 'stl_query' }, update, 1);
        await store.acquireLease('stl-export/alpha', 'run-1', 60_000, CONTRACT_NOW);

        const listed = await store.listWatermarks();
        expect(listed.map((w) => [w.cluster, w.table, w.version])).toEqual([
          ['alpha', 'stl_query', 2],
          ['alpha', 'stl_wlm_query', 1],
          ['zeta', 'stl_scan', 1],
        ]);
        expect(listed[0]).toEqual({
          cluster: 'alpha',
          table: 'stl_query',
          sealedThrough: update.sealedThrough,
          version: 2,
          gaps: [],
          updatedAt: CONTRACT_NOW,
        });
      });

      it('lists nothing when nothing is stored', async () => {
        await expect(store.listWatermarks()).resolves.toEqual([]);
      });

      it('refuses cluster and table names that could forge another key', async () => {
        await expect(store.getWatermark({ cluster: 'prod#lease', table: 'stl_query' })).rejects.toBeInstanceOf(InvalidIdentifierError);
        await expect(store.putWatermark({ cluster: 'prod', table: 'stl_query#x' }, update, 0)).rejects.toBeInstanceOf(
          InvalidIdentifierError,
        );
        await expect(store.listWatermarks()).resolves.toEqual([]);
      });

      it('lets exactly one of two concurrent writers with the same expected version win', async () => {
        await store.putWatermark(key, update, 0);
        const attempts = ['2026-03-01T11:00:00.000Z', '2026-03-01T11:30:00.000Z', '2026-03-01T11:45:00.000Z'].map((at) =>
          store.putWatermark(key, { sealedThrough: new Date(at), gaps: [] }, 1),
        );
        const results = await Promise.allSettled(attempts);

        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost.map((r) => r.reason)).toEqual([expect.any(StateConflictError), expect.any(StateConflictError)]);
        await expect(store.getWatermark(key)).resolves.toEqual((won[0] as PromiseFulfilledResult<unknown>).value);
      });
    });

    describe('leases', () => {
      const scope = 'stl-export/prod-east';
      const at = (ms: number) => new Date(CONTRACT_NOW.getTime() + ms);

      it('grants a free lease until now + ttl', async () => {
        await expect(store.acquireLease(scope, 'run-a', 60_000, CONTRACT_NOW)).resolves.toEqual({
          scope,
          owner: 'run-a',
          expiresAt: at(60_000),
        });
      });

      it('refuses a held lease to another owner, naming the holder and its expiry', async () => {
        await store.acquireLease(scope, 'run-a', 60_000, CONTRACT_NOW);

        const error = await store.acquireLease(scope, 'run-b', 60_000, at(1_000)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(LeaseHeldError);
        expect(error).toMatchObject({ holder: 'run-a', expiresAt: at(60_000) });
        expect((error as Error).message).toContain('run-a');
      });

      it('lets the holder take its lease again, extending it', async () => {
        await store.acquireLease(scope, 'run-a', 60_000, CONTRACT_NOW);
        await expect(store.acquireLease(scope, 'run-a', 60_000, at(30_000))).resolves.toEqual({
          scope,
          owner: 'run-a',
          expiresAt: at(90_000),
        });
        await expect(store.acquireLease(scope, 'run-b', 60_000, at(70_000))).rejects.toMatchObject({
          holder: 'run-a',
          expiresAt: at(90_000),
        });
      });

      it('gives an expired lease to another owner, and not before it has expired', async () => {
        await store.acquireLease(scope, 'run-a', 60_000, CONTRACT_NOW);
        await expect(store.acquireLease(scope, 'run-b', 60_000, at(60_000))).rejects.toBeInstanceOf(LeaseHeldError);
        await expect(store.acquireLease(scope, 'run-b', 60_000, at(60_001))).resolves.toEqual({
          scope,
          owner: 'run-b',
          expiresAt: at(120_001),
        });
        await expect(store.acquireLease(scope, 'run-a', 60_000, at(60_002))).rejects.toMatchObject({ holder: 'run-b' });
      });

      it('keeps leases of different scopes apart', async () => {
        await store.acquireLease(scope, 'run-a', 60_000, CONTRACT_NOW);
        await expect(store.acquireLease('stl-export/other', 'run-b', 60_000, CONTRACT_NOW)).resolves.toMatchObject({ owner: 'run-b' });
      });

      it('frees the lease when its holder releases it', async () => {
        const lease = await store.acquireLease(scope, 'run-a', 60_000, CONTRACT_NOW);
        await store.releaseLease(lease);
        await expect(store.acquireLease(scope, 'run-b', 60_000, at(1))).resolves.toMatchObject({ owner: 'run-b' });
      });

      it('does nothing when a non-owner releases, or when nothing is held', async () => {
        await store.releaseLease({ scope, owner: 'run-a', expiresAt: at(1) });
        await store.acquireLease(scope, 'run-a', 60_000, CONTRACT_NOW);

        await store.releaseLease({ scope, owner: 'run-b', expiresAt: at(60_000) });

        await expect(store.acquireLease(scope, 'run-b', 60_000, at(1_000))).rejects.toMatchObject({ holder: 'run-a' });
      });

      it('gives a contended lease to exactly one of several concurrent owners', async () => {
        const owners = ['run-1', 'run-2', 'run-3', 'run-4'];
        const results = await Promise.allSettled(owners.map((owner) => store.acquireLease(scope, owner, 60_000, CONTRACT_NOW)));

        const won = results.filter((r): r is PromiseFulfilledResult<Lease> => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(3);
        for (const { reason } of lost) expect(reason).toMatchObject({ name: 'LeaseHeldError', holder: won[0]?.value.owner });
      });

      it('refuses an empty owner or a scope with control characters', async () => {
        await expect(store.acquireLease(scope, '', 60_000, CONTRACT_NOW)).rejects.toBeInstanceOf(InvalidIdentifierError);
        await expect(store.acquireLease('a\nb', 'run-a', 60_000, CONTRACT_NOW)).rejects.toBeInstanceOf(InvalidIdentifierError);
      });
    });

    describe('source dialects', () => {
      const found = {
        cluster: 'prod-east',
        dialect: 'sys' as const,
        reason: 'stl_query refused: permission denied',
        detectedAt: CONTRACT_NOW,
      };

      it('reads null before anything is recorded, then the recorded dialect', async () => {
        await expect(store.getSourceDialect('prod-east')).resolves.toBeNull();
        await expect(store.recordSourceDialect(found)).resolves.toEqual(found);
        await expect(store.getSourceDialect('prod-east')).resolves.toEqual(found);
        await expect(store.getSourceDialect('prod-west')).resolves.toBeNull();
      });

      it('keeps the first answer: a later record of another dialect returns and leaves the first', async () => {
        await store.recordSourceDialect(found);
        const later = {
          ...found,
          dialect: 'stl' as const,
          reason: 'stl_query can be read',
          detectedAt: new Date(CONTRACT_NOW.getTime() + 1),
        };
        await expect(store.recordSourceDialect(later)).resolves.toEqual(found);
        await expect(store.getSourceDialect('prod-east')).resolves.toEqual(found);
      });

      it('lists every recorded source, apart from watermarks', async () => {
        await store.putWatermark(key, update, 0);
        await store.recordSourceDialect({ ...found, cluster: 'zeta' });
        await store.recordSourceDialect(found);
        expect((await store.listSourceDialects()).map((dialect) => dialect.cluster)).toEqual(['prod-east', 'zeta']);
        expect(await store.listWatermarks()).toHaveLength(1);
      });

      it('refuses a bad cluster name, an unknown dialect or a reason with control characters', async () => {
        await expect(store.recordSourceDialect({ ...found, cluster: 'Bad Name' })).rejects.toBeInstanceOf(InvalidIdentifierError);
        await expect(store.recordSourceDialect({ ...found, dialect: 'stv' as 'stl' })).rejects.toBeInstanceOf(StateStoreError);
        await expect(store.recordSourceDialect({ ...found, reason: 'a\nb' })).rejects.toBeInstanceOf(StateStoreError);
        await expect(store.getSourceDialect('prod-east')).resolves.toBeNull();
      });
    });
  });
}
