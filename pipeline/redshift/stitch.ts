/**
 * Reassembles statements stored in 200-character CHAR pieces (stl_querytext, stl_ddltext,
 * stl_utilitytext). Pure.
 */

/**
 * Joins pieces in sequence order. Only the last piece loses its blank padding: a full piece in
 * the middle may really end in spaces, and trimming it would glue two words together.
 */
export function stitchChunks(chunks: readonly string[]): string {
  const last = (chunks.at(-1) ?? '').replace(/ +$/, '');
  return decodeEscapes(chunks.slice(0, -1).join('') + last);
}

/**
 * Redshift stores a newline as the two characters `\n` and a backslash as `\\`. One
 * left-to-right pass, so `\\n` is a backslash followed by `n`; other sequences stay as they are.
 * Decoding happens after joining because an escape may straddle two pieces.
 */
export function decodeEscapes(text: string): string {
  return text.replace(/\\(\\|n)/g, (_match, escaped: string) => (escaped === 'n' ? '\n' : '\\'));
}
