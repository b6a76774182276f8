import {
  CLOUDTRAIL_EVENT_COLUMNS,
  CLOUDTRAIL_EVENT_FIELDS,
  CLOUDTRAIL_INSIGHT_COLUMNS,
  CLOUDTRAIL_INSIGHT_FIELDS,
  isGroup,
  SOURCE_KEY_COLUMN,
  UNKNOWN_FIELDS_COLUMN,
  type CloudTrailColumn,
  type CloudTrailGroup,
  type CloudTrailValueKind,
} from '../tables/cloudtrail-tables.js';
import { escapePartitionValue, type CloudTrailPartition, type CloudTrailTableKind } from './cloudtrail-lake-layout.js';
import { normaliseEventTime } from './event-time.js';
import { hasLineBreaks, type RawRecord } from './record-scanner.js';

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

interface LeafSlot {
  readonly index: number;
  readonly kind: CloudTrailValueKind;
  /** `,"c<index>":`, the text that precedes the value in a line. */
  readonly prefix: string;
}

interface GroupSlot {
  readonly group: CompiledGroup;
}

type CompiledGroup = ReadonlyMap<string, LeafSlot | GroupSlot>;

interface CompiledTable {
  readonly kind: CloudTrailTableKind;
  readonly root: CompiledGroup;
  readonly unknownPrefix: string;
  readonly sourceKeyPrefix: string;
  readonly eventTime: number;
  readonly account: number;
  readonly region: number;
}

function prefixOf(index: number): string {
  return `,"c${index}":`;
}

function compileGroup(group: CloudTrailGroup, columns: readonly CloudTrailColumn[], parent: readonly string[]): CompiledGroup {
  const compiled = new Map<string, LeafSlot | GroupSlot>();
  for (const [member, node] of Object.entries(group.members)) {
    const path = [...parent, member];
    if (isGroup(node)) {
      compiled.set(member, { group: compileGroup(node, columns, path) });
    } else {
      const index = columns.findIndex((column) => column.path.join('.') === path.join('.'));
      compiled.set(member, { index, kind: node.kind, prefix: prefixOf(index) });
    }
  }
  return compiled;
}

function compileTable(kind: CloudTrailTableKind, tree: CloudTrailGroup, columns: readonly CloudTrailColumn[]): CompiledTable {
  const indexOf = (name: string) => columns.findIndex((column) => column.name === name);
  return {
    kind,
    root: compileGroup(tree, columns, []),
    unknownPrefix: prefixOf(indexOf(UNKNOWN_FIELDS_COLUMN)),
    sourceKeyPrefix: `{"c${indexOf(SOURCE_KEY_COLUMN)}":`,
    eventTime: indexOf('eventtime'),
    account: indexOf('recipientaccountid'),
    region: indexOf('awsregion'),
  };
}

const EVENTS = compileTable('events', CLOUDTRAIL_EVENT_FIELDS, CLOUDTRAIL_EVENT_COLUMNS);
const INSIGHTS = compileTable('insights', CLOUDTRAIL_INSIGHT_FIELDS, CLOUDTRAIL_INSIGHT_COLUMNS);

const QUOTE = 0x22;
const LINE_BREAKS = /[\r\n]/g;

/** The value of a JSON string token `"..."` (given as text), without a JSON.parse when it holds no escapes. */
function stringValueOf(token: string): string {
  return token.includes('\\') ? (JSON.parse(token) as string) : token.slice(1, -1);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The text of a record's byte ranges. CloudTrail records are nearly always ASCII: then the
 * record is decoded once and every member is a cheap substring of it.
 */
class RecordText {
  readonly #bytes: Buffer;
  readonly #text: string | undefined;
  readonly #lineBreaks: boolean;

  constructor(record: RawRecord) {
    this.#bytes = record.text;
    const text = record.text.toString('utf8');
    this.#text = text.length === record.text.length ? text : undefined;
    this.#lineBreaks = hasLineBreaks(record.text);
  }

  slice(start: number, end: number): string {
    return this.#text === undefined ? this.#bytes.toString('utf8', start, end) : this.#text.slice(start, end);
  }

  /** A value as JSON text on one line (a pretty-printed file breaks lines between tokens). */
  json(start: number, end: number): string {
    const text = this.slice(start, end);
    return this.#lineBreaks ? text.replace(LINE_BREAKS, ' ') : text;
  }
}

/** Accumulates what no column holds, as the members of one JSON object. */
class Leftovers {
  parts: string[] | undefined;
  unknown = 0;
  mistyped = 0;

  addRaw(keyText: string, valueText: string, mistyped: boolean): void {
    (this.parts ??= []).push(`${keyText}:${valueText}`);
    if (mistyped) this.mistyped += 1;
    else this.unknown += 1;
  }

  addNested(member: string, subtree: Record<string, unknown>): void {
    (this.parts ??= []).push(`${JSON.stringify(member)}:${JSON.stringify(subtree)}`);
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
    if (context.fileKind === 'insight') return this.#flattenAs(INSIGHTS, record, text, context).row;
    const attempt = this.#flattenAs(EVENTS, record, text, context);
    // An Insights record in a log file is routed by its own markers, not by its folder.
    return attempt.looksLikeInsight ? this.#flattenAs(INSIGHTS, record, text, context).row : attempt.row;
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

    for (let m = 0; m < members.length; m += 4) {
      const keyStart = members[m]!;
      const keyEnd = members[m + 1]!;
      const valueStart = members[m + 2]!;
      const valueEnd = members[m + 3]!;
      const keyText = text.slice(keyStart, keyEnd);
      const member = stringValueOf(keyText);
      const slot = table.root.get(member);
      const first = bytes[valueStart]!;
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
        (unknown ??= {})[member] = value;
        leftovers.unknown += 1;
        continue;
      }
      if (value === null) continue;
      if ('group' in slot) {
        if (isPlainObject(value)) {
          const nested = this.#walk(slot.group, value, leftovers);
          line += nested.line;
          if (nested.unknown) (unknown ??= {})[member] = nested.unknown;
        } else {
          (unknown ??= {})[member] = value;
          leftovers.mistyped += 1;
        }
        continue;
      }
      const encoded = encodeParsed(slot.kind, value);
      if (encoded === undefined) {
        (unknown ??= {})[member] = value;
        leftovers.mistyped += 1;
      } else {
        line += slot.prefix + encoded;
      }
    }
    return { line, unknown };
  }
}
