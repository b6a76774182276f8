/**
 * The deterministic random source of both simulators. One API, two generators behind it:
 *
 * - `SeededRandom.of(...parts)`: sfc32 seeded through a string hash of the parts. The Redshift
 *   simulator seeds one per simulated minute from (seed, profile, minute), so the work of a
 *   minute never depends on how the clock got there: no generator position is stored between
 *   runs.
 * - `SeededRandom.fromSeed(seed)`: mulberry32 from one 32-bit seed. The demo trail draws its
 *   whole history from one stream.
 *
 * Both generators stay as they were because what they draw is pinned: the same seed must keep
 * giving the same demo trail and the same simulated clusters, byte for byte (tests compare
 * same-seed outputs, and a demo folder made earlier is reopened and advanced).
 */
export abstract class SeededRandom {
  /** A generator seeded from any list of parts; equal parts give equal sequences. */
  static of(...parts: ReadonlyArray<string | number>): SeededRandom {
    return new Sfc32(hash128(parts.join('\u0001')));
  }

  /** A generator seeded from one integer (its low 32 bits); equal seeds give equal sequences. */
  static fromSeed(seed: number): SeededRandom {
    return new Mulberry32(seed);
  }

  /** Uniform 32-bit unsigned integer. */
  abstract nextUint32(): number;

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return itemAt(items, Math.floor(this.next() * items.length));
  }

  /** One value, each with probability proportional to its weight: `[[weight, value], ...]`. */
  weighted<T>(items: ReadonlyArray<readonly [weight: number, value: T]>): T {
    const total = items.reduce((sum, [weight]) => sum + weight, 0);
    let target = this.next() * total;
    for (const [weight, value] of items) {
      target -= weight;
      if (target < 0) return value;
    }
    // Only floating-point rounding gets here: the last item is the one the draw fell on.
    return itemAt(items, items.length - 1)[1];
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and spread (sigma of the underlying normal). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Poisson-distributed count (Knuth; the simulator's rates are small). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let count = 0;
    let product = this.next();
    while (product > limit) {
      count++;
      product *= this.next();
    }
    return count;
  }

  /** `length` characters from `alphabet`. */
  chars(length: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'): string {
    let out = '';
    for (let i = 0; i < length; i += 1) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  /** A version-4-shaped UUID. */
  uuid(): string {
    const hex = this.chars(32, '0123456789abcdef');
    const variant = '89ab'[this.int(0, 3)];
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

/** An item of a list that is known not to be empty at `index`; a RangeError otherwise. */
function itemAt<T>(items: readonly T[], index: number): T {
  if (index < 0 || index >= items.length) throw new RangeError(`cannot pick from a list of ${items.length} items`);
  return items[index] as T;
}

class Sfc32 extends SeededRandom {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor([a, b, c, d]: readonly [number, number, number, number]) {
    super();
    this.#a = a;
    this.#b = b;
    this.#c = c;
    this.#d = d;
    // The first outputs of sfc32 still echo the seed; discard them.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }
}

class Mulberry32 extends SeededRandom {
  #state: number;

  constructor(seed: number) {
    super();
    this.#state = seed >>> 0 || 0x9e3779b9;
  }

  nextUint32(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
}

/** cyrb128: four 32-bit words from a string. */
function hash128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044559);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044559);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}
