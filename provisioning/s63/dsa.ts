/**
 * DSA signature verification (FIPS 186-2 §6; S-63 §6.1 uses 512-bit p, 160-bit q and SHA-1).
 * Written by hand with bigint because no maintained JavaScript library offers DSA: @noble/curves does elliptic
 * curves only, and Node's OpenSSL 3 refuses 512-bit DSA keys at its default security level. Verification needs
 * only public values, so a non-constant-time modular exponentiation is acceptable here; this module never signs.
 */
import { sha1 } from '@noble/hashes/legacy.js';

export interface DsaPublicKey {
  readonly p: bigint;
  readonly q: bigint;
  readonly g: bigint;
  readonly y: bigint;
}

export interface DsaSignature {
  readonly r: bigint;
  readonly s: bigint;
}

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
  }
  return result;
}

/** Modular inverse by the extended Euclidean algorithm; q is prime, so it exists for 0 < a < q. */
export function modInv(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const k = r0 / r1;
    [r0, r1] = [r1, r0 - k * r1];
    [s0, s1] = [s1, s0 - k * s1];
  }
  if (r0 !== 1n) throw new RangeError('not invertible');
  return mod(s0, m);
}

export function bytesToBigint(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/**
 * FIPS 186-2 verification over SHA-1(message). Returns false for any well-formed but invalid signature,
 * including r or s outside (0, q) and parameters that are not a DSA group (g outside (1, p), y outside (1, p)).
 */
export function dsaVerifySha1(key: DsaPublicKey, message: Uint8Array, sig: DsaSignature): boolean {
  const { p, q, g, y } = key;
  const { r, s } = sig;
  if (p <= 3n || q <= 1n || g <= 1n || g >= p || y <= 1n || y >= p) return false;
  if (r <= 0n || r >= q || s <= 0n || s >= q) return false;
  // SHA-1 output is 160 bits = |q|, so the leftmost-N-bits rule of FIPS 186 takes the whole digest.
  const h = bytesToBigint(sha1(message));
  const w = modInv(s, q);
  const u1 = mod(h * w, q);
  const u2 = mod(r * w, q);
  const v = mod((modPow(g, u1, p) * modPow(y, u2, p)) % p, q);
  return v === r;
}
