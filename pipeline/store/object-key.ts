import { InvalidObjectKeyError, ObjectStoreError } from '../errors.js';
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

/** The local store's sidecars of user metadata (`.opslake-meta-<name>.json`); keys may not take these names either. */
export const METADATA_FILE_PREFIX = '.opslake-meta-';

function refuse(key: string, rule: string): never {
  const shown = key.length > 120 ? `${key.slice(0, 120)}...` : key;
  throw new InvalidObjectKeyError(`invalid object key ${JSON.stringify(shown)}: ${rule}`, key);
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
  if (segment.startsWith(METADATA_FILE_PREFIX)) refuse(key, `segments may not start with ${METADATA_FILE_PREFIX}`);
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

/** S3 keeps at most 2 KB of user metadata per object (names and values, in UTF-8). */
const MAX_METADATA_BYTES = 2048;
const METADATA_NAME = /^[a-z0-9][a-z0-9-]{0,127}$/;
const METADATA_VALUE = /^[\x20-\x7e]*$/;

/**
 * Returns user metadata with its names lower-cased (as S3 returns them) when both adapters can
 * store it: names of letters, digits and `-`, printable ASCII values (what an HTTP header
 * carries), 2 KB in all. Throws ObjectStoreError naming the rule otherwise.
 */
export function assertObjectMetadata(key: string, metadata: Readonly<Record<string, string>>): Record<string, string> {
  const reject = (rule: string): never => {
    throw new ObjectStoreError(`invalid metadata for ${JSON.stringify(key.length > 120 ? `${key.slice(0, 120)}...` : key)}: ${rule}`, key);
  };
  const checked: Record<string, string> = {};
  let bytes = 0;
  for (const [rawName, value] of Object.entries(metadata)) {
    const name = rawName.toLowerCase();
    if (!METADATA_NAME.test(name)) reject(`metadata name ${JSON.stringify(rawName)} must be letters, digits and -`);
    if (typeof value !== 'string' || !METADATA_VALUE.test(value)) reject(`metadata ${name} must be printable ASCII`);
    bytes += name.length + value.length;
    checked[name] = value;
  }
  if (bytes > MAX_METADATA_BYTES) reject(`user metadata is at most ${MAX_METADATA_BYTES} bytes`);
  return checked;
}
