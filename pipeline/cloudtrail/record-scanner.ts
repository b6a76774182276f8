import { UnreadableInputError } from '../errors.js';
import { ContainerEndSearch } from './container-end-search.js';
import { describeByte, describeValueStart, isScalarByte, isWhitespace, NO_BYTE } from './json-bytes.js';
import type { RawRecord, ScannedDocument, UnreadableReason } from './raw-record.js';
import { scanMembers } from './scan-members.js';

// What a record is lives in raw-record.ts; the readers of records know it from here too.
export { hasLineBreaks, type RawRecord, type ScannedDocument, type UnreadableReason } from './raw-record.js';

// Document states (outside records).
const VALUE = 0;
const OBJECT_FIRST = 1;
const KEY = 2;
const COLON = 3;
const AFTER_VALUE = 4;
const ARRAY_FIRST = 5;
const STRING = 6;
const ESCAPE = 7;
const SCALAR = 8;
const DONE = 9;
/** Inside a container: only its end is looked for (a record, or a root member's value). */
const CONTAINER = 10;

const IN_OBJECT = 1;
const IN_ARRAY = 2;

/**
 * A streaming JSON scanner for CloudTrail files: feed it the bytes chunk by chunk and it
 * returns each element of the root object's `Records` array as soon as it is complete. Memory
 * holds one record at a time, whatever the size of the file (`JSON.parse` of a whole file would
 * hold all of it, several times over). The document's structure is checked down to the members
 * of each record, so a file that is cut short or malformed there is refused, not half-read;
 * what strings and member values hold is checked by the parser that reads the records
 * (DuckDB's, or JSON.parse). Finding where a record ends is a tight loop over brackets and
 * quotes (native `indexOf` across strings): most of a file is inside records.
 */
export class RecordScanner {
  #state = VALUE;
  #depth = 0;
  readonly #stack = new Uint8Array(4);
  /** Byte offset of the current chunk in the document. */
  #offset = 0;
  #started = false;

  // Token in progress outside records.
  #stringIsKey = false;
  #afterString = AFTER_VALUE;
  #scalar = '';

  // Root object.
  readonly #rootKeys: string[] = [];
  #rootKey = '';
  #rootKeyStart = -1;
  #inRecords = false;
  #hasRecords = false;
  #records = 0;

  // Container in progress (a record, or the value of another root member).
  #isRecord = false;
  readonly #search = new ContainerEndSearch();
  #containerParts: Buffer[] = [];
  #containerStart = -1;

  /** Scans the next chunk; returns the records it completed. Throws UnreadableInputError on malformed input. */
  push(chunk: Buffer): RawRecord[] {
    const out: RawRecord[] = [];
    const n = chunk.length;
    let i = 0;
    if (this.#containerStart >= 0) this.#containerStart = 0;
    if (this.#rootKeyStart >= 0) this.#rootKeyStart = 0;
    if (n > 0) this.#started = true;

    while (i < n) {
      const state = this.#state;
      if (state === CONTAINER) {
        if (this.#isRecord && this.#containerStart === i - 1 && this.#containerParts.length === 0) {
          // A record that starts in this chunk is, nearly always, read whole in one pass here.
          const members: number[] = [];
          const end = scanMembers(chunk, i - 1, n, members);
          if (typeof end === 'string') this.#fail('invalid-json', i, `record ${this.#records + 1} is malformed: ${end}`);
          if (end >= 0) {
            out.push({ text: chunk.subarray(i - 1, end), members });
            this.#records += 1;
            this.#containerStart = -1;
            this.#state = AFTER_VALUE;
            i = end;
            continue;
          }
        }
        const end = this.#search.endIn(chunk, i);
        if (end < 0) break;
        this.#endContainer(chunk, end, out);
        i = end;
        continue;
      }
      const c = chunk[i] ?? NO_BYTE;
      if (state === STRING) {
        const j = chunk.indexOf(0x22, i);
        const stop = j < 0 ? n : j;
        const backslash = chunk.indexOf(0x5c, i);
        if (backslash >= 0 && backslash < stop) {
          this.#state = ESCAPE;
          i = backslash + 1;
          continue;
        }
        if (j < 0) break;
        this.#endString(chunk, j);
        i = j + 1;
        continue;
      }
      if (state === ESCAPE) {
        this.#state = STRING;
        i += 1;
        continue;
      }
      if (state === SCALAR) {
        if (isScalarByte(c)) {
          this.#scalar += String.fromCharCode(c);
          i += 1;
          continue;
        }
        if (!/^(true|false|null|-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?)$/.test(this.#scalar)) {
          this.#fail('invalid-json', i, `an invalid value ${JSON.stringify(this.#scalar.slice(0, 20))}`);
        }
        this.#state = AFTER_VALUE;
        continue;
      }
      if (isWhitespace(c)) {
        i += 1;
        continue;
      }
      this.#structural(c, i);
      i += 1;
    }

    // Carry what is in flight into the next chunk.
    if (this.#state === CONTAINER && this.#containerStart >= 0) this.#containerParts.push(chunk.subarray(this.#containerStart));
    if (this.#rootKeyStart >= 0) this.#rootKey += chunk.toString('latin1', this.#rootKeyStart, n);
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
        throw new UnreadableInputError(
          'digest-body',
          'the file is a CloudTrail digest (digestStartTime, awsAccountId, no Records), not a log file',
        );
      }
      const keys = this.#rootKeys
        .slice(0, 8)
        .map((key) => JSON.stringify(key))
        .join(', ');
      throw new UnreadableInputError('no-records', `the JSON object has no Records array (its members: ${keys || 'none'})`);
    }
    return document;
  }

  /** One structural byte outside strings and containers (the root object and the Records array). */
  #structural(c: number, i: number): void {
    const depth = this.#depth;
    switch (this.#state) {
      case VALUE:
      case ARRAY_FIRST:
        if (this.#state === ARRAY_FIRST && c === 0x5d) {
          this.#close(IN_ARRAY, c, i);
          return;
        }
        this.#beginValue(c, i);
        return;
      case OBJECT_FIRST:
      case KEY:
        if (c === 0x7d && this.#state === OBJECT_FIRST) {
          this.#close(IN_OBJECT, c, i);
          return;
        }
        if (c !== 0x22) this.#fail('invalid-json', i, `an unexpected ${describeByte(c)} where a member name should be`);
        this.#state = STRING;
        this.#stringIsKey = true;
        this.#afterString = COLON;
        this.#rootKey = '';
        this.#rootKeyStart = i + 1;
        return;
      case COLON:
        if (c !== 0x3a) this.#fail('invalid-json', i, `an unexpected ${describeByte(c)} where a colon should be`);
        this.#state = VALUE;
        return;
      case AFTER_VALUE:
        if (c === 0x2c) this.#state = this.#stack[depth] === IN_OBJECT ? KEY : VALUE;
        else if (c === 0x7d || c === 0x5d) this.#close(c === 0x7d ? IN_OBJECT : IN_ARRAY, c, i);
        else this.#fail('invalid-json', i, `an unexpected ${describeByte(c)} after a value (a missing comma?)`);
        return;
      default:
        this.#fail('invalid-json', i, `an unexpected ${describeByte(c)} after the end of the JSON document`);
    }
  }

  #beginValue(c: number, i: number): void {
    const depth = this.#depth;
    if (depth === 0 && c !== 0x7b) {
      this.#fail(
        'not-cloudtrail',
        i,
        `the file holds ${c === 0x5b ? 'a JSON array' : 'a JSON scalar'}, not an object with a Records array`,
      );
    }
    const records = depth === 1 && this.#rootKey === 'Records';
    if (records && c !== 0x5b) this.#fail('no-records', i, 'Records is not an array');
    if (depth === 2 && c !== 0x7b) {
      this.#fail('invalid-record', i, `element ${this.#records + 1} of Records is ${describeValueStart(c)}, not an object`);
    }
    if (c === 0x7b || c === 0x5b) {
      if (depth === 0 || records) {
        this.#depth = depth + 1;
        this.#stack[depth + 1] = c === 0x7b ? IN_OBJECT : IN_ARRAY;
        this.#state = c === 0x7b ? OBJECT_FIRST : ARRAY_FIRST;
        if (records) {
          this.#inRecords = true;
          this.#hasRecords = true;
        }
        return;
      }
      // A record (depth 2) or the value of another root member: find where it ends.
      this.#state = CONTAINER;
      this.#isRecord = depth === 2;
      // The opening bracket is consumed here; the search for the end starts after it.
      this.#search.begin();
      this.#containerParts = [];
      this.#containerStart = i;
      return;
    }
    if (c === 0x22) {
      this.#state = STRING;
      this.#stringIsKey = false;
      this.#afterString = AFTER_VALUE;
      return;
    }
    if (!isScalarByte(c)) this.#fail('invalid-json', i, `an unexpected ${describeByte(c)} where a value should be`);
    this.#state = SCALAR;
    this.#scalar = String.fromCharCode(c);
  }

  #endString(chunk: Buffer, j: number): void {
    this.#state = this.#afterString;
    if (this.#stringIsKey && this.#rootKeyStart >= 0) {
      if (this.#depth === 1) {
        this.#rootKey += chunk.toString('latin1', this.#rootKeyStart, j);
        this.#rootKeys.push(this.#rootKey);
      }
      this.#rootKeyStart = -1;
    }
  }

  #endContainer(chunk: Buffer, end: number, out: RawRecord[]): void {
    const tail = chunk.subarray(this.#containerStart, end);
    this.#containerStart = -1;
    this.#state = AFTER_VALUE;
    if (!this.#isRecord) {
      this.#containerParts = [];
      return;
    }
    const text = this.#containerParts.length === 0 ? tail : Buffer.concat([...this.#containerParts, tail]);
    this.#containerParts = [];
    const members: number[] = [];
    const read = scanMembers(text, 0, text.length + 1, members);
    if (read !== text.length)
      this.#fail(
        'invalid-json',
        end - 1,
        `record ${this.#records + 1} is malformed: ${typeof read === 'string' ? read : 'it does not end where its brackets do'}`,
      );
    out.push({ text, members });
    this.#records += 1;
  }

  #close(kind: number, c: number, i: number): void {
    if (this.#stack[this.#depth] !== kind) this.#fail('invalid-json', i, `a mismatched ${String.fromCharCode(c)}`);
    if (this.#depth === 2) this.#inRecords = false;
    this.#depth -= 1;
    this.#state = this.#depth === 0 ? DONE : AFTER_VALUE;
  }

  #fail(reason: UnreadableReason, i: number, what: string): never {
    const where = this.#records > 0 || this.#inRecords ? ` (in or after record ${this.#records + 1})` : '';
    throw new UnreadableInputError(reason, `invalid CloudTrail JSON at byte ${this.#offset + i}${where}: ${what}`);
  }
}
