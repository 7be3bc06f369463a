/**
 * 10 000 random tamperings of signed and encapsulated data, zero accepted. Budget on a 2-core CI: a tampered S or
 * U almost always fails in decoding (≈0.3 ms, off-curve or outside the subgroup); a tampered h, message or V costs
 * a full verification/decapsulation (≈3.5 ms), so those are ~30 % of the draw — about 10 s in all here.
 */
import { describe, expect, it } from 'vitest';
import {
  CryptoDecodeError, encapsulate, KemRejectedError, prepareDecryptor, prepareVerifier, sign,
} from '../../crypto/index.js';
import { alice, aliceDk, aliceSk, pp, report } from './_fixture.js';
import { prng, seededRandom } from './_helpers.js';

const TAMPERINGS = 10_000;

function tamper(rand: () => number, x: Uint8Array): Uint8Array {
  const kind = rand();
  if (kind < 0.08) {
    // length change: drop or append bytes
    const n = 1 + Math.floor(rand() * 4);
    return rand() < 0.5 ? x.subarray(0, Math.max(0, x.length - n)) : Uint8Array.from([...x, ...new Array(n).fill(0)]);
  }
  const out = Uint8Array.from(x);
  if (kind < 0.18) {
    const i = Math.floor(rand() * out.length);
    out[i] = ((out[i] as number) + 1 + Math.floor(rand() * 255)) & 0xff;
    return out;
  }
  const flips = 1 + Math.floor(rand() * 4);
  const bits = new Set<number>();
  while (bits.size < flips) bits.add(Math.floor(rand() * out.length * 8));
  for (const b of bits) out[b >> 3] = (out[b >> 3] as number) ^ (1 << (b & 7));
  return out;
}

describe('random tampering', () => {
  it(`rejects all of ${TAMPERINGS} tampered signatures, messages and KEM ciphertexts`, () => {
    const rand = prng(0x5eed_a15);
    const verifier = prepareVerifier(pp, alice);
    const decryptor = prepareDecryptor(pp, aliceDk, alice);
    const sigs = {
      full: sign(pp, aliceSk, alice, report, { form: 'full', random: seededRandom('t1') }),
      compact: sign(pp, aliceSk, alice, report, { form: 'compact', random: seededRandom('t2') }),
    };
    const { ciphertext } = encapsulate(pp, alice, seededRandom('t3'));
    const counts = { accepted: 0, false: 0, malformed: 0, kemRejected: 0 };
    for (let n = 0; n < TAMPERINGS; n++) {
      const form = rand() < 0.5 ? 'full' : 'compact';
      const target = rand();
      try {
        let ok: boolean;
        if (target < 0.62) ok = verifier.verify(report, tamper(rand, sigs[form]));
        else if (target < 0.72) ok = verifier.verify(tamper(rand, report), sigs[form]);
        else {
          decryptor.decapsulate(tamper(rand, ciphertext));
          ok = true;
        }
        if (ok) counts.accepted++;
        else counts.false++;
      } catch (e) {
        if (e instanceof KemRejectedError) counts.kemRejected++;
        else if (e instanceof CryptoDecodeError) counts.malformed++;
        else throw e;
      }
    }
    expect(counts.accepted).toBe(0);
    expect(counts.false + counts.malformed + counts.kemRejected).toBe(TAMPERINGS);
    expect(counts.false).toBeGreaterThan(0);
    expect(counts.kemRejected).toBeGreaterThan(0);
    decryptor.destroy();
    verifier.destroy();
    // Fixed work of ≈ 3 000 pairings: ≈ 10 s on an idle 2-core machine, several times that with both cores busy.
  }, 300_000);
});
