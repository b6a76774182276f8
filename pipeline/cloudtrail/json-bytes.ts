/**
 * Byte-level JSON helpers for the CloudTrail hot path (the scanner and the inspector): they read
 * JSON straight from a Buffer, without making strings of it.
 *
 * A byte read past the end of a buffer is `NO_BYTE` (-1), which no test here matches: a value
 * that runs into the end of its buffer is then simply not complete.
 */

export const NO_BYTE = -1;

export function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** A byte that may appear in `true`, `false`, `null` or a number. */
export function isScalarByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x45;
}

export function isNumberStart(c: number): boolean {
  return c === 0x2d || (c >= 0x30 && c <= 0x39);
}

/** A byte as an error message shows it. */
export function describeByte(c: number): string {
  if (c < 0) return 'the end of the record';
  return c >= 0x21 && c < 0x7f ? `"${String.fromCharCode(c)}"` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

/** What the JSON value that starts with byte `c` is (not an object), as an error message says it. */
export function describeValueStart(c: number): string {
  if (c === 0x5b) return 'an array';
  if (c === 0x22) return 'a string';
  return c === 0x6e ? 'null' : 'a scalar';
}

/**
 * Index just past the string whose opening quote is at `open`, in a complete buffer; -1 when
 * it does not end. Native `indexOf` finds the quotes; a quote preceded by an odd number of
 * backslashes is escaped.
 */
export function stringEnd(bytes: Buffer, open: number): number {
  let quote = bytes.indexOf(0x22, open + 1);
  while (quote > 0) {
    let backslashes = 0;
    for (let k = quote - 1; bytes[k] === 0x5c; k -= 1) backslashes += 1;
    if ((backslashes & 1) === 0) return quote + 1;
    quote = bytes.indexOf(0x22, quote + 1);
  }
  return -1;
}

/** Index just past the object or array that opens at `open`, in a complete buffer; -1 when it does not end. */
export function containerEnd(bytes: Buffer, open: number, end: number): number {
  let nesting = 0;
  let j = open;
  while (j < end) {
    const b = bytes[j] ?? NO_BYTE;
    if (b === 0x22) {
      j = stringEnd(bytes, j);
      if (j < 0 || j > end) return -1;
      continue;
    }
    if (b === 0x7b || b === 0x5b) nesting += 1;
    else if (b === 0x7d || b === 0x5d) {
      nesting -= 1;
      if (nesting === 0) return j + 1;
    }
    j += 1;
  }
  return -1;
}

export function skipWhitespace(bytes: Uint8Array, pos: number, end: number): number {
  while (pos < end && isWhitespace(bytes[pos] ?? NO_BYTE)) pos += 1;
  return pos;
}

/**
 * End (exclusive) of the string token starting at `pos` (its opening quote), or -1 past `end`.
 * A byte-by-byte walk that stops at `end`, for the short strings of the members the inspector
 * looks into.
 */
export function skipString(bytes: Uint8Array, pos: number, end: number): number {
  pos += 1;
  while (pos < end) {
    const c = bytes[pos] ?? NO_BYTE;
    if (c === 0x22) return pos + 1;
    pos += c === 0x5c ? 2 : 1;
  }
  return -1;
}

/** End (exclusive) of the value starting at `pos`, or -1 when it does not end before `end`. */
export function skipValue(bytes: Uint8Array, pos: number, end: number): number {
  const c = bytes[pos] ?? NO_BYTE;
  if (c === 0x22) return skipString(bytes, pos, end);
  if (c !== 0x7b && c !== 0x5b) {
    while (pos < end) {
      const d = bytes[pos] ?? NO_BYTE;
      if (d === 0x2c || d === 0x7d || d === 0x5d || isWhitespace(d)) return pos;
      pos += 1;
    }
    return -1;
  }
  let depth = 0;
  while (pos < end) {
    const d = bytes[pos] ?? NO_BYTE;
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
