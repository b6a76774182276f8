import { NO_BYTE } from './json-bytes.js';

/**
 * The search for the end of a container (a record, or the value of a root member other than
 * `Records`) that a chunk boundary cut: how deep it is, whether the chunk ended inside a string,
 * and the run of backslashes at the end of the previous chunk carry over to the next chunk.
 * Finding where a record ends is a tight loop over brackets and quotes (native `indexOf` across
 * strings): most of a file is inside records.
 */
export class ContainerEndSearch {
  #nesting = 0;
  #inString = false;
  /** Backslashes at the end of the previous chunk, inside a string of the container. */
  #trailingBackslashes = 0;

  /** Starts a search just after a container's opening bracket. */
  begin(): void {
    this.#nesting = 1;
    this.#inString = false;
    this.#trailingBackslashes = 0;
  }

  /**
   * Looks for the end of the container from `i`; returns the index just past it, or -1 when
   * the chunk ends first (the state is kept for the next chunk).
   */
  endIn(chunk: Buffer, i: number): number {
    const n = chunk.length;
    let nesting = this.#nesting;
    let j = i;
    if (this.#inString) {
      // Finish the string carried over from the previous chunk.
      if ((this.#trailingBackslashes & 1) === 1) j += 1; // this chunk's first byte is escaped
      this.#trailingBackslashes = j === i ? this.#trailingBackslashes : 0;
      const end = this.#stringEndIn(chunk, j);
      if (end < 0) return -1;
      j = end;
      this.#inString = false;
    }
    while (j < n) {
      const b = chunk[j] ?? NO_BYTE;
      if (b === 0x22) {
        const end = this.#stringEndIn(chunk, j + 1);
        if (end < 0) {
          this.#nesting = nesting;
          this.#inString = true;
          return -1;
        }
        j = end;
        continue;
      }
      if (b === 0x7b || b === 0x5b) nesting += 1;
      else if (b === 0x7d || b === 0x5d) {
        nesting -= 1;
        if (nesting === 0) {
          this.#nesting = 0;
          return j + 1;
        }
      }
      j += 1;
    }
    this.#nesting = nesting;
    return -1;
  }

  /**
   * Index just past the closing quote of a string whose content starts at `from`, or -1 when
   * the chunk ends inside it (then the run of backslashes at the chunk's end is remembered).
   */
  #stringEndIn(chunk: Buffer, from: number): number {
    let quote = chunk.indexOf(0x22, from);
    while (quote >= 0) {
      let backslashes = 0;
      let k = quote - 1;
      while (k >= from && chunk[k] === 0x5c) {
        backslashes += 1;
        k -= 1;
      }
      if (k < from && from === 0) backslashes += this.#trailingBackslashes;
      if ((backslashes & 1) === 0) {
        this.#trailingBackslashes = 0;
        return quote + 1;
      }
      quote = chunk.indexOf(0x22, quote + 1);
    }
    let run = 0;
    for (let k = chunk.length - 1; k >= from && chunk[k] === 0x5c; k -= 1) run += 1;
    this.#trailingBackslashes = run === chunk.length - from && from === 0 ? this.#trailingBackslashes + run : run;
    return -1;
  }
}
