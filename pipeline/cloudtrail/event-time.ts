/** An `eventTime` made safe for a TIMESTAMP column: UTC text DuckDB parses exactly, and its day. */
export interface EventTime {
  /** `YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC. */
  readonly text: string;
  /** `YYYY-MM-DD`, UTC. */
  readonly day: string;
}

const CLOUDTRAIL_FORM = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
const OTHER_ISO_FORM = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Parses CloudTrail's `YYYY-MM-DDTHH:MM:SSZ` (fractions kept to the microsecond) and, more
 * slowly, other ISO 8601 forms with an offset (converted to UTC). Anything else is refused
 * (undefined): DuckDB would ignore an offset or reject an impossible date and fail the file.
 */
export function normaliseEventTime(value: string): EventTime | undefined {
  const match = CLOUDTRAIL_FORM.exec(value);
  if (match) {
    const [, y, mo, d, h, mi, s, fraction] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string | undefined,
    ];
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
    if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
    const date = `${y}-${mo}-${d}`;
    return { text: `${date} ${h}:${mi}:${s}${fraction ? `.${fraction.slice(0, 6)}` : ''}`, day: date };
  }
  if (!OTHER_ISO_FORM.test(value)) return undefined;
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`;
  const millis = Date.parse(zoned.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (!Number.isFinite(millis)) return undefined;
  const iso = new Date(millis).toISOString();
  if (!/^\d{4}-/.test(iso) || iso.startsWith('0000')) return undefined;
  return { text: `${iso.slice(0, 10)} ${iso.slice(11, 23)}`, day: iso.slice(0, 10) };
}
