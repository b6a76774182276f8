import type { LakeTable } from '../tables/lake-table.js';

/**
 * When a partition is closed, so that compaction may rewrite it (pure). A Redshift partition
 * (cluster, day) is closed once every slot of its day is sealed: the (cluster, table) watermark
 * `sealedThrough` has reached the end of the day. A CloudTrail partition (account, region, day)
 * is closed once the day ended `cloudtrailLatenessMinutes` ago; a file later still is written
 * as usual, and marks its partition dirty for the next run.
 */

const DAY_MS = 86_400_000;

/** The scope compaction keeps a watermark for: a cluster of a Redshift table, `*` for the others. */
export const ALL_SCOPES = '*';

export function dayOf(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return dayOf(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS);
}

/** Whether a table's partitions are closed by a Redshift watermark (it has a `cluster` key). */
export function closesBySealing(table: LakeTable): boolean {
  return table.partitionKeys.some((key) => key.name === 'cluster');
}

/** The last day whose partitions are closed by time. */
export function lastClosedByLateness(now: Date, latenessMinutes: number): string {
  // The day that ended `lateness` ago or earlier: its end + lateness <= now.
  return dayOf(now.getTime() - latenessMinutes * 60_000 - DAY_MS);
}

/** The last day every slot of which `sealedThrough` covers; undefined when not even one day is. */
export function lastClosedBySealing(sealedThrough: Date | null): string | undefined {
  if (sealedThrough === null) return undefined;
  // Sealed through midnight closes the day before it; through 13:00 closes that same day before.
  return dayOf(sealedThrough.getTime() - DAY_MS);
}

/** Days from `from` to `to` inclusive, in order. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}
