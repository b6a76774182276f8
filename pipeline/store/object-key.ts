import { ObjectStoreError } from '../errors.js';
import { hasControlCharacters } from '../util/control-characters.js';

/**
 * Object keys reach a file system path (the local store) and an S3 key under a prefix. Both
 * adapters refuse the same keys, so a key that works locally works in S3 and cannot escape the
 * store's root in either: no absolute paths, no `.`/`..` segments, no empty segments (which a
 * file system would collapse), no backslashes (a separator on Windows), no control characters.
 */
const MAX_KEY_BYTES = 1024;

/** Files the local store writes while an object is in flight; keys may not take these names. */
export const TEMP_FILE_PREFIX = '.opslake-tmp-';

function refuse(key: string, rule: string): never {
  const shown = key.length > 120 ? `${key.slice(0, 120)}...` : key;
  throw new ObjectStoreError(`invalid object key ${JSON.stringify(shown)}: ${rule}`, key);
}

function checkCharacters(key: string): void {
  if (hasControlCharacters(key)) refuse(key, 'control characters (NUL, newline, ...) are not allowed');
  if (key.includes('\\')) refuse(key, 'use / to separate segments, not \\');
  if (key.startsWith('/')) refuse(key, 'keys are relative to the store root and may not start with /');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) refuse(key, `keys are at most ${MAX_KEY_BYTES} bytes`);
}

function checkSegment(key: string, segment: string): void {
  if (segment === '') refuse(key, 'empty segments (//, or a leading or trailing /) are not allowed');
  if (segment === '.' || segment === '..') refuse(key, '. and .. segments are not allowed');
  if (segment.startsWith(TEMP_FILE_PREFIX)) refuse(key, `segments may not start with ${TEMP_FILE_PREFIX}`);
}

/** Returns the key when it names an object safely; throws ObjectStoreError naming the rule otherwise. */
export function assertObjectKey(key: string): string {
  if (typeof key !== 'string' || key === '') refuse(String(key), 'a key may not be empty');
  checkCharacters(key);
  for (const segment of key.split('/')) checkSegment(key, segment);
  return key;
}

/**
 * Returns a listing prefix when it is safe. A prefix may be empty, end with `/`, or stop in the
 * middle of a segment (`redshift/stl_q`); the segments it completes follow the key rules.
 */
export function assertListPrefix(prefix: string): string {
  if (typeof prefix !== 'string') refuse(String(prefix), 'a prefix must be a string');
  if (prefix === '') return prefix;
  checkCharacters(prefix);
  const segments = prefix.split('/');
  const last = segments.pop() ?? '';
  for (const segment of segments) checkSegment(prefix, segment);
  if (last === '.' || last === '..') refuse(prefix, '. and .. segments are not allowed');
  return prefix;
}
