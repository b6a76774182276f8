import {
  CLOUDTRAIL_EVENT_FIELDS,
  CLOUDTRAIL_INSIGHT_FIELDS,
  isGroup,
  type CloudTrailGroup,
  type CloudTrailValueKind,
} from '../tables/cloudtrail-tables.js';
import { escapePartitionValue, type CloudTrailPartition, type CloudTrailTableKind } from './cloudtrail-lake-layout.js';
import type { RecordContext } from './event-flattener.js';
import type { RawRecord } from './record-scanner.js';

/**
 * The verdict on one record: `raw` when DuckDB can flatten it as delivered (every member known,
 * every value of the JSON type its column expects, `eventTime` in CloudTrail's own form), with
 * the table and partition it goes to; `flatten` when the flattener in JS must handle it.
 */
export type Inspection =
  | { readonly path: 'raw'; readonly table: CloudTrailTableKind; readonly partition: CloudTrailPartition }
  | { readonly path: 'flatten' };

const FLATTEN: Inspection = { path: 'flatten' };
interface TextCache {
  bytes: Buffer;
  text: string;
}

/** Group verdicts remembered (a few hundred distinct callers per file is a lot). */
const MAX_VERDICTS = 1024;

/** What the inspector reads from a member besides its type: partition values and Insight markers. */
const ROLE_NONE = 0;
const ROLE_ACCOUNT = 1;
const ROLE_REGION = 2;
const ROLE_MARKER = 3;
const ROLE_DAY = 4;

const ROLES: Readonly<Record<string, number>> = {
  recipientAccountId: ROLE_ACCOUNT,
  awsRegion: ROLE_REGION,
  eventType: ROLE_MARKER,
  eventCategory: ROLE_MARKER,
  eventTime: ROLE_DAY,
};

const INSIGHT_MARKERS = [Buffer.from('"AwsCloudTrailInsight"'), Buffer.from('"Insight"')];

interface Slot {
  readonly key: Uint8Array;
  readonly kind: CloudTrailValueKind | undefined;
  readonly group: CompiledGroup | undefined;
  readonly name: string;
  readonly role: number;
  /** Inspection number in which this member was last seen: a second sighting is a duplicate key. */
  seen: number;
}

interface CompiledGroup {
  readonly slots: ReadonlyMap<number, readonly Slot[]>;
}

/**
 * A cheap signature of a member name (its length and three of its bytes): names are looked up
 * without making strings of them, and a match is confirmed byte by byte.
 */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length === 0) return 0;
  return ((length << 24) ^ (bytes[start]! << 16) ^ (bytes[start + (length >> 1)]! << 8) ^ bytes[end - 1]!) >>> 0;
}

function compile(group: CloudTrailGroup, root = true): CompiledGroup {
  const slots = new Map<number, Slot[]>();
  for (const [name, node] of Object.entries(group.members)) {
    const key = Buffer.from(name, 'latin1');
    const role = root ? (ROLES[name] ?? ROLE_NONE) : ROLE_NONE;
    const slot: Slot = {
      key,
      name,
      role,
      kind: isGroup(node) ? undefined : node.kind,
      group: isGroup(node) ? compile(node, false) : undefined,
      seen: -1,
    };
    const hash = hashBytes(key, 0, key.length);
    slots.set(hash, [...(slots.get(hash) ?? []), slot]);
  }
  return { slots };
}

function lookup(group: CompiledGroup, bytes: Uint8Array, start: number, end: number): Slot | undefined {
  const candidates = group.slots.get(hashBytes(bytes, start, end));
  if (candidates === undefined) return undefined;
  for (const slot of candidates) {
    if (slot.key.length !== end - start) continue;
    let same = true;
    for (let i = 0; i < slot.key.length; i += 1) {
      if (slot.key[i] !== bytes[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return slot;
  }
  return undefined;
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipWhitespace(bytes: Uint8Array, pos: number, end: number): number {
  while (pos < end && isWhitespace(bytes[pos]!)) pos += 1;
  return pos;
}

/** End (exclusive) of the string token starting at `pos` (its opening quote), or -1 past `end`. */
function skipString(bytes: Uint8Array, pos: number, end: number): number {
  pos += 1;
  while (pos < end) {
    const c = bytes[pos]!;
    if (c === 0x22) return pos + 1;
    pos += c === 0x5c ? 2 : 1;
  }
  return -1;
}

/** End (exclusive) of the value starting at `pos`, or -1 when it does not end before `end`. */
function skipValue(bytes: Uint8Array, pos: number, end: number): number {
  const c = bytes[pos]!;
  if (c === 0x22) return skipString(bytes, pos, end);
  if (c !== 0x7b && c !== 0x5b) {
    while (pos < end) {
      const d = bytes[pos]!;
      if (d === 0x2c || d === 0x7d || d === 0x5d || isWhitespace(d)) return pos;
      pos += 1;
    }
    return -1;
  }
  let depth = 0;
  while (pos < end) {
    const d = bytes[pos]!;
    if (d === 0x22) {
      pos = skipString(bytes, pos, end);
      if (pos < 0) return -1;
      continue;
    }
    if (d === 0x7b || d === 0x5b) depth += 1;
    else if (d === 0x7d || d === 0x5d) {
      depth -= 1;
      if (depth === 0) return pos + 1;
    }
    pos += 1;
  }
  return -1;
}

function digits(bytes: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i += 1) {
    const d = bytes[i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `YYYY-MM-DDTHH:MM:SSZ` at `at`, a real UTC time (the form DuckDB's strptime then parses). */
function isCloudTrailTime(bytes: Uint8Array, at: number): boolean {
  if (
    bytes[at + 4] !== 0x2d ||
    bytes[at + 7] !== 0x2d ||
    bytes[at + 10] !== 0x54 ||
    bytes[at + 13] !== 0x3a ||
    bytes[at + 16] !== 0x3a ||
    bytes[at + 19] !== 0x5a
  )
    return false;
  const year = digits(bytes, at, 4);
  const month = digits(bytes, at + 5, 2);
  const day = digits(bytes, at + 8, 2);
  const hour = digits(bytes, at + 11, 2);
  const minute = digits(bytes, at + 14, 2);
  const second = digits(bytes, at + 17, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
    return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1]!);
}

function isNumberStart(c: number): boolean {
  return c === 0x2d || (c >= 0x30 && c <= 0x39);
}

/**
 * Decides per record whether DuckDB can flatten it straight from its JSON (see Inspection).
 * This walks only the record's own members and the small objects that become columns
 * (`userIdentity`, `tlsDetails`, `insightDetails`); the free-form payloads are never looked
 * into. Whatever it is not sure about goes to the JS flattener, which handles everything.
 */
export class RawRecordInspector {
  readonly #events = compile(CLOUDTRAIL_EVENT_FIELDS);
  readonly #insights = compile(CLOUDTRAIL_INSIGHT_FIELDS);
  readonly #verdicts = new Map<number, { group: CompiledGroup; bytes: Buffer; fits: boolean }>();
  readonly #accounts: TextCache = { bytes: Buffer.alloc(0), text: '' };
  readonly #regions: TextCache = { bytes: Buffer.alloc(0), text: '' };
  readonly #days: TextCache = { bytes: Buffer.alloc(0), text: '' };
  #lastPartition: { raw: readonly [string, string, string]; partition: CloudTrailPartition } | undefined;
  #stamp = 0;

  inspect(record: RawRecord, context: RecordContext): Inspection {
    if (context.fileKind === 'insight') return this.#inspectAs('insights', this.#insights, record, context);
    const events = this.#inspectAs('events', this.#events, record, context);
    if (events === 'insight') return this.#inspectAs('insights', this.#insights, record, context);
    return events;
  }

  /** Returns 'insight' when an events record turns out to be an Insight. */
  #inspectAs(table: 'events', root: CompiledGroup, record: RawRecord, context: RecordContext): Inspection | 'insight';
  #inspectAs(table: 'insights', root: CompiledGroup, record: RawRecord, context: RecordContext): Inspection;
  #inspectAs(table: CloudTrailTableKind, root: CompiledGroup, record: RawRecord, context: RecordContext): Inspection | 'insight' {
    const { text: bytes, members } = record;
    const stamp = (this.#stamp += 1);
    let day: string | null | undefined;
    let account: string | null | undefined;
    let region: string | null | undefined;
    let insight = false;
    let flatten = false;
    for (let m = 0; m < members.length; m += 4) {
      const keyStart = members[m]! + 1;
      const keyEnd = members[m + 1]! - 1;
      const valueStart = members[m + 2]!;
      const valueEnd = members[m + 3]!;
      const slot = lookup(root, bytes, keyStart, keyEnd);
      if (slot === undefined) {
        if (table === 'events' && bytes.toString('latin1', keyStart, keyEnd) === 'insightDetails') insight = true;
        flatten = true;
        continue;
      }
      if (slot.seen === stamp) flatten = true;
      slot.seen = stamp;
      const c = bytes[valueStart]!;
      if (c === 0x6e) continue; // null
      if (slot.group !== undefined) {
        if (c !== 0x7b || !this.#groupFits(bytes, valueStart, valueEnd, slot.group, stamp)) flatten = true;
        continue;
      }
      switch (slot.kind) {
        case 'json':
          break;
        case 'string':
          if (c !== 0x22) flatten = true;
          else if (slot.role === ROLE_ACCOUNT) account = this.#text(bytes, valueStart, valueEnd, this.#accounts);
          else if (slot.role === ROLE_REGION) region = this.#text(bytes, valueStart, valueEnd, this.#regions);
          else if (
            slot.role === ROLE_MARKER &&
            table === 'events' &&
            INSIGHT_MARKERS.some((marker) => bytes.compare(marker, 0, marker.length, valueStart, valueEnd) === 0)
          )
            insight = true;
          break;
        case 'timestamp': {
          // Exactly YYYY-MM-DDTHH:MM:SSZ (22 bytes with quotes), the only form the SQL parses.
          const valid = c === 0x22 && valueEnd - valueStart === 22 && isCloudTrailTime(bytes, valueStart + 1);
          if (!valid) flatten = true;
          else if (slot.role === ROLE_DAY) day = this.#text(bytes, valueStart, valueStart + 12, this.#days);
          break;
        }
        case 'boolean':
          if (c !== 0x74 && c !== 0x66) flatten = true;
          break;
        case 'double':
          if (!isNumberStart(c)) flatten = true;
          break;
        default:
          flatten = true;
      }
    }
    if (insight) return 'insight';
    if (flatten || account === null || region === null) return FLATTEN;
    return {
      path: 'raw',
      table,
      partition: this.#partition(account || context.account, region || context.region, day ?? context.deliveryDate),
    };
  }

  /**
   * The text of a string token (quotes included in [start, end)), or null when it holds an
   * escape. The same few accounts, regions and days come back record after record: the last
   * ones are remembered by their bytes, which spares decoding them.
   */
  #text(bytes: Buffer, start: number, end: number, cache: TextCache): string | null {
    const length = end - start;
    if (cache.bytes.length === length && bytes.compare(cache.bytes, 0, length, start, end) === 0) return cache.text;
    const text = bytes.toString('latin1', start + 1, end - 1);
    if (text.includes('\\')) return null;
    cache.bytes = Buffer.from(bytes.subarray(start, end));
    cache.text = text;
    return text;
  }

  /** The same partition object for the same values, so that the writer can tell them apart by identity. */
  #partition(account: string, region: string, day: string): CloudTrailPartition {
    const last = this.#lastPartition;
    if (last !== undefined && last.raw[0] === account && last.raw[1] === region && last.raw[2] === day) return last.partition;
    const partition: CloudTrailPartition = { account: escapePartitionValue(account), region: escapePartitionValue(region), day };
    this.#lastPartition = { raw: [account, region, day], partition };
    return partition;
  }

  /**
   * Whether the object at [start, end) fits `group`. The same caller, session and TLS details
   * come back record after record, byte for byte: a verdict is remembered by the object's bytes
   * (compared in full, natively), which spares walking most of them.
   */
  #groupFits(bytes: Buffer, start: number, end: number, group: CompiledGroup, stamp: number): boolean {
    const length = end - start;
    const sample = (length * 31 + bytes[start + (length >> 1)]! * 7 + bytes[end - 2]! + bytes[start + (length >> 2)]! * 131) >>> 0;
    const cached = this.#verdicts.get(sample);
    if (
      cached !== undefined &&
      cached.group === group &&
      cached.bytes.length === length &&
      bytes.compare(cached.bytes, 0, length, start, end) === 0
    ) {
      return cached.fits;
    }
    const fits = this.#checkObject(bytes, start, end, group, stamp) === end;
    if (this.#verdicts.size >= MAX_VERDICTS) this.#verdicts.clear();
    this.#verdicts.set(sample, { group, bytes: Buffer.from(bytes.subarray(start, end)), fits });
    return fits;
  }

  /**
   * Checks the object at `pos` against `group`; returns the position after it, or -1 when a
   * member is unknown, repeated, non-ASCII or of an unexpected type, or the object is not
   * well formed before `end` (the JSON parser will then say why).
   */
  #checkObject(bytes: Uint8Array, pos: number, end: number, group: CompiledGroup, stamp: number): number {
    pos = skipWhitespace(bytes, pos + 1, end);
    if (bytes[pos] === 0x7d) return pos + 1;
    for (;;) {
      if (pos >= end || bytes[pos] !== 0x22) return -1;
      const keyStart = pos + 1;
      let keyEnd = keyStart;
      for (;;) {
        if (keyEnd >= end) return -1;
        const c = bytes[keyEnd]!;
        if (c === 0x22) break;
        if (c === 0x5c || c >= 0x80) return -1;
        keyEnd += 1;
      }
      const slot = lookup(group, bytes, keyStart, keyEnd);
      if (slot === undefined || slot.seen === stamp) return -1;
      slot.seen = stamp;
      pos = skipWhitespace(bytes, keyEnd + 1, end);
      if (bytes[pos] !== 0x3a) return -1;
      pos = skipWhitespace(bytes, pos + 1, end);
      if (pos >= end) return -1;
      const c = bytes[pos]!;
      if (c === 0x6e) {
        pos = skipValue(bytes, pos, end);
      } else if (slot.group !== undefined) {
        pos = c === 0x7b ? this.#checkObject(bytes, pos, end, slot.group, stamp) : -1;
      } else {
        switch (slot.kind) {
          case 'json':
            pos = skipValue(bytes, pos, end);
            break;
          case 'string':
            pos = c === 0x22 ? skipString(bytes, pos, end) : -1;
            break;
          case 'boolean':
            pos = c === 0x74 || c === 0x66 ? skipValue(bytes, pos, end) : -1;
            break;
          case 'double':
            pos = isNumberStart(c) ? skipValue(bytes, pos, end) : -1;
            break;
          default:
            pos = -1;
        }
      }
      if (pos < 0) return -1;
      pos = skipWhitespace(bytes, pos, end);
      if (bytes[pos] === 0x2c) {
        pos = skipWhitespace(bytes, pos + 1, end);
        continue;
      }
      return bytes[pos] === 0x7d ? pos + 1 : -1;
    }
  }
}
