import { resolve } from 'node:path';
import { InvalidIdentifierError } from '../errors.js';
import { type ConfigLocation, describeType, quote } from './config-location.js';

/**
 * The building blocks of the config validators: reading one key of a plain-data document with
 * the error that names it, and checking the shapes every part shares.
 */

export type RawRecord = Readonly<Record<string, unknown>>;

const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * True when `text` holds a C0 or C1 control, a line or paragraph separator or a bidirectional
 * override: none belongs in a path or URL, and each can make a value display as something it is
 * not.
 */
export function hasUnsafeCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const c = text.charCodeAt(index);
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) return true;
    if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return true;
  }
  return false;
}

export function localPath(value: string, at: ConfigLocation, baseDir: string | undefined, expected: string): string {
  if (URL_SCHEME.test(value)) throw at.error(`${quote(value)} is not supported; expected ${expected}`);
  return baseDir === undefined ? value : resolve(baseDir, value);
}

/** A string that may hold any text but no control characters; used for paths. */
export function safeString(raw: unknown, at: ConfigLocation): string {
  if (typeof raw !== 'string') throw at.error(`expected a string, got ${describeType(raw)}`);
  if (raw.trim() === '') throw at.error('is empty');
  if (hasUnsafeCharacter(raw)) throw at.error(`${quote(raw)} contains a control character, which no path may hold`);
  return raw;
}

export function identifier(raw: unknown, at: ConfigLocation, assert: (value: unknown) => string): string {
  try {
    return assert(raw);
  } catch (error) {
    if (error instanceof InvalidIdentifierError) {
      if (typeof raw !== 'string') throw at.error(`expected a string, got ${describeType(raw)}`);
      throw at.error(error.message, { cause: error });
    }
    throw error;
  }
}

export function booleanField(record: RawRecord, key: string, at: ConfigLocation): boolean | undefined {
  const value = field(record, key, at);
  if (value === undefined || typeof value === 'boolean') return value;
  throw at.key(key).error(`expected true or false, got ${describeType(value)}`);
}

export function integerField(record: RawRecord, key: string, at: ConfigLocation, range: { min: number; max: number }): number | undefined {
  const value = field(record, key, at);
  if (value === undefined) return undefined;
  const allowed = `a whole number from ${range.min} to ${range.max}`;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    const shown = typeof value === 'number' ? String(value) : describeType(value);
    throw at.key(key).error(`expected ${allowed}, got ${shown}`);
  }
  if (value < range.min || value > range.max) throw at.key(key).error(`${value} is out of range; choose ${allowed}`);
  return value;
}

export function rejectField(record: RawRecord, key: string, at: ConfigLocation, problem: string): void {
  if (Object.hasOwn(record, key)) throw at.key(key).error(problem);
}

/**
 * The value of a key, or undefined when the key is absent. A key written with no value (YAML
 * `tables:` and nothing after it) is an error rather than a silent default.
 */
export function field(record: RawRecord, key: string, at: ConfigLocation): unknown {
  if (!Object.hasOwn(record, key)) return undefined;
  const value = record[key];
  if (value === null || value === undefined) throw at.key(key).error('has no value; give one or remove the key to take the default');
  return value;
}

export function optional<T>(value: unknown, validate: (value: unknown) => T): T | undefined {
  return value === undefined ? undefined : validate(value);
}

export function asRecord(raw: unknown, at: ConfigLocation): RawRecord {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const prototype: unknown = Object.getPrototypeOf(raw);
    if (prototype === Object.prototype || prototype === null) return raw as RawRecord;
  }
  throw at.error(`expected an object of key: value pairs, got ${describeType(raw)}`);
}

export function checkKeys(record: RawRecord, allowed: readonly string[], at: ConfigLocation, passwordHintText?: string): void {
  for (const key of Object.keys(record)) {
    if (allowed.includes(key)) continue;
    if (passwordHintText !== undefined && key.toLowerCase().includes('password')) {
      throw at.key(key).error(`a password is never written in the configuration; ${passwordHintText}`);
    }
    const suggestion = closestKey(key, allowed);
    throw at
      .key(key)
      .error(
        `unknown key ${quote(key)}${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}; allowed keys: ${allowed.join(', ')}`,
      );
  }
}

function closestKey(key: string, allowed: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = lower === candidate.toLowerCase() ? 0 : editDistance(lower, candidate.toLowerCase());
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return Number.POSITIVE_INFINITY;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? Number.POSITIVE_INFINITY;
}
