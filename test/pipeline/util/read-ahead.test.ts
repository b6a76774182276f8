import { describe, expect, it } from 'vitest';
import { readAhead } from '../../../pipeline/util/read-ahead.js';

describe('readAhead', () => {
  it('yields every item in order and asks for the next one before the current is handled', async () => {
    const log: string[] = [];
    async function* source() {
      for (let i = 1; i <= 3; i += 1) {
        log.push(`produce ${i}`);
        yield i;
      }
    }
    const seen: number[] = [];
    for await (const item of readAhead(source())) {
      log.push(`consume ${item}`);
      seen.push(item);
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(log.slice(0, 3)).toEqual(['produce 1', 'produce 2', 'consume 1']);
  });

  it('closes the source when the consumer stops early', async () => {
    let closed = false;
    async function* source() {
      try {
        for (let i = 0; ; i += 1) yield i;
      } finally {
        closed = true;
      }
    }
    for await (const item of readAhead(source())) if (item === 2) break;
    expect(closed).toBe(true);
  });

  it('surfaces an error of the source at the item where it happened', async () => {
    async function* source() {
      yield 1;
      throw new RangeError('broken page');
    }
    const seen: number[] = [];
    await expect(async () => {
      for await (const item of readAhead(source())) seen.push(item);
    }).rejects.toThrow('broken page');
    expect(seen).toEqual([1]);
  });
});
