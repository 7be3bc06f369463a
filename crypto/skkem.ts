/**
 * SK-KEM (Sakai–Kasahara identity-based KEM; IEEE 1363.3 SK-KEM; RFC 6508 §6.2 SAKKE shape; paper §4.3.2 mode 4),
 * used to hand a 128-bit group key to one vessel. Type-3 form of DESIGN.md §3, receiver key SKd ∈ G2:
 *
 *   encapsulate: m ← {0,1}^128, r = H3(m ‖ PP ‖ ID)            (RFC 6508 §6.2.1 steps 1–2)
 *                U = [r](H1d(ID)·P1 + s·P1) ∈ G1                 (step 3)
 *                V = m ⊕ H4(g^r)                                  (step 4; g^r = e(U, SKd))
 *                K = KDF(m ‖ U ‖ PP ‖ ID), 16 bytes               ciphertext U ‖ V = 48 + 16 = 64 bytes
 *   decapsulate: w = e(U, SKd), m = V ⊕ H4(w), r = H3(m ‖ PP ‖ ID), accept iff U = [r](H1d(ID)·P1 + s·P1)
 *
 * The re-encryption check is the Fujisaki–Okamoto step of Chen–Cheng–Malone-Lee–Smart (IEE Proc. Inf. Sec. 153(1),
 * 2006) that makes the KEM CCA-secure under q-BDHI in the random-oracle model. U is the only group element on the
 * wire; the paper's third component W (AIS data ⊕ H5(σ)) is replaced by the caller's AEAD under K (KEM–DEM).
 * SK-KEM does not authenticate the sender (anyone can encapsulate to an MMSI): a group key sent in mode 4 must also
 * be BLMQ-signed (DESIGN.md §3, pairing-crypto.md §5.7).
 */
import { CryptoDecodeError, KemRejectedError, KeyMismatchError } from './errors.js';
import { h1Decrypt } from './extract.js';
import { DST, hashToFr, xmd } from './_hash.js';
import {
  decodeG1, decodeG2, encodeGT, frToBytes, G1_BYTES, HeldLines, mcl, type Fr, type G1, type GT,
} from './_mcl.js';
import type { PublicParams } from './params.js';
import { abytes, concatBytes, equalBytes, randomBytes, uintBE, type RandomSource } from './_utils.js';

export const KEM_KEY_BYTES = 16;
export const KEM_CIPHERTEXT_BYTES = G1_BYTES + 16;

const idBlock = (pp: PublicParams, id: Uint8Array) => concatBytes(pp.fingerprint, uintBE(id.length, 2), id);

/** U = [r](H1d·P1 + s·P1) as [r·H1d]P1 + [r]s·P1 from the two fixed-base tables (no variable-base multiply). */
function kemPoint(pp: PublicParams, r: Fr, h1: Fr): G1 {
  const rh = frToBytes(mcl.mul(r, h1));
  const rb = frToBytes(r);
  const U = mcl.add(pp.P1Comb.pow(rh), pp.sP1Comb.pow(rb));
  rh.fill(0);
  rb.fill(0);
  return U;
}

const xor16 = (a: Uint8Array, b: Uint8Array) => a.map((x, i) => x ^ (b[i] as number));

/** Encapsulates a fresh 128-bit key to canonical identity bytes; returns the key and the 64-byte ciphertext. */
export function encapsulate(
  pp: PublicParams, identity: Uint8Array, random: RandomSource = randomBytes,
): { key: Uint8Array; ciphertext: Uint8Array } {
  abytes(identity, 'identity');
  const block = idBlock(pp, identity);
  const h1 = h1Decrypt(identity);
  for (;;) {
    const m = abytes(random(16), 'random(16)', 16);
    const r = hashToFr(concatBytes(m, block), DST.kemR);
    const U = kemPoint(pp, r, h1);
    // r = 0 or H1d(ID) = −s gives U = O, which decapsulation rejects; draw again (probability 2^-255).
    if (U.isZero()) continue;
    const rb = frToBytes(r);
    const mask = xmd(encodeGT(pp.gComb.pow(rb)), DST.kemMask, 16);
    rb.fill(0);
    r.clear();
    const Ub = U.serialize();
    const key = xmd(concatBytes(m, Ub, block), DST.kemKdf, KEM_KEY_BYTES);
    const ciphertext = concatBytes(Ub, xor16(m, mask));
    m.fill(0);
    return { key, ciphertext };
  }
}

function decapsulateWith(
  pp: PublicParams, pairWithKey: (U: G1) => GT, id: Uint8Array, h1: Fr,
  ciphertext: Uint8Array,
): Uint8Array {
  abytes(ciphertext, 'KEM ciphertext');
  if (ciphertext.length !== KEM_CIPHERTEXT_BYTES)
    throw new CryptoDecodeError(
      'CRYPTO_BAD_LENGTH', `KEM ciphertext: expected ${KEM_CIPHERTEXT_BYTES} bytes, got ${ciphertext.length}`,
    );
  const Ub = ciphertext.subarray(0, G1_BYTES);
  const U = decodeG1(Ub, 'KEM ciphertext U');
  const m = xor16(ciphertext.subarray(G1_BYTES), xmd(encodeGT(pairWithKey(U)), DST.kemMask, 16));
  const block = idBlock(pp, id);
  const r = hashToFr(concatBytes(m, block), DST.kemR);
  const ok = equalBytes(kemPoint(pp, r, h1).serialize(), Ub);
  r.clear();
  if (!ok) {
    m.fill(0);
    throw new KemRejectedError();
  }
  const key = xmd(concatBytes(m, Ub, block), DST.kemKdf, KEM_KEY_BYTES);
  m.fill(0);
  return key;
}

/**
 * Recovers the 128-bit key. Throws CryptoDecodeError for a malformed ciphertext (length, U off-curve, outside G1,
 * O or non-canonical) and KemRejectedError when the re-encryption check fails (wrong key, identity or epoch, or
 * any tampering).
 */
export function decapsulate(
  pp: PublicParams, decryptionKey: Uint8Array, identity: Uint8Array, ciphertext: Uint8Array,
): Uint8Array {
  abytes(decryptionKey, 'decryption key', 96);
  abytes(identity, 'identity');
  const sk = decodeG2(decryptionKey, 'decryption key');
  const key = decapsulateWith(pp, (U) => mcl.pairing(U, sk), identity, h1Decrypt(identity), ciphertext);
  sk.clear();
  return key;
}

/** A decryptor with SKd's Miller-loop lines precomputed (the appliance's own key, long-lived). */
export interface Decryptor {
  readonly identity: Uint8Array;
  decapsulate(ciphertext: Uint8Array): Uint8Array;
  destroy(): void;
}

/** Decodes SKd, checks it against the identity (KeyMismatchError otherwise) and precomputes its lines. */
export function prepareDecryptor(pp: PublicParams, decryptionKey: Uint8Array, identity: Uint8Array): Decryptor {
  abytes(decryptionKey, 'decryption key', 96);
  const id = Uint8Array.from(abytes(identity, 'identity'));
  const sk = decodeG2(decryptionKey, 'decryption key');
  const h1 = h1Decrypt(id);
  if (!mcl.pairing(mcl.add(mcl.mul(pp.P1, h1), pp.sP1), sk).isEqual(pp.g))
    throw new KeyMismatchError('decryption key does not belong to this identity and parameters');
  const holder: Decryptor = {
    identity: id,
    decapsulate(ciphertext) {
      const pre = lines.get('decryptor');
      return decapsulateWith(pp, (U) => mcl.finalExp(mcl.precomputedMillerLoop(U, pre)), id, h1, ciphertext);
    },
    destroy() {
      lines.release();
    },
  };
  const lines = new HeldLines(holder, sk);
  sk.clear();
  return holder;
}
