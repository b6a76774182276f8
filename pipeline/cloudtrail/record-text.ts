import { hasLineBreaks, type RawRecord } from './raw-record.js';

const LINE_BREAKS = /[\r\n]/g;

/** The value of a JSON string token `"..."` (given as text), without a JSON.parse when it holds no escapes. */
export function stringValueOf(token: string): string {
  return token.includes('\\') ? (JSON.parse(token) as string) : token.slice(1, -1);
}

/**
 * The text of a record's byte ranges. CloudTrail records are nearly always ASCII: then the
 * record is decoded once and every member is a cheap substring of it.
 */
export class RecordText {
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
