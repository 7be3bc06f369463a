/** Small byte helpers shared by the crypto files (noble-style asserts that return their value). */
import { isBytes } from '@noble/hashes/utils.js';

/** Asserts `x` is a Uint8Array (of one of `lengths`, if given) and returns it; misuse → TypeError/RangeError. */
export function abytes(x: unknown, title: string, ...lengths: number[]): Uint8Array {
  if (!isBytes(x)) throw new TypeError(`${title}: expected Uint8Array, got ${typeof x}`);
  if (lengths.length > 0 && !lengths.includes(x.length))
    throw new RangeError(`${title}: expected ${lengths.join(' or ')} bytes, got ${x.length}`);
  return x;
}

/** Asserts an unsigned integer in [0, max] and returns it. */
export function auint(n: unknown, max: number, title: string): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new TypeError(`${title}: expected an integer`);
  if (n < 0 || n > max) throw new RangeError(`${title}: ${n} outside 0..${max}`);
  return n;
}

/**
 * Big-endian unsigned integer of `len` bytes (len ≤ 6 keeps it within Number's safe range): the one writer of the
 * wire's multi-byte integers (UTC seconds as u40 in the mode-5 nonce, as u48 in the signed strings and the permit).
 * Bits above `len` bytes are dropped; callers that must refuse them check the range first.
 */
export function uintBE(n: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let v = n;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

/** Constant-time equality for equal-length secrets/tags; lengths are public. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

export { concatBytes, randomBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';

/** Source of randomness, injectable for KATs (STYLE.md guideline 8). */
export type RandomSource = (n: number) => Uint8Array;
