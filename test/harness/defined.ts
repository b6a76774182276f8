/**
 * The value, or a thrown error naming what was missing: tests read optional results through this instead of a
 * non-null assertion, so a missing value fails the test with a message rather than a TypeError further on.
 */
export function defined<T>(value: T | null | undefined, what = 'value'): T {
  if (value === undefined || value === null) throw new Error(`expected ${what} to be present`);
  return value;
}
