/**
 * Iterates `source` while already waiting for its next item: the producer (a database sending
 * the next page) works while the consumer handles the current one. At most one item is held
 * ahead, so memory stays bounded. Stopping early returns the source.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  let finished = false;
  try {
    for (;;) {
      const current = await pending;
      if (current.done) {
        finished = true;
        return;
      }
      pending = iterator.next();
      // A rejection of the read-ahead surfaces at the next await; until then it must not be
      // reported as unhandled.
      pending.catch(() => undefined);
      yield current.value;
    }
  } finally {
    if (!finished) {
      // The item read ahead is dropped; the source is closed once that read settles.
      await pending.catch(() => undefined);
      await iterator.return?.();
    }
  }
}
