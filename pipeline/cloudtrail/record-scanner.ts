import { UnreadableInputError } from '../errors.js';

/** Why an input could not be read; the quarantine's `.error.json` carries it. */
export type UnreadableReason =
  | 'not-cloudtrail'
  | 'unreadable-gzip'
  | 'truncated'
  | 'invalid-json'
  | 'no-records'
  | 'invalid-record'
  | 'digest-body';

/**
 * One element of the `Records` array, as the bytes of its JSON object (`{...}`) and the byte
 * spans of its members. Nothing of it is parsed yet: the flattener parses only the members it
 * needs and copies free-form objects through verbatim.
 */
export interface RawRecord {
  readonly text: Buffer;
  /** `[keyStart, keyEnd, valueStart, valueEnd]` per member, offsets into `text`; key spans include the quotes. */
  readonly members: readonly number[];
  /** True when whitespace inside the record holds a line break (a pretty-printed file). */
  readonly hasLineBreaks: boolean;
}

export interface ScannedDocument {
  /** True when the root object had a `Records` array (possibly empty). */
  readonly hasRecords: boolean;
  /** Members of the root object, in file order. */
  readonly rootKeys: readonly string[];
  readonly records: number;
  readonly bytes: number;
}

// Lexer states.
const VALUE = 0;
const OBJECT_FIRST = 1;
const KEY = 2;
const COLON = 3;
const AFTER_VALUE = 4;
const ARRAY_FIRST = 5;
const STRING = 6;
const ESCAPE = 7;
const NUMBER = 9;
const LITERAL = 10;
const DONE = 11;

const IN_OBJECT = 1;
const IN_ARRAY = 2;
const MAX_DEPTH = 512;
/** Depth of a record's own members: root object (1) > Records array (2) > record (3). */
const RECORD_DEPTH = 3;


function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Index of the next `"` or `\\` from `i`, or `n`. */
function stringStop(chunk: Uint8Array, i: number, n: number): number {
  while (i < n) {
    const b = chunk[i]!;
    if (b === 0x22 || b === 0x5c) return i;
    i += 1;
  }
  return n;
}

function isNumberByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;
}

/**
 * A streaming JSON scanner for CloudTrail files: feed it the bytes chunk by chunk and it
 * returns each element of the root object's `Records` array as soon as it is complete. Memory
 * holds one record at a time, whatever the size of the file (`JSON.parse` of a whole file would
 * hold all of it, several times over). The structure of the whole document is checked against
 * the JSON grammar, so a file that is cut short or malformed is refused, not half-read; the
 * content of strings is checked later by the JSON parser that reads the records (DuckDB's).
 */
export class RecordScanner {
  #state = VALUE;
  #depth = 0;
  readonly #stack = new Uint8Array(MAX_DEPTH + 1);
  /** Byte offset of the current chunk in the document. */
  #offset = 0;
  #started = false;

  // Token in progress.
  #stringIsKey = false;
  #afterString = AFTER_VALUE;
  #literal = '';
  #literalAt = 0;

  // Root object.
  readonly #rootKeys: string[] = [];
  #rootKey = '';
  #rootKeyStart = -1;
  #inRecords = false;
  #hasRecords = false;
  #records = 0;

  // Record in progress.
  #recordParts: Buffer[] = [];
  #recordBase = 0;
  #recordStart = -1;
  #members: number[] = [];
  #memberKeyStart = 0;
  #memberKeyEnd = 0;
  #memberValueStart = 0;
  #recordLineBreaks = false;

  /** Scans the next chunk; returns the records it completed. Throws UnreadableInputError on malformed input. */
  push(chunk: Buffer): RawRecord[] {
    const out: RawRecord[] = [];
    const n = chunk.length;
    let state = this.#state;
    let depth = this.#depth;
    const stack = this.#stack;
    let i = 0;
    if (this.#recordStart >= 0) this.#recordStart = 0;
    if (this.#rootKeyStart >= 0) this.#rootKeyStart = 0;
    if (n > 0) this.#started = true;

    while (i < n) {
      const c = chunk[i]!;
      switch (state) {
        case STRING: {
          // Most bytes of a CloudTrail file are inside strings: find the end in a tight loop.
          // What a string holds (escapes, control characters, UTF-8) is checked by DuckDB's parser.
          const j = stringStop(chunk, i, n);
          if (j === n) {
            i = n;
            continue;
          }
          if (chunk[j] === 0x5c) {
            state = ESCAPE;
            i = j + 1;
            continue;
          }
          state = this.#afterString;
          if (this.#stringIsKey) {
            if (depth === 1) {
              this.#rootKey += chunk.toString('latin1', this.#rootKeyStart, j);
              this.#rootKeys.push(this.#rootKey);
              this.#rootKeyStart = -1;
            } else if (depth === RECORD_DEPTH && this.#inRecords) {
              this.#memberKeyEnd = this.#at(j) + 1;
            }
          } else if (depth === RECORD_DEPTH && this.#inRecords) {
            this.#endMember(this.#at(j) + 1);
          }
          i = j + 1;
          continue;
        }
        case ESCAPE:
          state = STRING;
          i += 1;
          continue;
        case NUMBER:
          if (isNumberByte(c)) {
            i += 1;
            continue;
          }
          // The digits themselves are checked by the parser that reads the record.
          if (depth === RECORD_DEPTH && this.#inRecords) this.#endMember(this.#at(i));
          state = AFTER_VALUE;
          continue; // re-read c as what follows the number
        case LITERAL:
          if (c !== this.#literal.charCodeAt(this.#literalAt)) this.#fail('invalid-json', i, `a misspelt ${this.#literal}`);
          this.#literalAt += 1;
          if (this.#literalAt === this.#literal.length) {
            state = AFTER_VALUE;
            if (depth === RECORD_DEPTH && this.#inRecords) this.#endMember(this.#at(i) + 1);
          }
          i += 1;
          continue;
        default:
          break;
      }

      if (c <= 0x20 && isWhitespace(c)) {
        if ((c === 0x0a || c === 0x0d) && this.#recordStart >= 0) this.#recordLineBreaks = true;
        i += 1;
        continue;
      }

      switch (state) {
        case VALUE:
        case ARRAY_FIRST:
          if (state === ARRAY_FIRST && c === 0x5d) {
            depth = this.#close(depth, IN_ARRAY, chunk, i, out);
            state = depth === 0 ? DONE : AFTER_VALUE;
            break;
          }
          this.#beginValue(depth, c, i);
          if (c === 0x7b || c === 0x5b) {
            if (depth === MAX_DEPTH) this.#fail('invalid-json', i, `nesting deeper than ${MAX_DEPTH} levels`);
            depth += 1;
            stack[depth] = c === 0x7b ? IN_OBJECT : IN_ARRAY;
            state = c === 0x7b ? OBJECT_FIRST : ARRAY_FIRST;
          } else if (c === 0x22) {
            state = STRING;
            this.#stringIsKey = false;
            this.#afterString = AFTER_VALUE;
          } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
            state = NUMBER;
          } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
            state = LITERAL;
            this.#literal = c === 0x74 ? 'true' : c === 0x66 ? 'false' : 'null';
            this.#literalAt = 1;
          } else {
            this.#fail('invalid-json', i, `an unexpected ${this.#describe(c)} where a value should be`);
          }
          break;
        case OBJECT_FIRST:
        case KEY:
          if (c === 0x7d && state === OBJECT_FIRST) {
            depth = this.#close(depth, IN_OBJECT, chunk, i, out);
            state = depth === 0 ? DONE : AFTER_VALUE;
            break;
          }
          if (c !== 0x22) this.#fail('invalid-json', i, `an unexpected ${this.#describe(c)} where a member name should be`);
          state = STRING;
          this.#stringIsKey = true;
          this.#afterString = COLON;
          if (depth === 1) {
            this.#rootKey = '';
            this.#rootKeyStart = i + 1;
          } else if (depth === RECORD_DEPTH && this.#inRecords) {
            this.#memberKeyStart = this.#at(i);
          }
          break;
        case COLON:
          if (c !== 0x3a) this.#fail('invalid-json', i, `an unexpected ${this.#describe(c)} where a colon should be`);
          state = VALUE;
          break;
        case AFTER_VALUE:
          if (c === 0x2c) {
            state = stack[depth] === IN_OBJECT ? KEY : VALUE;
          } else if (c === 0x7d || c === 0x5d) {
            depth = this.#close(depth, c === 0x7d ? IN_OBJECT : IN_ARRAY, chunk, i, out);
            state = depth === 0 ? DONE : AFTER_VALUE;
          } else {
            this.#fail('invalid-json', i, `an unexpected ${this.#describe(c)} after a value (a missing comma?)`);
          }
          break;
        case DONE:
          this.#fail('invalid-json', i, `an unexpected ${this.#describe(c)} after the end of the JSON document`);
          break;
        default:
          break;
      }
      i += 1;
    }

    // Carry what is in flight into the next chunk.
    if (this.#recordStart >= 0) {
      const part = chunk.subarray(this.#recordStart);
      this.#recordParts.push(part);
      this.#recordBase += part.length;
    }
    if (this.#rootKeyStart >= 0) this.#rootKey += chunk.toString('latin1', this.#rootKeyStart, n);
    this.#state = state;
    this.#depth = depth;
    this.#offset += n;
    return out;
  }

  /** Ends the document; throws when it is incomplete or holds no `Records` array. */
  finish(): ScannedDocument {
    if (!this.#started) this.#fail('invalid-json', 0, 'no content: the file is empty');
    if (this.#state !== DONE) {
      throw new UnreadableInputError(
        'truncated',
        `the JSON document ends early at byte ${this.#offset} (after ${this.#records} complete records): the file is cut short`,
      );
    }
    const document = { hasRecords: this.#hasRecords, rootKeys: [...this.#rootKeys], records: this.#records, bytes: this.#offset };
    if (!this.#hasRecords) {
      if (this.#rootKeys.includes('digestStartTime') && this.#rootKeys.includes('awsAccountId')) {
        throw new UnreadableInputError('digest-body', 'the file is a CloudTrail digest (digestStartTime, awsAccountId, no Records), not a log file');
      }
      const keys = this.#rootKeys.slice(0, 8).map((key) => JSON.stringify(key)).join(', ');
      throw new UnreadableInputError('no-records', `the JSON object has no Records array (its members: ${keys || 'none'})`);
    }
    return document;
  }

  /** Byte offset of chunk index `i` within the current record. */
  #at(i: number): number {
    return this.#recordBase + (i - this.#recordStart);
  }

  #beginValue(depth: number, c: number, i: number): void {
    if (depth === 0) {
      if (c !== 0x7b) {
        const what = c === 0x5b ? 'a JSON array' : 'a JSON scalar';
        this.#fail('not-cloudtrail', i, `the file holds ${what}, not an object with a Records array`);
      }
      return;
    }
    if (depth === 1) {
      if (this.#rootKey === 'Records') {
        if (c !== 0x5b) this.#fail('no-records', i, 'Records is not an array');
        this.#inRecords = true;
        this.#hasRecords = true;
      }
      return;
    }
    if (!this.#inRecords) return;
    if (depth === 2) {
      if (c !== 0x7b) this.#fail('invalid-record', i, `element ${this.#records + 1} of Records is ${this.#describeValue(c)}, not an object`);
      this.#recordStart = i;
      this.#recordBase = 0;
      this.#recordParts = [];
      this.#members = [];
      this.#recordLineBreaks = false;
      return;
    }
    if (depth === RECORD_DEPTH) this.#memberValueStart = this.#at(i);
  }

  #endMember(valueEnd: number): void {
    this.#members.push(this.#memberKeyStart, this.#memberKeyEnd, this.#memberValueStart, valueEnd);
  }

  #close(depth: number, kind: number, chunk: Buffer, i: number, out: RawRecord[]): number {
    if (this.#stack[depth] !== kind) this.#fail('invalid-json', i, `a mismatched ${String.fromCharCode(chunk[i]!)}`);
    const closed = depth - 1;
    if (this.#inRecords) {
      if (depth === RECORD_DEPTH) {
        const tail = chunk.subarray(this.#recordStart, i + 1);
        const text = this.#recordParts.length === 0 ? tail : Buffer.concat([...this.#recordParts, tail]);
        out.push({ text, members: this.#members, hasLineBreaks: this.#recordLineBreaks });
        this.#records += 1;
        this.#recordStart = -1;
        this.#recordParts = [];
        this.#recordBase = 0;
      } else if (depth === 2) {
        this.#inRecords = false;
      } else if (closed === RECORD_DEPTH) {
        this.#endMember(this.#at(i) + 1);
      }
    }
    return closed;
  }

  #describe(c: number): string {
    return c >= 0x21 && c < 0x7f ? `"${String.fromCharCode(c)}"` : `byte 0x${c.toString(16).padStart(2, '0')}`;
  }

  #describeValue(c: number): string {
    if (c === 0x5b) return 'an array';
    if (c === 0x22) return 'a string';
    if (c === 0x6e) return 'null';
    return 'a scalar';
  }

  #fail(reason: UnreadableReason, i: number, what: string): never {
    const where = this.#records > 0 || this.#inRecords ? ` (in or after record ${this.#records + 1})` : '';
    throw new UnreadableInputError(reason, `invalid CloudTrail JSON at byte ${this.#offset + i}${where}: ${what}`);
  }
}
