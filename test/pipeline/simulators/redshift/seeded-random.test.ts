import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../../pipeline/simulators/redshift/seeded-random.js';

const draws = (rng: SeededRandom, count: number) => Array.from({ length: count }, () => rng.next());

describe('SeededRandom', () => {
  it('repeats its sequence for the same parts and differs for others', () => {
    expect(draws(SeededRandom.of(7, 'etl', 1), 20)).toEqual(draws(SeededRandom.of(7, 'etl', 1), 20));
    expect(draws(SeededRandom.of(7, 'etl', 1), 20)).not.toEqual(draws(SeededRandom.of(7, 'etl', 2), 20));
    expect(draws(SeededRandom.of(7, 'etl', 1), 20)).not.toEqual(draws(SeededRandom.of(8, 'etl', 1), 20));
  });

  it('stays within the bounds it is given', () => {
    const rng = SeededRandom.of('bounds');
    const values = draws(rng, 2000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const integers = new Set(Array.from({ length: 500 }, () => rng.int(3, 5)));
    expect([...integers].sort()).toEqual([3, 4, 5]);
  });

  it('draws Poisson counts whose mean is near the rate', () => {
    const rng = SeededRandom.of('poisson');
    let total = 0;
    for (let i = 0; i < 5000; i++) total += rng.poisson(2.5);
    expect(total / 5000).toBeGreaterThan(2.3);
    expect(total / 5000).toBeLessThan(2.7);
    expect(rng.poisson(0)).toBe(0);
  });

  it('picks by weight', () => {
    const rng = SeededRandom.of('weights');
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 4000; i++)
      counts[
        rng.weighted<'a' | 'b'>([
          [3, 'a'],
          [1, 'b'],
        ])
      ]++;
    expect(counts.a / 4000).toBeGreaterThan(0.7);
    expect(counts.a / 4000).toBeLessThan(0.8);
  });
});
