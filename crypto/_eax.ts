/**
 * EAX authenticated encryption (Bellare–Rogaway–Wagner, FSE 2004; ISO/IEC 19772:2009 mode 5; ANSI C12.22) over
 * AES from @noble/ciphers: N' = OMAC⁰(N), H' = OMAC¹(H), C = CTR_{N'}(M), T = (N' ⊕ H' ⊕ OMAC²(C))[0..τ),
 * with OMAC^t(X) = CMAC([t]₁₂₈ ‖ X) (RFC 4493 CMAC). EAX is defined for any tag length τ ≤ 16 with the
 * forgery bound q_v/2^(8τ) + PRP terms, which is why it is used for the short-tag group channel (group-aead.ts).
 */
import { cmac, ctr } from '@noble/ciphers/aes.js';
import { AeadAuthError, CryptoDecodeError } from './errors.js';
import { concatBytes, equalBytes } from './_utils.js';

function omac(key: Uint8Array, t: number, x: Uint8Array): Uint8Array {
  const block = new Uint8Array(16);
  block[15] = t;
  return cmac(concatBytes(block, x), key);
}

function tagOf(key: Uint8Array, n1: Uint8Array, header: Uint8Array, c: Uint8Array, tagLength: number): Uint8Array {
  const h1 = omac(key, 1, header);
  const c1 = omac(key, 2, c);
  const t = new Uint8Array(tagLength);
  for (let i = 0; i < tagLength; i++) t[i] = (n1[i] as number) ^ (h1[i] as number) ^ (c1[i] as number);
  return t;
}

/** C ‖ T. */
export function eaxSeal(key: Uint8Array, nonce: Uint8Array, header: Uint8Array, msg: Uint8Array, tagLength: number) {
  const n1 = omac(key, 0, nonce);
  const c = ctr(key, Uint8Array.from(n1)).encrypt(msg);
  return concatBytes(c, tagOf(key, n1, header, c, tagLength));
}

/** M, or AeadAuthError before any plaintext is produced. */
export function eaxOpen(key: Uint8Array, nonce: Uint8Array, header: Uint8Array, sealed: Uint8Array, tagLength: number) {
  if (sealed.length < tagLength)
    throw new CryptoDecodeError('CRYPTO_BAD_LENGTH', `sealed message shorter than its ${tagLength}-byte tag`);
  const c = sealed.subarray(0, sealed.length - tagLength);
  const n1 = omac(key, 0, nonce);
  if (!equalBytes(tagOf(key, n1, header, c, tagLength), sealed.subarray(sealed.length - tagLength)))
    throw new AeadAuthError();
  return ctr(key, Uint8Array.from(n1)).decrypt(c);
}
