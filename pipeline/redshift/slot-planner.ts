import { addMinutes, slotEnd, slotFloor } from './slot-time.js';

export interface Slot {
  readonly start: Date;
  readonly end: Date;
  /**
   * True once the cluster clock has passed `end + lateness`, and no statement that may still
   * complete inside the slot holds it back: its rows can no longer change.
   */
  readonly sealed: boolean;
}

export interface SlotPlanInput {
  /** The stored watermark; null before the first sealed slot. */
  readonly sealedThrough: Date | null;
  /** Oldest cursor value the view still holds; null when it is empty. */
  readonly oldestInView: Date | null;
  /**
   * Oldest completion time the cluster still holds in `stl_query`, its densest log: when even
   * that is newer than the watermark, the cluster has dropped rows we never exported.
   */
  readonly clusterHorizon: Date | null;
  /** Cluster clock at the start of the run. */
  readonly now: Date;
  readonly slotMinutes: number;
  readonly latenessMinutes: number;
  /**
   * No slot ending after this may be sealed (null: no limit): a statement that will complete at
   * this time, or whose usage is not booked yet, is still open (see `renderHoldBack`).
   */
  readonly sealLimit?: Date | null;
}

export interface SlotPlan {
  /** Slots to export, oldest first: sealed ones, then the unsealed ones up to `now`. */
  readonly slots: readonly Slot[];
  /** Rows lost before export: `[from, to)` was dropped by the cluster before we got there. */
  readonly gap: { readonly from: Date; readonly to: Date } | null;
  /** Where the export starts; the watermark moves here first when a gap was found. */
  readonly start: Date | null;
}

/** Plans one run of one (cluster, table). Pure: the same input gives the same plan. */
export function planSlots(input: SlotPlanInput): SlotPlan {
  const { sealedThrough, oldestInView, clusterHorizon, now, slotMinutes, latenessMinutes } = input;
  const sealLimit = input.sealLimit ?? null;
  let start: Date;
  let gap: SlotPlan['gap'] = null;
  if (sealedThrough === null) {
    // First run: nothing older than the oldest retained row can be exported any more, and an
    // empty view gives nothing to start from yet (a watermark set now could later look like a gap).
    if (oldestInView === null) return { slots: [], gap: null, start: null };
    start = slotFloor(oldestInView, slotMinutes);
  } else {
    start = sealedThrough;
    if (clusterHorizon !== null && clusterHorizon > sealedThrough) {
      const oldest = oldestInView !== null && oldestInView < clusterHorizon ? oldestInView : clusterHorizon;
      const resume = slotFloor(oldest, slotMinutes);
      if (resume > sealedThrough) {
        gap = { from: sealedThrough, to: resume };
        start = resume;
      }
    }
  }
  const slots: Slot[] = [];
  for (let slotStart = start; slotStart < now; ) {
    const end = slotEnd(slotStart, slotMinutes);
    // Rows are written when a statement completes and may land minutes later; only once the
    // cluster clock is past end + lateness can the slot's content no longer change. A statement
    // that has finished running but is not final yet will still land at its end time, however
    // long that takes: the slots from there on wait for it.
    const late = addMinutes(end, latenessMinutes) <= now;
    slots.push({ start: slotStart, end, sealed: late && (sealLimit === null || end <= sealLimit) });
    slotStart = end;
  }
  return { slots, gap, start };
}
