/** Why an input could not be read; the quarantine's `.error.json` carries it. */
export type UnreadableReason =
  | 'not-cloudtrail'
  | 'unreadable-gzip'
  | 'truncated'
  | 'invalid-json'
  | 'no-records'
  | 'invalid-record'
  | 'digest-body'
  /** A digest file whose JSON is not a digest (a member missing or malformed). */
  | 'invalid-digest'
  /** A record over MAX_RECORD_BYTES (cloudtrail-limits.ts). */
  | 'record-too-large'
  /** An account or region that cannot name a partition (over MAX_PARTITION_VALUE_BYTES, or a key the stores refuse). */
  | 'invalid-partition-value'
  /** The file failed alone in DuckDB (a value it refuses, a record over its memory limit): see batch isolation, DESIGN.md §4. */
  | 'engine-refused';

/**
 * One element of the `Records` array, as the bytes of its JSON object (`{...}`) and the byte
 * spans of its members. Nothing of it is parsed yet: the flattener parses only the members it
 * needs and copies free-form objects through verbatim.
 */
export interface RawRecord {
  readonly text: Buffer;
  /** `[keyStart, keyEnd, valueStart, valueEnd]` per member, offsets into `text`; key spans include the quotes. */
  readonly members: readonly number[];
}

/** What the scanner saw of a whole document once it ended. */
export interface ScannedDocument {
  /** True when the root object had a `Records` array (possibly empty). */
  readonly hasRecords: boolean;
  /** Members of the root object, in file order. */
  readonly rootKeys: readonly string[];
  readonly records: number;
  readonly bytes: number;
}

/** True when the record's text holds a line break: a pretty-printed file (breaks can only be whitespace between tokens). */
export function hasLineBreaks(text: Buffer): boolean {
  return text.indexOf(0x0a) >= 0 || text.indexOf(0x0d) >= 0;
}
