import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../bench/sim/rng.js';

const draw = (seed: number, n: number): number[] => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.next());
};

describe('createRng', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        expect(draw(seed, 50)).toEqual(draw(seed, 50));
        expect(draw(seed, 50)).not.toEqual(draw(seed + 1, 50));
      }),
    );
  });

  it('keeps next() in [0, 1) and int() in [lo, hi)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 1000 }), (seed, lo, span) => {
        const rng = createRng(seed);
        for (let i = 0; i < 100; i++) {
          const u = rng.next();
          expect(u >= 0 && u < 1).toBe(true);
          const k = rng.int(lo, lo + span);
          expect(Number.isInteger(k) && k >= lo && k < lo + span).toBe(true);
        }
      }),
    );
  });

  it('has the moments of a uniform and a normal distribution over many draws', () => {
    const rng = createRng(7);
    const n = 100_000;
    let sum = 0;
    let sumN = 0;
    let sumN2 = 0;
    for (let i = 0; i < n; i++) {
      sum += rng.next();
      const z = rng.normal(3, 2);
      sumN += z;
      sumN2 += z * z;
    }
    // Standard errors: uniform mean 1/√(12n) ≈ 0.0009, normal mean 2/√n ≈ 0.0063; bounds at about 5 of them.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
    const mean = sumN / n;
    expect(Math.abs(mean - 3)).toBeLessThan(0.035);
    expect(Math.abs(Math.sqrt(sumN2 / n - mean * mean) - 2)).toBeLessThan(0.03);
  });

  it('chooses every element of a list about equally often', () => {
    const rng = createRng(11);
    const counts = new Map<string, number>();
    for (let i = 0; i < 30_000; i++) {
      const c = rng.choice(['a', 'b', 'c']);
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    for (const c of ['a', 'b', 'c']) expect(Math.abs((counts.get(c) ?? 0) - 10_000)).toBeLessThan(400);
  });

  it('forks streams that do not depend on how much the parent has drawn', () => {
    const a = createRng(5);
    const b = createRng(5);
    for (let i = 0; i < 17; i++) b.next();
    const fa = a.fork(42);
    const fb = b.fork(42);
    expect(Array.from({ length: 20 }, () => fa.next())).toEqual(Array.from({ length: 20 }, () => fb.next()));
    const other = createRng(5).fork(43);
    expect(other.next()).not.toEqual(createRng(5).fork(42).next());
  });

  it('rejects misuse at the door', () => {
    expect(() => createRng(1.5)).toThrow(TypeError);
    expect(() => createRng(1).int(3, 3)).toThrow(RangeError);
    expect(() => createRng(1).choice([])).toThrow(RangeError);
  });
});
