/**
 * How Redshift stores statement text in the STL views, as the exporter has to undo it. Pure.
 */

/** Length of one piece in stl_querytext, stl_ddltext and stl_utilitytext (CHAR(200)). */
export const STL_CHUNK_LENGTH = 200;

/** stl_query.querytxt is CHAR(4000): longer statements are cut there. */
export const QUERYTXT_LENGTH = 4000;

/** Length of one piece in sys_query_text (CHAR(4000)); sys_query_history.query_text is cut there too. */
export const SYS_CHUNK_LENGTH = 4000;

/**
 * A newline is stored as the two characters `\n`, a backslash as `\\`; a carriage return is
 * dropped (only `\n` has an escape, and the views hold no raw control characters).
 */
export function escapeStlText(text: string): string {
  return text.replace(/\r/g, '').replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/**
 * The escaped text cut into 200-character pieces, `sequence` = index. The pieces are cut from
 * the escaped form, so an escape may straddle two pieces; the last piece is short here and gets
 * its blank padding from the CHAR(200) column.
 */
export function stlTextChunks(text: string, length = STL_CHUNK_LENGTH): string[] {
  const escaped = escapeStlText(text);
  if (escaped.length === 0) return [''];
  const chunks: string[] = [];
  for (let offset = 0; offset < escaped.length; offset += length) {
    chunks.push(escaped.slice(offset, offset + length));
  }
  return chunks;
}

/** sys_query_text: the same escapes, cut into 4000-character pieces. */
export function sysTextChunks(text: string): string[] {
  return stlTextChunks(text, SYS_CHUNK_LENGTH);
}

/** stl_query.querytxt: the escaped text, cut after 4000 characters. */
export function stlQueryTxt(text: string): string {
  return escapeStlText(text).slice(0, QUERYTXT_LENGTH);
}
