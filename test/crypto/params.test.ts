import { describe, expect, it } from 'vitest';
import { bls12_381 as bls } from '@noble/curves/bls12-381.js';
import {
  checkMasterSecret, CryptoDecodeError, decodePublicParams, extractSigningKey, KeyMismatchError, mmsiIdentity,
  PARAMS_BYTES, setup,
} from '../../crypto/index.js';
import { seededRandom } from './_helpers.js';

const { params, masterSecret } = setup(seededRandom('params-test'));

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CryptoDecodeError);
    return (e as CryptoDecodeError).code;
  }
  return undefined;
}

/** A G1 point on the curve but outside the r-order subgroup: x with x³+4 square, not cleared by the cofactor. */
function nonSubgroupG1(): Uint8Array {
  const Fp = bls.fields.Fp;
  for (let x = 1n; ; x++) {
    const y2 = Fp.add(Fp.mul(Fp.mul(x, x), x), 4n);
    let y: bigint;
    try {
      y = Fp.sqrt(y2);
    } catch {
      continue;
    }
    const p = bls.G1.Point.fromAffine({ x, y });
    if (p.isTorsionFree()) continue;
    const out = Fp.toBytes(x);
    out[0] = (out[0] as number) | 0x80;
    return out;
  }
}

describe('public parameters', () => {
  it('round-trips: setup is deterministic under an injected RNG and decodes to the same bytes', () => {
    expect(params.length).toBe(PARAMS_BYTES);
    expect(setup(seededRandom('params-test')).params).toEqual(params);
    const pp = decodePublicParams(params);
    expect(pp.bytes).toEqual(params);
    expect(pp.fingerprint.length).toBe(32);
    expect(checkMasterSecret(pp, masterSecret)).toBe(true);
    expect(checkMasterSecret(pp, setup(seededRandom('other')).masterSecret)).toBe(false);
  });

  it('uses the standard generators (noble G1/G2 BASE)', () => {
    expect(params.subarray(8, 56)).toEqual(bls.G1.Point.BASE.toBytes(true));
    expect(params.subarray(56, 152)).toEqual(bls.G2.Point.BASE.toBytes(true));
  });

  it('rejects bad magic, version, suite and length with typed codes', () => {
    const mod = (i: number, v: number) => {
      const b = Uint8Array.from(params);
      b[i] = v;
      return b;
    };
    expect(codeOf(() => decodePublicParams(mod(0, 0)))).toBe('CRYPTO_BAD_ENCODING');
    expect(codeOf(() => decodePublicParams(mod(4, 2)))).toBe('CRYPTO_UNSUPPORTED_VERSION');
    expect(codeOf(() => decodePublicParams(mod(5, 2)))).toBe('CRYPTO_UNSUPPORTED_SUITE');
    expect(codeOf(() => decodePublicParams(mod(6, 9)))).toBe('CRYPTO_UNSUPPORTED_SUITE');
    expect(codeOf(() => decodePublicParams(params.subarray(0, 295)))).toBe('CRYPTO_BAD_LENGTH');
  });

  it('rejects off-curve, wrong-subgroup, identity and inconsistent points', () => {
    const withP1 = (p: Uint8Array) => {
      const b = Uint8Array.from(params);
      b.set(p, 8);
      return b;
    };
    const inf = new Uint8Array(48);
    inf[0] = 0xc0;
    expect(codeOf(() => decodePublicParams(withP1(inf)))).toBe('CRYPTO_IDENTITY_ELEMENT');
    const malformedInf = Uint8Array.from(inf);
    malformedInf[47] = 1; // decodes to O in mcl ETH mode (pairing-crypto.md §1 quirk 1)
    expect(codeOf(() => decodePublicParams(withP1(malformedInf)))).toMatch(/CRYPTO_(IDENTITY_ELEMENT|BAD_ENCODING)/);
    const outside = nonSubgroupG1();
    expect(codeOf(() => decodePublicParams(withP1(outside)))).toBe('CRYPTO_WRONG_SUBGROUP');
    let offCurve: Uint8Array | undefined;
    for (let i = 0; !offCurve; i++) {
      const b = Uint8Array.from(params.subarray(8, 56));
      b[47] = (b[47] as number) ^ (i + 1);
      if (codeOf(() => decodePublicParams(withP1(b))) === 'CRYPTO_NOT_ON_CURVE') offCurve = b;
    }
    const big = new Uint8Array(48).fill(0xff);
    big[0] = 0x9f;
    expect(codeOf(() => decodePublicParams(withP1(big)))).toBe('CRYPTO_BAD_ENCODING');
    const uncompressed = Uint8Array.from(params.subarray(8, 56));
    uncompressed[0] = (uncompressed[0] as number) & 0x7f;
    expect(codeOf(() => decodePublicParams(withP1(uncompressed)))).toBe('CRYPTO_BAD_ENCODING');
    const mixed = Uint8Array.from(params);
    mixed.set(setup(seededRandom('other')).params.subarray(200, 296), 200);
    expect(codeOf(() => decodePublicParams(mixed))).toBe('CRYPTO_INCONSISTENT_PARAMS');
  });

  it('extract refuses a master secret of other parameters', () => {
    const pp = decodePublicParams(params);
    expect(() => extractSigningKey(pp, setup(seededRandom('other')).masterSecret, mmsiIdentity(1, 1))).toThrow(
      KeyMismatchError,
    );
  });
});
