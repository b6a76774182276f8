// Rows of one statement share their second: the last second formatted is remembered.
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** `YYYY-MM-DD HH:MM:SS.ffffff` (UTC) of microseconds since the epoch. */
export function formatMicros(us: number): string {
  const second = Math.floor(us / 1_000_000);
  // Rows of one statement share their second; formatting a Date is the costly part.
  if (second !== cachedSecond) {
    cachedSecond = second;
    const iso = new Date(second * 1000).toISOString();
    cachedPrefix = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  }
  return `${cachedPrefix}.${String(us - second * 1_000_000).padStart(6, '0')}`;
}

/** Microseconds since the epoch of a `YYYY-MM-DD HH:MM:SS[.ffffff]` UTC text. */
export function parseMicros(text: string): number {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) throw new RangeError(`not a timestamp: ${text}`);
  const ms = Date.parse(`${match[1]}T${match[2]}Z`);
  return ms * 1000 + Number((match[3] ?? '').padEnd(6, '0'));
}
