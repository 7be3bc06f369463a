import { describe, expect, it } from 'vitest';
import {
  checkSigningKey, CryptoDecodeError, KeyMismatchError, prepareSigner, prepareVerifier, sign, SIGNATURE_BYTES,
  verify, type ChallengeForm,
} from '../../crypto/index.js';
import { alice, aliceNextEpoch, aliceSk, bob, bobSk, pp, report } from './_fixture.js';
import { flipBit, seededRandom } from './_helpers.js';

const FORMS: ChallengeForm[] = ['full', 'compact'];

describe('extracted signing keys', () => {
  it('belong to their identity only', () => {
    expect(checkSigningKey(pp, alice, aliceSk)).toBe(true);
    expect(checkSigningKey(pp, bob, aliceSk)).toBe(false);
    expect(checkSigningKey(pp, aliceNextEpoch, aliceSk)).toBe(false);
  });
  it('prepareSigner refuses a key of another identity', () => {
    expect(() => prepareSigner(pp, bobSk, alice)).toThrow(KeyMismatchError);
  });
});

describe.each(FORMS)('BLMQ, %s challenge', (form) => {
  const sig = sign(pp, aliceSk, alice, report, { form });
  const verifier = prepareVerifier(pp, alice);
  const signer = prepareSigner(pp, aliceSk, alice);

  it(`signature is h ‖ S = ${SIGNATURE_BYTES[form]} bytes and verifies cold and cached`, () => {
    expect(sig.length).toBe(SIGNATURE_BYTES[form]);
    expect(verify(pp, alice, report, sig)).toBe(true);
    expect(verifier.verify(report, sig)).toBe(true);
    const sig2 = signer.sign(report, { form });
    expect(verify(pp, alice, report, sig2)).toBe(true);
    expect(verifier.verify(report, sig2)).toBe(true);
  });

  it('nonces are hedged: fresh randomness gives fresh signatures, fixed randomness is deterministic', () => {
    expect(signer.sign(report, { form })).not.toEqual(signer.sign(report, { form }));
    const a = sign(pp, aliceSk, alice, report, { form, random: seededRandom('n') });
    const b = signer.sign(report, { form, random: seededRandom('n') });
    expect(a).toEqual(b);
  });

  it('rejects wrong identity, wrong epoch and a swapped sender', () => {
    expect(verify(pp, bob, report, sig)).toBe(false);
    expect(verify(pp, aliceNextEpoch, report, sig)).toBe(false);
    expect(prepareVerifier(pp, bob).verify(report, sig)).toBe(false);
    const bobSig = sign(pp, bobSk, bob, report, { form });
    expect(verify(pp, alice, report, bobSig)).toBe(false);
    expect(verifier.verify(report, bobSig)).toBe(false);
  });

  it('rejects every single-bit flip of the message', () => {
    for (let bit = 0; bit < report.length * 8; bit++)
      expect(verifier.verify(flipBit(report, bit), sig), `bit ${bit}`).toBe(false);
    expect(verifier.verify(report.subarray(0, 20), sig)).toBe(false);
  });

  it('rejects every single-bit flip of h and S (false, or a typed decode error)', () => {
    let decodeErrors = 0;
    for (let bit = 0; bit < sig.length * 8; bit++) {
      const bad = flipBit(sig, bit);
      try {
        expect(verifier.verify(report, bad), `bit ${bit}`).toBe(false);
      } catch (e) {
        expect(e).toBeInstanceOf(CryptoDecodeError);
        decodeErrors++;
      }
    }
    expect(decodeErrors).toBeGreaterThan(0);
  });

  it('throws typed errors for malformed signatures', () => {
    const code = (s: Uint8Array) => {
      try {
        verify(pp, alice, report, s);
      } catch (e) {
        expect(e).toBeInstanceOf(CryptoDecodeError);
        return (e as CryptoDecodeError).code;
      }
      return 'accepted';
    };
    const hl = form === 'full' ? 32 : 16;
    expect(code(sig.subarray(0, sig.length - 1))).toBe('CRYPTO_BAD_LENGTH');
    const inf = Uint8Array.from(sig);
    inf.fill(0, hl);
    inf[hl] = 0xc0;
    expect(code(inf)).toBe('CRYPTO_IDENTITY_ELEMENT');
    if (form === 'full') {
      const big = Uint8Array.from(sig);
      big.fill(0xff, 0, 32);
      expect(code(big)).toBe('CRYPTO_SCALAR_RANGE');
    }
    expect(() => verify(pp, alice, report, 'x' as never)).toThrow(TypeError);
  });

  it('a signature of one form never verifies as the other', () => {
    const other = sign(pp, aliceSk, alice, report, { form: form === 'full' ? 'compact' : 'full' });
    const spliced = form === 'full' ? other.subarray(16) : other.subarray(0, 16 + 48);
    expect(() => verify(pp, alice, report, spliced)).not.toThrow(TypeError);
    let ok: boolean;
    try {
      ok = verify(pp, alice, report, spliced);
    } catch {
      ok = false;
    }
    expect(ok).toBe(false);
  });

  it('destroyed signer/verifier refuse to work', () => {
    const s = prepareSigner(pp, aliceSk, alice);
    s.destroy();
    expect(() => s.sign(report)).toThrow(TypeError);
    const v = prepareVerifier(pp, alice);
    v.destroy();
    expect(() => v.verify(report, sig)).toThrow(TypeError);
  });
});
