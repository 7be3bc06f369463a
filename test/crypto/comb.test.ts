import { describe, expect, it } from 'vitest';
import { decodePublicParams, setup } from '../../crypto/index.js';
import { FixedBaseComb, G1Comb, mcl, type G1 } from '../../crypto/_mcl.js';
import { seededRandom } from './_helpers.js';

const { params } = setup(seededRandom('comb-test'));
const pp = decodePublicParams(params);
const rnd = seededRandom('comb-exponents');

/** Exponents of every shape a secret can take: sparse (zero bytes and nibbles), dense, and the extremes. */
function exponents(): Uint8Array[] {
  const sparse = new Uint8Array(32);
  sparse[31] = 1;
  const mostlyZero = new Uint8Array(32);
  mostlyZero[5] = 0xf0;
  const dense = new Uint8Array(32).fill(0x5a);
  dense[0] = 0x2b;
  const top = new Uint8Array(32).fill(0x11);
  top[0] = 0x73;
  return [new Uint8Array(32), sparse, mostlyZero, dense, top, ...Array.from({ length: 4 }, () => { const e = rnd(32); e[0] = (e[0] as number) & 0x3f; return e; })];
}

const frOf = (e: Uint8Array) => {
  const x = new mcl.Fr();
  x.setBigEndianMod(e);
  return x;
};

describe('fixed-base combs', () => {
  it('the secret-exponent path equals the public one and a plain exponentiation', () => {
    for (const e of exponents()) {
      expect(pp.gComb.pow(e).isEqual(mcl.pow(pp.g, frOf(e)))).toBe(true);
      expect(pp.gComb.pow(e).isEqual(pp.gComb.powPublic(e))).toBe(true);
      expect(pp.P1Comb.pow(e).isEqual(mcl.mul(pp.P1, frOf(e)))).toBe(true);
      expect(pp.sP1Comb.pow(e).isEqual(pp.sP1Comb.powPublic(e))).toBe(true);
    }
  });

  it('the secret-exponent path does the same group operations for every exponent (zero bytes are not skipped)', () => {
    let ops = 0;
    const comb = new FixedBaseComb<G1>(
      pp.P1,
      (a, b) => {
        ops++;
        return mcl.add(a, b);
      },
      () => new mcl.G1(),
      () => new mcl.G1(),
      (x, e) => mcl.mul(x, e),
    );
    const counts = exponents().map((e) => {
      ops = 0;
      expect(comb.pow(e).isEqual(mcl.mul(pp.P1, frOf(e)))).toBe(true);
      return ops;
    });
    // 64 nibbles: 63 combining operations plus the offset correction, whatever the exponent.
    expect(counts).toEqual(counts.map(() => 64));
  });

  it('the public path takes exponents of any length up to 32 bytes (a 128-bit challenge) and equals exponentiation', () => {
    for (const n of [0, 1, 2, 15, 16, 31]) {
      const e = rnd(n);
      if (n > 0) e[0] = (e[0] as number) | 1;
      expect(pp.gComb.powPublic(e).isEqual(mcl.pow(pp.g, frOf(e)))).toBe(true);
      expect(pp.P1Comb.powPublic(e).isEqual(mcl.mul(pp.P1, frOf(e)))).toBe(true);
    }
    const top = new Uint8Array(16).fill(0xff);
    expect(pp.gComb.powPublic(top).isEqual(mcl.pow(pp.g, frOf(top)))).toBe(true);
  });

  it('a secret-only comb (a signer\'s key) keeps no public table and refuses the variable-time path', () => {
    const comb = new G1Comb(pp.sP1, false);
    for (const e of exponents()) expect(comb.pow(e).isEqual(mcl.mul(pp.sP1, frOf(e)))).toBe(true);
    expect(() => comb.powPublic(new Uint8Array(16).fill(1))).toThrow(/secret exponents only/);
  });

  it('the secret-exponent path refuses an exponent that is not a full 32-byte scalar', () => {
    expect(() => pp.gComb.pow(new Uint8Array(16))).toThrow(RangeError);
  });
});
