import { assertClusterName } from '../config/identifiers.js';
import { InvalidIdentifierError, StateStoreError } from '../errors.js';
import { hasControlCharacters } from '../util/control-characters.js';
import type { Gap, Lease, Watermark, WatermarkKey, WatermarkUpdate } from '../ports/state-store.js';

/**
 * The stored shape of watermarks and leases, shared by every StateStore adapter so that a
 * DynamoDB item and a state-file entry hold the same fields, and the lease and version rules are
 * written once. Dates are ISO strings (readable in the console, ordered as text).
 */

export interface GapRecord {
  readonly from: string;
  readonly to: string;
  readonly detected_at: string;
}

export interface WatermarkRecord {
  readonly pk: string;
  readonly kind: 'watermark';
  readonly cluster: string;
  readonly table: string;
  /** Absent before the first sealed slot. */
  readonly sealed_through?: string;
  readonly version: number;
  readonly gaps: readonly GapRecord[];
  readonly updated_at: string;
}

export interface LeaseRecord {
  readonly pk: string;
  readonly kind: 'lease';
  readonly scope: string;
  readonly owner: string;
  /** Epoch seconds, rounded up: DynamoDB's TTL attribute, so a stale lease item is removed eventually. */
  readonly expires_at: number;
  /** Epoch milliseconds: the precise expiry that every lease decision uses. */
  readonly expires_at_ms: number;
  readonly acquired_at: string;
}

export const WATERMARK_PREFIX = 'watermark#';
export const LEASE_PREFIX = 'lease#';

const TABLE_NAME = /^[a-z][a-z0-9_]{0,127}$/;
const MAX_TEXT = 512;

/** A watermark before anything was stored. */
export const EMPTY_WATERMARK: Watermark = Object.freeze({ sealedThrough: null, version: 0, gaps: Object.freeze([]), updatedAt: null });

function assertText(kind: string, value: unknown): string {
  // Printable and bounded: these end up in keys, logs and error messages.
  if (typeof value !== 'string' || value === '' || value.length > MAX_TEXT || hasControlCharacters(value)) {
    throw new InvalidIdentifierError(kind, String(value), `use 1-${MAX_TEXT} printable characters`);
  }
  return value;
}

export function watermarkId(key: WatermarkKey): string {
  assertClusterName(key.cluster);
  if (!TABLE_NAME.test(key.table)) {
    throw new InvalidIdentifierError('table name', key.table, 'use lower-case letters, digits and _, starting with a letter');
  }
  return `${WATERMARK_PREFIX}${key.cluster}#${key.table}`;
}

export function leaseId(scope: string): string {
  return `${LEASE_PREFIX}${assertText('lease scope', scope)}`;
}

export function assertLeaseOwner(owner: string): string {
  return assertText('lease owner', owner);
}

export function assertExpectedVersion(expectedVersion: number): number {
  if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
    throw new StateStoreError(`expected version must be a whole number >= 0, got ${String(expectedVersion)}`);
  }
  return expectedVersion;
}

export function assertLeaseTtl(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0)
    throw new StateStoreError(`lease ttl must be a positive number of milliseconds, got ${String(ttlMs)}`);
  return ttlMs;
}

function iso(date: Date, what: string): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new StateStoreError(`${what} is not a valid date`);
  return date.toISOString();
}

export function toWatermarkRecord(key: WatermarkKey, update: WatermarkUpdate, version: number, now: Date): WatermarkRecord {
  const gaps = update.gaps.map((gap) => ({
    from: iso(gap.from, 'gap start'),
    to: iso(gap.to, 'gap end'),
    detected_at: iso(gap.detectedAt, 'gap detection time'),
  }));
  const base = {
    pk: watermarkId(key),
    kind: 'watermark' as const,
    cluster: key.cluster,
    table: key.table,
    version,
    gaps,
    updated_at: iso(now, 'now'),
  };
  return update.sealedThrough === null ? base : { ...base, sealed_through: iso(update.sealedThrough, 'sealed_through') };
}

function parseDate(value: unknown, where: string): Date {
  const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new StateStoreError(`stored state ${where} is not an ISO date: ${JSON.stringify(value)}`);
  return date;
}

/** Reads a stored watermark defensively: state outlives code versions and can be edited by hand. */
export function fromWatermarkRecord(record: Record<string, unknown>): WatermarkKey & Watermark {
  const pk = String(record.pk);
  const version = Number(record.version);
  if (!Number.isSafeInteger(version) || version < 1) throw new StateStoreError(`stored state ${pk}.version is not a positive whole number`);
  const rawGaps = record.gaps ?? [];
  if (!Array.isArray(rawGaps)) throw new StateStoreError(`stored state ${pk}.gaps is not a list`);
  const gaps: Gap[] = rawGaps.map((raw: unknown, index) => {
    const gap = (raw ?? {}) as Record<string, unknown>;
    return {
      from: parseDate(gap.from, `${pk}.gaps[${index}].from`),
      to: parseDate(gap.to, `${pk}.gaps[${index}].to`),
      detectedAt: parseDate(gap.detected_at, `${pk}.gaps[${index}].detected_at`),
    };
  });
  return {
    cluster: String(record.cluster),
    table: String(record.table),
    sealedThrough:
      record.sealed_through === undefined || record.sealed_through === null
        ? null
        : parseDate(record.sealed_through, `${pk}.sealed_through`),
    version,
    gaps,
    updatedAt: record.updated_at === undefined ? null : parseDate(record.updated_at, `${pk}.updated_at`),
  };
}

export function toLeaseRecord(scope: string, owner: string, expiresAt: Date, now: Date): LeaseRecord {
  const expiresAtMs = expiresAt.getTime();
  return {
    pk: leaseId(scope),
    kind: 'lease',
    scope,
    owner: assertLeaseOwner(owner),
    // Rounded up so that TTL never removes a lease before it has really expired.
    expires_at: Math.ceil(expiresAtMs / 1000),
    expires_at_ms: expiresAtMs,
    acquired_at: iso(now, 'now'),
  };
}

export function fromLeaseRecord(record: Record<string, unknown>): Lease {
  const expiresAtMs = Number(record.expires_at_ms ?? Number(record.expires_at) * 1000);
  if (!Number.isFinite(expiresAtMs)) throw new StateStoreError(`stored state ${String(record.pk)}.expires_at_ms is not a number`);
  const renewedAt = typeof record.acquired_at === 'string' ? new Date(record.acquired_at) : undefined;
  return {
    scope: String(record.scope),
    owner: String(record.owner),
    expiresAt: new Date(expiresAtMs),
    ...(renewedAt === undefined || Number.isNaN(renewedAt.getTime()) ? {} : { renewedAt }),
  };
}

/**
 * Whether `owner` may take a lease whose current record is `held`: it is free when absent,
 * expired (strictly before `now`), or already this owner's (a run renewing its own lease).
 * DynamoDB evaluates the same rule as a condition expression.
 */
export function mayTakeLease(held: LeaseRecord | Lease | undefined, owner: string, now: Date): boolean {
  if (held === undefined) return true;
  const expiresAtMs = 'expiresAt' in held ? held.expiresAt.getTime() : held.expires_at_ms;
  return held.owner === owner || expiresAtMs < now.getTime();
}
