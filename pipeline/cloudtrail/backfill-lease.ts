import { randomUUID } from 'node:crypto';
import { COMPACTION_LEASE_SCOPE } from '../compaction/compact-lake.js';
import { LeaseHeldError } from '../errors.js';
import { HeldLease, type LeaseStore, RUN_LEASE_MS } from '../state/held-lease.js';

/**
 * The compaction lease as the backfill of closed days holds it (DESIGN.md §4). Two runs that
 * switch the same partition could leave readers on a generation without the other's rows, so
 * closed days are written straight into generations only while this run holds the lease that
 * `opslake compact` and the `lake-compact` Lambda take; otherwise they take the live path and are
 * compacted later. A killed backfill's lease frees itself within RUN_LEASE_MS.
 */
export class BackfillLease {
  readonly #held: HeldLease | undefined;
  /** Who holds the lease when this run could not take it. */
  readonly heldBy: string | undefined;

  private constructor(held: HeldLease | undefined, heldBy: string | undefined) {
    this.#held = held;
    this.heldBy = heldBy;
  }

  static async take(store: LeaseStore, clock: () => Date): Promise<BackfillLease> {
    try {
      const held = await HeldLease.acquire(store, COMPACTION_LEASE_SCOPE, `ingest-${randomUUID()}`, {
        ttlMs: RUN_LEASE_MS,
        clock,
        keepAlive: true,
      });
      return new BackfillLease(held, undefined);
    } catch (error) {
      if (!(error instanceof LeaseHeldError)) throw error;
      return new BackfillLease(undefined, error.holder);
    }
  }

  /** Before each unit: renews the lease when due; false when it was lost (another run took it over). */
  async keep(): Promise<boolean> {
    if (this.#held === undefined) return false;
    try {
      await this.#held.renewIfDue();
      return true;
    } catch (error) {
      if (error instanceof LeaseHeldError) return false;
      throw error;
    }
  }

  async release(): Promise<void> {
    await this.#held?.release();
  }
}
