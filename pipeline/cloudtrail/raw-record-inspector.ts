import { CLOUDTRAIL_EVENT_FIELDS, CLOUDTRAIL_INSIGHT_FIELDS } from '../tables/cloudtrail-tables.js';
import { isCloudTrailTime } from './cloudtrail-time-bytes.js';
import { escapePartitionValue, type CloudTrailPartition, type CloudTrailTableKind } from './cloudtrail-lake-layout.js';
import type { RecordContext } from './event-flattener.js';
import { compileSlots, lookupSlot, ROLE_ACCOUNT, ROLE_DAY, ROLE_MARKER, ROLE_REGION, type SlotGroup } from './inspector-slots.js';
import { isNumberStart, NO_BYTE, skipString, skipValue, skipWhitespace } from './json-bytes.js';
import type { RawRecord } from './raw-record.js';

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

const INSIGHT_MARKERS = [Buffer.from('"AwsCloudTrailInsight"'), Buffer.from('"Insight"')];

/**
 * Decides per record whether DuckDB can flatten it straight from its JSON (see Inspection).
 * This walks only the record's own members and the small objects that become columns
 * (`userIdentity`, `tlsDetails`, `insightDetails`); the free-form payloads are never looked
 * into. Whatever it is not sure about goes to the JS flattener, which handles everything.
 */
export class RawRecordInspector {
  readonly #events = compileSlots(CLOUDTRAIL_EVENT_FIELDS);
  readonly #insights = compileSlots(CLOUDTRAIL_INSIGHT_FIELDS);
  readonly #verdicts = new Map<number, { group: SlotGroup; bytes: Buffer; fits: boolean }>();
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
  #inspectAs(table: 'events', root: SlotGroup, record: RawRecord, context: RecordContext): Inspection | 'insight';
  #inspectAs(table: 'insights', root: SlotGroup, record: RawRecord, context: RecordContext): Inspection;
  #inspectAs(table: CloudTrailTableKind, root: SlotGroup, record: RawRecord, context: RecordContext): Inspection | 'insight' {
    const { text: bytes, members } = record;
    this.#stamp += 1;
    const stamp = this.#stamp;
    let day: string | null | undefined;
    let account: string | null | undefined;
    let region: string | null | undefined;
    let insight = false;
    let flatten = false;
    // The list holds whole quads: its defaults (NO_BYTE) never apply.
    for (let m = 0; m < members.length; m += 4) {
      const keyStart = (members[m] ?? NO_BYTE) + 1;
      const keyEnd = (members[m + 1] ?? NO_BYTE) - 1;
      const valueStart = members[m + 2] ?? NO_BYTE;
      const valueEnd = members[m + 3] ?? NO_BYTE;
      const slot = lookupSlot(root, bytes, keyStart, keyEnd);
      if (slot === undefined) {
        if (table === 'events' && bytes.toString('latin1', keyStart, keyEnd) === 'insightDetails') insight = true;
        flatten = true;
        continue;
      }
      if (slot.seen === stamp) flatten = true;
      slot.seen = stamp;
      const c = bytes[valueStart] ?? NO_BYTE;
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
  #groupFits(bytes: Buffer, start: number, end: number, group: SlotGroup, stamp: number): boolean {
    const length = end - start;
    const middle = bytes[start + (length >> 1)] ?? 0;
    const sample = (length * 31 + middle * 7 + (bytes[end - 2] ?? 0) + (bytes[start + (length >> 2)] ?? 0) * 131) >>> 0;
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
  #checkObject(bytes: Uint8Array, pos: number, end: number, group: SlotGroup, stamp: number): number {
    pos = skipWhitespace(bytes, pos + 1, end);
    if (bytes[pos] === 0x7d) return pos + 1;
    for (;;) {
      if (pos >= end || bytes[pos] !== 0x22) return -1;
      const keyStart = pos + 1;
      let keyEnd = keyStart;
      for (;;) {
        if (keyEnd >= end) return -1;
        const c = bytes[keyEnd] ?? NO_BYTE;
        if (c === 0x22) break;
        if (c === 0x5c || c >= 0x80) return -1;
        keyEnd += 1;
      }
      const slot = lookupSlot(group, bytes, keyStart, keyEnd);
      if (slot === undefined || slot.seen === stamp) return -1;
      slot.seen = stamp;
      pos = skipWhitespace(bytes, keyEnd + 1, end);
      if (bytes[pos] !== 0x3a) return -1;
      pos = skipWhitespace(bytes, pos + 1, end);
      if (pos >= end) return -1;
      const c = bytes[pos] ?? NO_BYTE;
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
