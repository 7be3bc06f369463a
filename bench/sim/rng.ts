/**
 * Seeded pseudo-random numbers for the bench: every simulated draw (tracks, slot choice, loss) comes from here, so a
 * seed fixes a whole run. Not for cryptography.
 *
 * xoshiro128** (Blackman & Vigna 2018) seeded through splitmix32: 128-bit state, period 2^128 − 1, good equidistribution
 * and only 32-bit integer operations (Math.imul), which JavaScript does exactly. Hand-written because it is twenty
 * lines and a dependency would add nothing; mulberry32 was rejected for its 2^32 period (a 500-ship hour draws more).
 */

export interface Rng {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Uniform integer in [lo, hi) — hi exclusive. */
  int(lo: number, hi: number): number;
  /** Normal(mean, sd) by Box–Muller. */
  normal(mean?: number, sd?: number): number;
  /** true with probability p. */
  bernoulli(p: number): boolean;
  /** One element, uniformly. */
  choice<T>(items: readonly T[]): T;
  /**
   * An independent stream derived from this generator's seed and a label, without consuming from this one: giving
   * each vessel and the link model their own stream keeps one component's draws from shifting another's (changing the
   * loss rate must not change the tracks).
   */
  fork(label: number): Rng;
}

const U32 = 2 ** 32;

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** A generator for `seed` (any integer; only its low 32 bits count). */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new TypeError(`seed must be an integer, got ${seed}`);
  return fromSeedWords(splitmix32(seed), seed >>> 0);
}

function fromSeedWords(words: () => number, seed: number): Rng {
  let a = words();
  let b = words();
  let c = words();
  let d = words();
  // xoshiro must not start from the all-zero state; splitmix32 makes it unlikely, this makes it impossible.
  if ((a | b | c | d) === 0) a = 1;
  let spare: number | undefined;

  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };

  const rng: Rng = {
    next: () => nextU32() / U32,
    uniform: (lo, hi) => lo + (hi - lo) * rng.next(),
    int: (lo, hi) => {
      if (!(hi > lo)) throw new RangeError(`int: empty range [${lo}, ${hi})`);
      return lo + Math.floor((hi - lo) * rng.next());
    },
    normal: (mean = 0, sd = 1) => {
      if (spare !== undefined) {
        const z = spare;
        spare = undefined;
        return mean + sd * z;
      }
      // 1 − next() is in (0, 1], so the logarithm is finite.
      const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
      const theta = 2 * Math.PI * rng.next();
      spare = r * Math.sin(theta);
      return mean + sd * r * Math.cos(theta);
    },
    bernoulli: (p) => rng.next() < p,
    choice: (items) => {
      if (items.length === 0) throw new RangeError('choice: no items');
      return items[rng.int(0, items.length)] as (typeof items)[number];
    },
    fork: (label) => {
      if (!Number.isInteger(label)) throw new TypeError(`fork label must be an integer, got ${label}`);
      const mix = splitmix32(seed ^ Math.imul(label >>> 0, 0x9e3779b1));
      // Skip a few outputs so that neighbouring labels start far apart.
      mix();
      mix();
      return fromSeedWords(mix, (seed ^ Math.imul(label >>> 0, 0x85ebca6b) ^ 0x5bd1e995) >>> 0);
    },
  };
  return rng;
}
