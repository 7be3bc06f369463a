import { describe, expect, it } from 'vitest';
import {
  checkDecryptionKey, CryptoDecodeError, decapsulate, encapsulate, KEM_CIPHERTEXT_BYTES, KEM_KEY_BYTES,
  KemRejectedError, KeyMismatchError, prepareDecryptor,
} from '../../crypto/index.js';
import { alice, aliceDk, aliceNextEpoch, bob, bobDk, pp } from './_fixture.js';
import { flipBit, seededRandom } from './_helpers.js';

const { key, ciphertext } = encapsulate(pp, alice);
const decryptor = prepareDecryptor(pp, aliceDk, alice);

const outcome = (f: () => Uint8Array): string => {
  try {
    f();
    return 'accepted';
  } catch (e) {
    if (e instanceof KemRejectedError) return 'rejected';
    if (e instanceof CryptoDecodeError) return 'malformed';
    throw e;
  }
};

describe('SK-KEM', () => {
  it('decryption keys belong to their identity only', () => {
    expect(checkDecryptionKey(pp, alice, aliceDk)).toBe(true);
    expect(checkDecryptionKey(pp, bob, aliceDk)).toBe(false);
    expect(() => prepareDecryptor(pp, bobDk, alice)).toThrow(KeyMismatchError);
  });

  it('produces a 128-bit key and a 64-byte ciphertext that the receiver decapsulates', () => {
    expect(key.length).toBe(KEM_KEY_BYTES);
    expect(ciphertext.length).toBe(KEM_CIPHERTEXT_BYTES);
    expect(decapsulate(pp, aliceDk, alice, ciphertext)).toEqual(key);
    expect(decryptor.decapsulate(ciphertext)).toEqual(key);
  });

  it('is deterministic under an injected RNG and fresh otherwise', () => {
    expect(encapsulate(pp, alice, seededRandom('k'))).toEqual(encapsulate(pp, alice, seededRandom('k')));
    expect(encapsulate(pp, alice).ciphertext).not.toEqual(ciphertext);
  });

  it('rejects wrong receiver, wrong epoch and the wrong key', () => {
    expect(outcome(() => decapsulate(pp, bobDk, bob, ciphertext))).toBe('rejected');
    expect(outcome(() => decapsulate(pp, aliceDk, aliceNextEpoch, ciphertext))).toBe('rejected');
    expect(outcome(() => decapsulate(pp, bobDk, alice, ciphertext))).toBe('rejected');
  });

  it('rejects every single-bit flip of U and V', () => {
    const seen = new Set<string>();
    for (let bit = 0; bit < ciphertext.length * 8; bit++) {
      const r = outcome(() => decryptor.decapsulate(flipBit(ciphertext, bit)));
      expect(r, `bit ${bit}`).not.toBe('accepted');
      seen.add(r);
    }
    expect(seen).toEqual(new Set(['rejected', 'malformed']));
  });

  it('throws typed errors for malformed ciphertexts', () => {
    expect(outcome(() => decryptor.decapsulate(ciphertext.subarray(0, 63)))).toBe('malformed');
    const inf = Uint8Array.from(ciphertext);
    inf.fill(0, 0, 48);
    inf[0] = 0xc0;
    expect(() => decryptor.decapsulate(inf)).toThrow(expect.objectContaining({ code: 'CRYPTO_IDENTITY_ELEMENT' }));
  });
});
