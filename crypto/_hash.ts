/**
 * Hash functions of the mIBC (paper §4.1 "H1…H5"), all built on RFC 9380 §5.3.1 expand_message_xmd with SHA-256
 * and one domain-separation tag per use (RFC 9380 §3.1), so no output of one role can be replayed in another.
 * Scalars are hash_to_field-style: 48 bytes (L = ceil((255 + 128)/8)) reduced mod r, bias ≤ 2^-128 (§5.2) — never
 * mcl's setHashOf/setByCSPRNG, which are biased (pairing-crypto.md §1 quirks 3–4).
 */
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { frFromBE, type Fr } from './_mcl.js';

const PREFIX = 'MIBC-AIS-V1_BLS12381_XMD:SHA-256_';

/** Domain-separation tags, one per role. Changing any of them is a new suite (and a new params version). */
export const DST = {
  /** H1 for signing identities (SKs ∈ G1). */
  h1Sign: PREFIX + 'H1-SIGN_',
  /** H1 for decryption identities (SKd ∈ G2): distinct from h1Sign so the two key families never share a scalar. */
  h1Decrypt: PREFIX + 'H1-DECRYPT_',
  /** BLMQ challenge H2, full length (reduced mod r, 32 bytes on the wire). */
  h2Full: PREFIX + 'H2-FULL_',
  /** BLMQ challenge H2, compact 128-bit form. */
  h2Compact: PREFIX + 'H2-COMPACT_',
  /** Hedged BLMQ nonce r. */
  nonce: PREFIX + 'NONCE_',
  /** SK-KEM r = H(m ‖ ID) (paper's H4, RFC 6508 §6.2.1 step 2). */
  kemR: PREFIX + 'KEM-R_',
  /** SK-KEM mask H(g^r) for m (paper's H3, RFC 6508 §6.2.1 step 4). */
  kemMask: PREFIX + 'KEM-MASK_',
  /** SK-KEM key derivation K = KDF(m ‖ U ‖ ID). */
  kemKdf: PREFIX + 'KEM-KDF_',
  /** Master secret from seed material. */
  master: PREFIX + 'MASTER_',
} as const;

export function xmd(msg: Uint8Array, dst: string, len: number): Uint8Array {
  return expand_message_xmd(msg, dst, len, sha256);
}

/** hash_to_field(msg, 1) for Fr: 48 uniform bytes reduced mod r. */
export function hashToFr(msg: Uint8Array, dst: string): Fr {
  return frFromBE(xmd(msg, dst, 48));
}

export { sha256 };
