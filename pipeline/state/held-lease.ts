import { LeaseHeldError } from '../errors.js';
import type { Lease, StateStore } from '../ports/state-store.js';

/**
 * How long a lease of a run without a deadline (the CLI) lasts. Short, so that a run killed
 * without a chance to release (SIGKILL, a lost laptop) frees its scope within minutes; a live
 * run renews it long before (every third of it, on a timer, and at its own safe points).
 */
export const RUN_LEASE_MS = 2 * 60_000;

/** Slack past a Lambda's deadline: its lease outlives the invocation by this, never by more. */
export const DEADLINE_SLACK_MS = 60_000;

/** A run's lease: until the deadline (Lambda) plus slack, else RUN_LEASE_MS renewed while the run is alive. */
export function leaseMs(now: Date, deadline: Date | undefined): number {
  return deadline === undefined ? RUN_LEASE_MS : Math.max(deadline.getTime() - now.getTime() + DEADLINE_SLACK_MS, DEADLINE_SLACK_MS);
}

export interface HoldLeaseOptions {
  readonly ttlMs: number;
  readonly clock: () => Date;
  /**
   * Take the lease over from its holder on purpose (`--take-over-lease`): for a lease left by a
   * run that was killed. The holder is shown first (`onTakeOver`), and only that holder's lease is
   * removed: when another run took it meanwhile, LeaseHeldError names that one.
   */
  readonly takeOver?: boolean;
  readonly onTakeOver?: (held: LeaseHeldError) => void;
  /** Renew on a timer too (the CLI), every third of the lease; Lambda runs are bounded by their deadline instead. */
  readonly keepAlive?: boolean;
}

/** Leases are held by the state store; `store` needs only these. */
export type LeaseStore = Pick<StateStore, 'acquireLease' | 'releaseLease'>;

/**
 * A lease held by this run: renewed at the run's safe points once half of it has passed
 * (`renewIfDue`) and, for a run without a deadline, on a timer; given back by `release`. A
 * renewal that fails is kept (`lost`) and thrown at the next safe point, so work stops where it
 * can be committed instead of at an arbitrary await.
 */
export class HeldLease {
  readonly #store: LeaseStore;
  readonly #options: HoldLeaseOptions;
  #lease: Lease;
  #renewAt: number;
  #timer: NodeJS.Timeout | undefined;
  #lost: unknown;

  private constructor(store: LeaseStore, lease: Lease, options: HoldLeaseOptions) {
    this.#store = store;
    this.#lease = lease;
    this.#options = options;
    this.#renewAt = options.clock().getTime() + options.ttlMs / 2;
    if (options.keepAlive) {
      this.#timer = setInterval(() => {
        this.#renew().catch((error: unknown) => {
          this.#lost = error;
        });
      }, options.ttlMs / 3);
      // The timer never keeps a finished process alive.
      this.#timer.unref();
    }
  }

  /** Takes the lease on `scope`; throws LeaseHeldError when another run holds it (and `takeOver` is not set). */
  static async acquire(store: LeaseStore, scope: string, owner: string, options: HoldLeaseOptions): Promise<HeldLease> {
    try {
      return new HeldLease(store, await store.acquireLease(scope, owner, options.ttlMs, options.clock()), options);
    } catch (error) {
      if (!(error instanceof LeaseHeldError) || !options.takeOver) throw error;
      options.onTakeOver?.(error);
      // Conditional on the holder shown: a run that took the lease meanwhile keeps it.
      await store.releaseLease({ scope, owner: error.holder, expiresAt: error.expiresAt });
      return new HeldLease(store, await store.acquireLease(scope, owner, options.ttlMs, options.clock()), options);
    }
  }

  get lease(): Lease {
    return this.#lease;
  }

  /** At a safe point: renews once half the lease has passed; throws when a renewal on the timer failed (the lease was taken). */
  async renewIfDue(): Promise<void> {
    if (this.#lost !== undefined) throw this.#lost;
    if (this.#options.clock().getTime() >= this.#renewAt) await this.#renew();
  }

  async release(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#store.releaseLease(this.#lease);
  }

  async #renew(): Promise<void> {
    const now = this.#options.clock();
    this.#lease = await this.#store.acquireLease(this.#lease.scope, this.#lease.owner, this.#options.ttlMs, now);
    this.#renewAt = now.getTime() + this.#options.ttlMs / 2;
  }
}
