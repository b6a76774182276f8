import { createHash } from 'node:crypto';
import { ledgerDay } from '../cloudtrail/cloudtrail-key.js';
import { StateStoreError } from '../errors.js';
import type { LedgerEntry, LedgerPartition, LedgerStatus } from '../ports/ingestion-ledger.js';
import { hasControlCharacters } from '../util/control-characters.js';

/**
 * The stored shape of ledger entries, shared by both state stores so that a DynamoDB item and a
 * line of the file ledger hold the same fields. One entry per (source, key), named by a hash of
 * both: keys are long and may hold any character, a hash is a fixed-size, safe item key.
 */

export const LEDGER_PREFIX = 'ledger#';
/** The sparse index that lists one day's entries (DynamoDB). */
export const LEDGER_INDEX = 'ledger-by-day';
/** One day's writes spread over this many index partitions (DynamoDB): first hex digit of the hash. */
export const LEDGER_SHARDS = 16;

const STATUSES: ReadonlySet<string> = new Set<LedgerStatus>(['ingested', 'quarantined', 'digest', 'skipped']);
/** Messages are cut here: an item stays far below DynamoDB's 400 KB, a line of the file ledger short. */
const MAX_MESSAGE = 1_000;
const MAX_KEY_BYTES = 1_024;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface LedgerPartitionRecord {
  readonly table: string;
  readonly values: Readonly<Record<string, string>>;
  readonly rows: number;
  readonly objects: number;
}

export interface LedgerRecord {
  readonly pk: string;
  readonly kind: 'ledger';
  /** `<day>#<shard>`: the index partition of the entry's day. */
  readonly ledger_day_shard: string;
  /** The input key: the index's sort key. */
  readonly ledger_key: string;
  readonly source: string;
  readonly day: string;
  readonly account?: string;
  readonly region?: string;
  readonly size: number;
  readonly etag?: string;
  readonly sha256?: string;
  readonly status: LedgerStatus;
  readonly reason?: string;
  readonly message?: string;
  readonly events: number;
  readonly insights: number;
  readonly partitions: readonly LedgerPartitionRecord[];
  readonly recorded_at: string;
}

/** sha256 (hex) of `source + '\n' + key`: names the entry in every store. */
export function ledgerHash(source: string, key: string): string {
  return createHash('sha256').update(`${source}\n${key}`, 'utf8').digest('hex');
}

export function ledgerId(source: string, key: string): string {
  return `${LEDGER_PREFIX}${ledgerHash(source, key)}`;
}

function refuse(what: string, problem: string): never {
  throw new StateStoreError(`ledger entry ${what}: ${problem}`);
}

function text(value: unknown, what: string, maxBytes = MAX_KEY_BYTES): string {
  if (typeof value !== 'string' || value === '' || Buffer.byteLength(value, 'utf8') > maxBytes || hasControlCharacters(value)) {
    refuse(what, `expected 1-${maxBytes} bytes of printable text`);
  }
  return value;
}

function count(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) refuse(what, 'expected a whole number >= 0');
  return value;
}

function optional<T>(name: string, value: T | undefined): Record<string, T> {
  return value === undefined ? {} : { [name]: value };
}

/** Checks an entry before it is stored: it is filed under `ledgerDay(key)`, so `day` must be that. */
export function toLedgerRecord(entry: LedgerEntry): LedgerRecord {
  const key = text(entry.key, 'key');
  const source = text(entry.source, `source of ${key}`);
  const day = ledgerDay(key);
  if (entry.day !== day) refuse(key, `day ${JSON.stringify(entry.day)} is not the key's delivery day ${day} (use ledgerDay)`);
  if (!STATUSES.has(entry.status)) refuse(key, `unknown status ${JSON.stringify(entry.status)}`);
  if (Number.isNaN(Date.parse(entry.recordedAt))) refuse(key, 'recordedAt is not an ISO time');
  const hash = ledgerHash(source, key);
  const partitions = entry.partitions.map((partition) => ({
    table: text(partition.table, `${key} partition table`, 128),
    values: { ...partition.values },
    rows: count(partition.rows, `${key} partition rows`),
    objects: count(partition.objects, `${key} partition objects`),
  }));
  return {
    pk: `${LEDGER_PREFIX}${hash}`,
    kind: 'ledger',
    ledger_day_shard: `${day}#${Number.parseInt(hash.charAt(0), 16) % LEDGER_SHARDS}`,
    ledger_key: key,
    source,
    day,
    ...optional('account', entry.account),
    ...optional('region', entry.region),
    size: count(entry.size, `${key} size`),
    ...optional('etag', entry.etag),
    ...optional('sha256', entry.sha256),
    status: entry.status,
    ...optional('reason', entry.reason),
    ...optional('message', entry.message === undefined ? undefined : entry.message.slice(0, MAX_MESSAGE)),
    events: count(entry.events, `${key} events`),
    insights: count(entry.insights, `${key} insights`),
    partitions,
    recorded_at: new Date(entry.recordedAt).toISOString(),
  };
}

function storedText(record: Record<string, unknown>, name: string): string | undefined {
  const value = record[name];
  return typeof value === 'string' ? value : undefined;
}

/** Reads a stored entry defensively (state outlives code versions); a record that is not one throws. */
export function fromLedgerRecord(record: Record<string, unknown>): LedgerEntry {
  const pk = String(record.pk);
  const key = storedText(record, 'ledger_key');
  const source = storedText(record, 'source');
  const status = storedText(record, 'status');
  if (key === undefined || source === undefined || status === undefined || !STATUSES.has(status)) {
    throw new StateStoreError(`stored state ${pk} is not a ledger entry`);
  }
  const partitions = Array.isArray(record.partitions) ? (record.partitions as Record<string, unknown>[]) : [];
  const number = (value: unknown) => (typeof value === 'number' ? value : Number(value ?? 0));
  const day = storedText(record, 'day') ?? ledgerDay(key);
  return {
    source,
    key,
    day: DAY.test(day) ? day : ledgerDay(key),
    ...optional('account', storedText(record, 'account')),
    ...optional('region', storedText(record, 'region')),
    size: number(record.size),
    ...optional('etag', storedText(record, 'etag')),
    ...optional('sha256', storedText(record, 'sha256')),
    status: status as LedgerStatus,
    ...optional('reason', storedText(record, 'reason')),
    ...optional('message', storedText(record, 'message')),
    events: number(record.events),
    insights: number(record.insights),
    partitions: partitions.map(
      (partition): LedgerPartition => ({
        table: String(partition.table),
        values: { ...((partition.values ?? {}) as Record<string, string>) },
        rows: number(partition.rows),
        objects: number(partition.objects),
      }),
    ),
    recordedAt: storedText(record, 'recorded_at') ?? new Date(0).toISOString(),
  };
}

/** Days from `fromDay` to `toDay` inclusive; refuses a range that is not two days in order. */
export function ledgerDays(range: { fromDay: string; toDay: string }): string[] {
  const from = Date.parse(`${range.fromDay}T00:00:00Z`);
  const to = Date.parse(`${range.toDay}T00:00:00Z`);
  if (!DAY.test(range.fromDay) || !DAY.test(range.toDay) || Number.isNaN(from) || Number.isNaN(to) || from > to) {
    throw new StateStoreError(
      `ledger day range ${range.fromDay}..${range.toDay}: expected two YYYY-MM-DD days, the first not after the second`,
    );
  }
  const days: string[] = [];
  for (let at = from; at <= to; at += 86_400_000) days.push(new Date(at).toISOString().slice(0, 10));
  return days;
}
