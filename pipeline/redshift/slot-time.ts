/**
 * Slot arithmetic on UTC instants. Timestamps travel as `'YYYY-MM-DD HH:MM:SS[.ffffff]'` strings
 * (the database's own format, UTC by Redshift's convention); slot bounds are whole minutes.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Parses `'YYYY-MM-DD HH:MM:SS[.ffffff]'` (or ISO with `T`/`Z`) as UTC. Microseconds are dropped. */
export function parseUtc(value: string): Date {
  const normalised = value.trim().replace(' ', 'T');
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(normalised) ? normalised : `${normalised}Z`;
  const date = new Date(withZone);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a timestamp: ${value}`);
  return date;
}

/** `'YYYY-MM-DD HH:MM:SS'` in UTC: the form slot bounds are passed to SQL in. */
export function formatSqlTimestamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** `YYYY-MM-DD` of the UTC day. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** `YYYYMMDDTHHmm`: the slot start as it appears in object names. */
export function slotStamp(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

/** Start of the slot that contains `instant`. Slots start at UTC midnight and repeat every `slotMinutes`. */
export function slotFloor(instant: Date, slotMinutes: number): Date {
  const dayStart = Math.floor(instant.getTime() / DAY_MS) * DAY_MS;
  const slotMs = slotMinutes * MINUTE_MS;
  return new Date(dayStart + Math.floor((instant.getTime() - dayStart) / slotMs) * slotMs);
}

/**
 * End of the slot starting at `start`: `slotMinutes` later, but never past the next UTC
 * midnight, so that every row of a slot has the same `day` partition.
 */
export function slotEnd(start: Date, slotMinutes: number): Date {
  const nextMidnight = (Math.floor(start.getTime() / DAY_MS) + 1) * DAY_MS;
  return new Date(Math.min(start.getTime() + slotMinutes * MINUTE_MS, nextMidnight));
}

export function addMinutes(date: Date, minutes: number): Date {
  return new Date(date.getTime() + minutes * MINUTE_MS);
}
