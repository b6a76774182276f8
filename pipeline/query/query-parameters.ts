import { QueryDefinitionError } from '../errors.js';

/**
 * Parameter types of `queries/`. Values are checked and normalised here, then bound by position
 * (never spliced into SQL): `day` is `YYYY-MM-DD` (compared with the `day` partition, so it
 * prunes), `timestamp` is `YYYY-MM-DD HH:MM:SS` (the SQL casts it), `integer` and `string` as given.
 */
export const PARAMETER_TYPES = ['day', 'timestamp', 'integer', 'string'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export interface QueryParameter {
  readonly name: string;
  readonly type: ParameterType;
  /** Used when no value is given; `day` and `timestamp` accept `today`, `today-7d`, `now`, `now-24h`, ... */
  readonly default?: string;
  readonly description: string;
}

export interface BoundParameter {
  readonly name: string;
  readonly type: ParameterType;
  /** The normalised value. */
  readonly value: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?(?:Z|\+00:00)?$/;
const RELATIVE = /^(today|now)(?:([-+])(\d{1,4})([dhm]))?$/;
const INTEGER = /^-?\d{1,15}$/;
const MAX_STRING = 1000;

/**
 * The values of a query's parameters, in declaration order: given values first, then defaults
 * (relative ones resolved against `now`). Throws QueryDefinitionError for an unknown name, a
 * missing value or one that does not fit its type, naming the parameter.
 */
export function bindParameters(
  query: string,
  declared: readonly QueryParameter[],
  given: Readonly<Record<string, string>>,
  now: Date,
): BoundParameter[] {
  const known = new Set(declared.map((parameter) => parameter.name));
  for (const name of Object.keys(given)) {
    if (!known.has(name)) {
      const list = declared.length > 0 ? declared.map((parameter) => parameter.name).join(', ') : 'none';
      throw new QueryDefinitionError(query, `unknown parameter ${JSON.stringify(name)} (parameters: ${list})`);
    }
  }
  return declared.map((parameter) => {
    const raw = given[parameter.name] ?? parameter.default;
    if (raw === undefined)
      throw new QueryDefinitionError(query, `parameter ${parameter.name} (${parameter.type}) needs a value: --param ${parameter.name}=...`);
    return { name: parameter.name, type: parameter.type, value: normalizeValue(query, parameter, raw, now) };
  });
}

export function normalizeValue(query: string, parameter: Pick<QueryParameter, 'name' | 'type'>, raw: string, now: Date): string {
  const value = raw.trim();
  const invalid = (expected: string) =>
    new QueryDefinitionError(
      query,
      `parameter ${parameter.name}=${JSON.stringify(raw.slice(0, 80))} is not a valid ${parameter.type}: expected ${expected}`,
    );
  switch (parameter.type) {
    case 'day': {
      const relative = resolveRelative(value, now);
      if (relative) return relative.toISOString().slice(0, 10);
      if (!DAY.test(value) || !isRealDate(value)) throw invalid('YYYY-MM-DD, today or today-<n>d');
      return value;
    }
    case 'timestamp': {
      const relative = resolveRelative(value, now);
      if (relative) return relative.toISOString().slice(0, 19).replace('T', ' ');
      const match = TIMESTAMP.exec(value);
      if (
        !match ||
        !isRealDate(`${match[1]}-${match[2]}-${match[3]}`) ||
        Number(match[4] ?? 0) > 23 ||
        Number(match[5] ?? 0) > 59 ||
        Number(match[6] ?? 0) > 59
      ) {
        throw invalid('YYYY-MM-DD[ HH:MM[:SS]] (UTC), now, now-<n>h or today-<n>d');
      }
      return `${match[1]}-${match[2]}-${match[3]} ${match[4] ?? '00'}:${match[5] ?? '00'}:${match[6] ?? '00'}`;
    }
    case 'integer':
      if (!INTEGER.test(value)) throw invalid('a whole number');
      return String(Number(value));
    case 'string':
      if (raw.length > MAX_STRING || raw.includes('\u0000')) throw invalid(`at most ${MAX_STRING} characters`);
      return raw;
  }
}

/** `today` is midnight UTC of `now`'s day; offsets are whole days, hours or minutes. */
function resolveRelative(value: string, now: Date): Date | undefined {
  const match = RELATIVE.exec(value);
  if (!match) return undefined;
  const base = match[1] === 'today' ? Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) : now.getTime();
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[4] as 'd' | 'h' | 'm'] ?? 0;
  const amount = Number(match[3] ?? 0) * (match[2] === '-' ? -1 : 1);
  return new Date(base + amount * unit);
}

function isRealDate(day: string): boolean {
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
}

/**
 * The SQL literal of a bound value, for Athena's `ExecutionParameters` (which takes literals, not
 * raw values). Only values checked by `normalizeValue` get here; quotes are doubled.
 */
export function athenaLiteral(parameter: BoundParameter): string {
  if (parameter.type === 'integer') return parameter.value;
  return `'${parameter.value.replaceAll("'", "''")}'`;
}
