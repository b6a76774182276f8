import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseHeldError } from '../../../pipeline/errors.js';
import { DEADLINE_SLACK_MS, HeldLease, leaseMs, RUN_LEASE_MS } from '../../../pipeline/state/held-lease.js';
import { FileStateStore } from '../../../pipeline/state/file-state-store.js';

let root: string;
let stores = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opslake-held-lease-'));
});
afterAll(async () => rm(root, { recursive: true, force: true }));

function store(): FileStateStore {
  stores += 1;
  return new FileStateStore(join(root, `state-${stores}`));
}

const T0 = new Date('2024-03-04T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe('HeldLease', () => {
  it('lasts 2 minutes for a run without a deadline, and until the deadline plus slack for a Lambda', () => {
    expect(leaseMs(T0, undefined)).toBe(RUN_LEASE_MS);
    expect(leaseMs(T0, at(600_000))).toBe(600_000 + DEADLINE_SLACK_MS);
    expect(leaseMs(T0, at(-5_000))).toBe(DEADLINE_SLACK_MS);
  });

  it('renews at a safe point once half the lease has passed, so another run stays out', async () => {
    const state = store();
    let now = T0;
    const lease = await HeldLease.acquire(state, 'compaction', 'run-a', { ttlMs: RUN_LEASE_MS, clock: () => now });
    now = at(RUN_LEASE_MS / 2 - 1);
    await lease.renewIfDue();
    expect(lease.lease.expiresAt).toEqual(at(RUN_LEASE_MS));
    now = at(RUN_LEASE_MS / 2);
    await lease.renewIfDue();
    expect(lease.lease.expiresAt).toEqual(at(RUN_LEASE_MS / 2 + RUN_LEASE_MS));
    // Past the first expiry, the renewed lease still holds.
    await expect(state.acquireLease('compaction', 'run-b', RUN_LEASE_MS, at(RUN_LEASE_MS + 1))).rejects.toThrow(LeaseHeldError);
    await lease.release();
    await state.releaseLease(await state.acquireLease('compaction', 'run-b', RUN_LEASE_MS, at(RUN_LEASE_MS + 1)));
  });

  it('takes a lease over only with takeOver, showing the holder first', async () => {
    const state = store();
    await state.acquireLease('cluster#a', 'run-killed', RUN_LEASE_MS, T0);
    await expect(HeldLease.acquire(state, 'cluster#a', 'run-new', { ttlMs: RUN_LEASE_MS, clock: () => at(1_000) })).rejects.toThrow(
      /another run \(run-killed\) holds the lease on cluster#a until 2024-03-04T10:02:00.000Z, last renewed 2024-03-04T10:00:00.000Z/,
    );
    const shown: LeaseHeldError[] = [];
    const taken = await HeldLease.acquire(state, 'cluster#a', 'run-new', {
      ttlMs: RUN_LEASE_MS,
      clock: () => at(1_000),
      takeOver: true,
      onTakeOver: (held) => shown.push(held),
    });
    expect(shown.map((held) => [held.holder, held.renewedAt])).toEqual([['run-killed', T0]]);
    expect(taken.lease.owner).toBe('run-new');
    await taken.release();
  });

  it('throws at its next renewal once the lease was taken from it', async () => {
    const state = store();
    let now = T0;
    const lease = await HeldLease.acquire(state, 'compaction', 'run-a', { ttlMs: RUN_LEASE_MS, clock: () => now });
    // Another run took it over on purpose (what --take-over-lease does).
    await state.releaseLease({ scope: 'compaction', owner: 'run-a', expiresAt: at(RUN_LEASE_MS) });
    await state.acquireLease('compaction', 'run-b', RUN_LEASE_MS, at(1_000));
    now = at(RUN_LEASE_MS / 2);
    await expect(lease.renewIfDue()).rejects.toThrow(/another run \(run-b\) holds the lease on compaction/);
    // Releasing leaves run-b's lease alone.
    await lease.release();
    await expect(state.acquireLease('compaction', 'run-c', RUN_LEASE_MS, now)).rejects.toThrow(LeaseHeldError);
  });
});
