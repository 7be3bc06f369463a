/**
 * Key extraction by the PKG (paper §4.2; Sakai–Kasahara key construction as in IEEE 1363.3 and RFC 6508 §6.1.1),
 * Type-3 form fixed in DESIGN.md §3:
 *
 *   SKs = (H1s(ID) + s)^-1 · P1 ∈ G1   (BLMQ signing key, 48 B)
 *   SKd = (H1d(ID) + s)^-1 · P2 ∈ G2   (SK-KEM decryption key, 96 B)
 *
 * H1s and H1d use different DSTs, so the signing and decryption key of one identity are unrelated scalars of
 * the same master key (pairing-crypto.md §5.2: sharing s across BLMQ and SK-KEM is not covered by either proof;
 * distinct hash domains keep the two oracles independent in the random-oracle model).
 * The PKG runs offline; mcl's inversion and multiplication are variable-time (pairing-crypto.md §5.4).
 */
import { KeyMismatchError } from './errors.js';
import { DST, hashToFr } from './_hash.js';
import { decodeG1, decodeG2, mcl, type Fr } from './_mcl.js';
import { masterFor, type PublicParams } from './params.js';
import { abytes } from './_utils.js';

export const SIGNING_KEY_BYTES = 48;
export const DECRYPTION_KEY_BYTES = 96;

/** @internal H1 for signing identities. */
export function h1Sign(id: Uint8Array): Fr {
  return hashToFr(id, DST.h1Sign);
}
/** @internal H1 for decryption identities. */
export function h1Decrypt(id: Uint8Array): Fr {
  return hashToFr(id, DST.h1Decrypt);
}

function invertedSum(h: Fr, s: Fr): Fr {
  const t = mcl.add(h, s);
  // H1(ID) = −s would make the key O and reveal s; probability 2^-255, but never issue such a key.
  if (t.isZero()) throw new KeyMismatchError('identity hashes to −s; refusing to extract');
  const inv = mcl.inv(t);
  t.clear();
  return inv;
}

/** Signing key SKs ∈ G1 (48 bytes) for canonical identity bytes (identity.ts). */
export function extractSigningKey(pp: PublicParams, masterSecret: Uint8Array, identity: Uint8Array): Uint8Array {
  abytes(identity, 'identity');
  const s = masterFor(pp, masterSecret);
  const k = invertedSum(h1Sign(identity), s);
  const out = mcl.mul(pp.P1, k).serialize();
  s.clear();
  k.clear();
  return out;
}

/** Decryption key SKd ∈ G2 (96 bytes) for canonical identity bytes. */
export function extractDecryptionKey(pp: PublicParams, masterSecret: Uint8Array, identity: Uint8Array): Uint8Array {
  abytes(identity, 'identity');
  const s = masterFor(pp, masterSecret);
  const k = invertedSum(h1Decrypt(identity), s);
  const out = mcl.mul(pp.P2, k).serialize();
  s.clear();
  k.clear();
  return out;
}

/** True iff SKs is the signing key of `identity` under `pp`: e(SKs, H1s(ID)·P2 + s·P2) = g. Throws on malformed. */
export function checkSigningKey(pp: PublicParams, identity: Uint8Array, signingKey: Uint8Array): boolean {
  abytes(identity, 'identity');
  const sk = decodeG1(abytes(signingKey, 'signing key'), 'signing key');
  const q = mcl.add(mcl.mul(pp.P2, h1Sign(identity)), pp.sP2);
  return mcl.pairing(sk, q).isEqual(pp.g);
}

/** True iff SKd is the decryption key of `identity`: e(H1d(ID)·P1 + s·P1, SKd) = g. Throws on malformed. */
export function checkDecryptionKey(pp: PublicParams, identity: Uint8Array, decryptionKey: Uint8Array): boolean {
  abytes(identity, 'identity');
  const sk = decodeG2(abytes(decryptionKey, 'decryption key'), 'decryption key');
  const q = mcl.add(mcl.mul(pp.P1, h1Decrypt(identity)), pp.sP1);
  return mcl.pairing(q, sk).isEqual(pp.g);
}
