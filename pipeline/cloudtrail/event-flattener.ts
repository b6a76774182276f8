import { escapePartitionValue, type CloudTrailPartition, type CloudTrailTableKind } from './cloudtrail-lake-layout.js';
import { normaliseEventTime } from './event-time.js';
import { type CompiledGroup, type CompiledTable, EVENTS_TABLE, INSIGHTS_TABLE } from './flatten-tables.js';
import type { RawRecord } from './raw-record.js';
import { NO_BYTE } from './json-bytes.js';
import { RecordText, stringValueOf } from './record-text.js';
import type { CloudTrailValueKind } from '../tables/cloudtrail-tables.js';

/**
 * One flattened record: its table, its partition, and its JSON line for DuckDB,
 * `{"c0":...,"c5":...}` with `c<i>` for column `i` of the table (NULL columns left out, members
 * in record order: DuckDB matches them by name). Each value is encoded once, here.
 */
export interface FlatRow {
  readonly table: CloudTrailTableKind;
  readonly partition: CloudTrailPartition;
  readonly line: string;
  /** Record members no column knows (kept in `unknown_fields`). */
  readonly unknownFields: number;
  /** Members whose value had the wrong JSON type for their column (kept in `unknown_fields`). */
  readonly mistypedFields: number;
}

/** What the file's key says, used where a record is silent. */
export interface RecordContext {
  readonly sourceKey: string;
  readonly account: string;
  readonly region: string;
  /** `YYYY-MM-DD`: the file's delivery date, the day of records without a usable eventTime. */
  readonly deliveryDate: string;
  /** `insight` for files under CloudTrail-Insight/: all of their records are Insights. */
  readonly fileKind: 'events' | 'insight';
}

const QUOTE = 0x22;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `object` with `member` set to `value`; a new object when there is none yet. */
function withMember(object: Record<string, unknown> | undefined, member: string, value: unknown): Record<string, unknown> {
  const target = object ?? {};
  target[member] = value;
  return target;
}

/** Accumulates what no column holds, as the members of one JSON object. */
class Leftovers {
  parts: string[] | undefined;
  unknown = 0;
  mistyped = 0;

  addRaw(keyText: string, valueText: string, mistyped: boolean): void {
    this.#add(`${keyText}:${valueText}`);
    if (mistyped) this.mistyped += 1;
    else this.unknown += 1;
  }

  addNested(member: string, subtree: Record<string, unknown>): void {
    this.#add(`${JSON.stringify(member)}:${JSON.stringify(subtree)}`);
  }

  #add(part: string): void {
    if (this.parts === undefined) this.parts = [part];
    else this.parts.push(part);
  }

  text(): string | undefined {
    return this.parts === undefined ? undefined : `{${this.parts.join(',')}}`;
  }
}

/**
 * Encodes a parsed value for a column of `kind`; undefined when the value has the wrong type
 * (the caller keeps it among the leftovers instead). A text column takes any scalar as its
 * JSON text; only objects and arrays are the wrong type for it.
 */
function encodeParsed(kind: CloudTrailValueKind, value: unknown): string | undefined {
  switch (kind) {
    case 'string':
      if (typeof value === 'string') return JSON.stringify(value);
      if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(String(value));
      return undefined;
    case 'json':
      return JSON.stringify(value);
    case 'boolean':
      if (typeof value === 'boolean') return value ? 'true' : 'false';
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase();
      return undefined;
    case 'double':
      return typeof value === 'number' && Number.isFinite(value) ? JSON.stringify(value) : undefined;
    case 'timestamp': {
      const time = typeof value === 'string' ? normaliseEventTime(value) : undefined;
      return time === undefined ? undefined : JSON.stringify(time.text);
    }
  }
}

/**
 * Flattens CloudTrail records into the columns of `cloudtrail_events` or `cloudtrail_insights`
 * (see pipeline/tables/cloudtrail-tables.ts). Pure: a record and its file's context in, a row
 * out. Free-form objects are copied through as their original JSON text; the rest is typed
 * per record, never per file (files mix versions and services). Nothing is dropped: a member
 * no column knows, or a value of the wrong type, lands in `unknown_fields`.
 */
export class EventFlattener {
  flatten(record: RawRecord, context: RecordContext): FlatRow {
    const text = new RecordText(record);
    if (context.fileKind === 'insight') return this.#flattenAs(INSIGHTS_TABLE, record, text, context).row;
    const attempt = this.#flattenAs(EVENTS_TABLE, record, text, context);
    // An Insights record in a log file is routed by its own markers, not by its folder.
    return attempt.looksLikeInsight ? this.#flattenAs(INSIGHTS_TABLE, record, text, context).row : attempt.row;
  }

  #flattenAs(
    table: CompiledTable,
    record: RawRecord,
    text: RecordText,
    context: RecordContext,
  ): { row: FlatRow; looksLikeInsight: boolean } {
    const { text: bytes, members } = record;
    let line = table.sourceKeyPrefix + JSON.stringify(context.sourceKey);
    const leftovers = new Leftovers();
    let day: string | undefined;
    let account: string | undefined;
    let region: string | undefined;
    let looksLikeInsight = false;

    // The list holds whole quads: its defaults (NO_BYTE) never apply.
    for (let m = 0; m < members.length; m += 4) {
      const keyStart = members[m] ?? NO_BYTE;
      const keyEnd = members[m + 1] ?? NO_BYTE;
      const valueStart = members[m + 2] ?? NO_BYTE;
      const valueEnd = members[m + 3] ?? NO_BYTE;
      const keyText = text.slice(keyStart, keyEnd);
      const member = stringValueOf(keyText);
      const slot = table.root.get(member);
      const first = bytes[valueStart] ?? NO_BYTE;
      if (slot === undefined) {
        if (member === 'insightDetails') looksLikeInsight = true;
        leftovers.addRaw(keyText, text.json(valueStart, valueEnd), false);
        continue;
      }
      if (first === 0x6e) continue; // null
      if ('group' in slot) {
        const parsed: unknown = first === 0x7b ? JSON.parse(text.slice(valueStart, valueEnd)) : undefined;
        if (isPlainObject(parsed)) {
          const walked = this.#walk(slot.group, parsed, leftovers);
          line += walked.line;
          if (walked.unknown) leftovers.addNested(member, walked.unknown);
        } else {
          leftovers.addRaw(keyText, text.json(valueStart, valueEnd), true);
        }
        continue;
      }
      let encoded: string | undefined;
      switch (slot.kind) {
        case 'json':
          encoded = text.json(valueStart, valueEnd);
          break;
        case 'string':
          if (first === QUOTE) encoded = text.slice(valueStart, valueEnd);
          else if (first !== 0x7b && first !== 0x5b) encoded = JSON.stringify(text.slice(valueStart, valueEnd));
          break;
        case 'timestamp': {
          const time = first === QUOTE ? normaliseEventTime(stringValueOf(text.slice(valueStart, valueEnd))) : undefined;
          if (time !== undefined) {
            encoded = `"${time.text}"`;
            if (slot.index === table.eventTime) day = time.day;
          }
          break;
        }
        case 'boolean':
          if (first === 0x74 || first === 0x66) encoded = first === 0x74 ? 'true' : 'false';
          else encoded = encodeParsed(slot.kind, JSON.parse(text.slice(valueStart, valueEnd)));
          break;
        default:
          encoded = encodeParsed(slot.kind, JSON.parse(text.slice(valueStart, valueEnd)));
      }
      if (encoded === undefined) {
        leftovers.addRaw(keyText, text.json(valueStart, valueEnd), true);
        continue;
      }
      line += slot.prefix + encoded;
      if (slot.index === table.account) account = stringValueOf(encoded);
      else if (slot.index === table.region) region = stringValueOf(encoded);
      else if (table.kind === 'events' && first === QUOTE && (member === 'eventType' || member === 'eventCategory')) {
        const value = stringValueOf(encoded);
        if (value === 'AwsCloudTrailInsight' || value === 'Insight') looksLikeInsight = true;
      }
    }

    const unknown = leftovers.text();
    if (unknown !== undefined) line += table.unknownPrefix + unknown;
    const partition: CloudTrailPartition = {
      account: escapePartitionValue(account || context.account),
      region: escapePartitionValue(region || context.region),
      day: day ?? context.deliveryDate,
    };
    return {
      row: { table: table.kind, partition, line: `${line}}\n`, unknownFields: leftovers.unknown, mistypedFields: leftovers.mistyped },
      looksLikeInsight,
    };
  }

  /** Flattens a parsed object into the columns of `group`; returns their line text and the members no column knows. */
  #walk(
    group: CompiledGroup,
    object: Record<string, unknown>,
    leftovers: Leftovers,
  ): { line: string; unknown: Record<string, unknown> | undefined } {
    let line = '';
    let unknown: Record<string, unknown> | undefined;
    for (const member of Object.keys(object)) {
      const value = object[member];
      const slot = group.get(member);
      if (slot === undefined) {
        unknown = withMember(unknown, member, value);
        leftovers.unknown += 1;
        continue;
      }
      if (value === null) continue;
      if ('group' in slot) {
        if (isPlainObject(value)) {
          const nested = this.#walk(slot.group, value, leftovers);
          line += nested.line;
          if (nested.unknown) unknown = withMember(unknown, member, nested.unknown);
        } else {
          unknown = withMember(unknown, member, value);
          leftovers.mistyped += 1;
        }
        continue;
      }
      const encoded = encodeParsed(slot.kind, value);
      if (encoded === undefined) {
        unknown = withMember(unknown, member, value);
        leftovers.mistyped += 1;
      } else {
        line += slot.prefix + encoded;
      }
    }
    return { line, unknown };
  }
}
