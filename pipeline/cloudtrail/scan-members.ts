import { containerEnd, describeByte, isScalarByte, isWhitespace, NO_BYTE, stringEnd } from './json-bytes.js';

/**
 * Reads the members of the record whose `{` is at `start`, up to `limit`: pushes
 * `[keyStart, keyEnd, valueStart, valueEnd]` per member (relative to `start`) and returns the
 * index just past the record's `}`; -1 when the record does not end before `limit`; a message
 * when it is malformed. Checks the record's own grammar (names, colons, commas, the end of
 * each value); what values hold is checked by the parser that reads them.
 */
export function scanMembers(bytes: Buffer, start: number, limit: number, members: number[]): number | string {
  let pos = start + 1;
  while (pos < limit && isWhitespace(bytes[pos] ?? NO_BYTE)) pos += 1;
  if (pos >= limit) return -1;
  if (bytes[pos] === 0x7d) return pos + 1;
  for (;;) {
    if (bytes[pos] !== 0x22) return `${describeByte(bytes[pos] ?? NO_BYTE)} where a member name should be`;
    const keyStart = pos;
    const keyEnd = stringEnd(bytes, pos);
    if (keyEnd < 0 || keyEnd >= limit) return -1;
    pos = keyEnd;
    while (pos < limit && isWhitespace(bytes[pos] ?? NO_BYTE)) pos += 1;
    if (pos >= limit) return -1;
    if (bytes[pos] !== 0x3a) return `${describeByte(bytes[pos] ?? NO_BYTE)} where a colon should be`;
    pos += 1;
    while (pos < limit && isWhitespace(bytes[pos] ?? NO_BYTE)) pos += 1;
    if (pos >= limit) return -1;
    const valueStart = pos;
    const c = bytes[pos] ?? NO_BYTE;
    let valueEnd: number;
    if (c === 0x22) valueEnd = stringEnd(bytes, pos);
    else if (c === 0x7b || c === 0x5b) valueEnd = containerEnd(bytes, pos, limit);
    else if (isScalarByte(c)) {
      valueEnd = pos;
      while (valueEnd < limit && isScalarByte(bytes[valueEnd] ?? NO_BYTE)) valueEnd += 1;
    } else return `${describeByte(c)} where a value should be`;
    if (valueEnd < 0 || valueEnd >= limit) return -1;
    members.push(keyStart - start, keyEnd - start, valueStart - start, valueEnd - start);
    pos = valueEnd;
    while (pos < limit && isWhitespace(bytes[pos] ?? NO_BYTE)) pos += 1;
    if (pos >= limit) return -1;
    if (bytes[pos] === 0x7d) return pos + 1;
    if (bytes[pos] !== 0x2c) return `${describeByte(bytes[pos] ?? NO_BYTE)} after a value (a missing comma?)`;
    pos += 1;
    while (pos < limit && isWhitespace(bytes[pos] ?? NO_BYTE)) pos += 1;
    if (pos >= limit) return -1;
  }
}
