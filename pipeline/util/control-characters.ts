/**
 * True when `text` holds a C0 control character (NUL to US) or DEL: characters that end a log line, hide
 * text on a terminal or are refused by S3 keys and DynamoDB identifiers. A loop over char codes rather
 * than a regular expression, so the rule is written once and reads plainly.
 */
export function hasControlCharacters(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code <= 0x1f || code === 0x7f) return true;
  }
  return false;
}
