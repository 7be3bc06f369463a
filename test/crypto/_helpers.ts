/** Deterministic randomness and small utilities shared by the crypto tests and the vector generator. */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { createRng } from '../../bench/sim/rng.js';

/** A reproducible RandomSource: SHA-256(label ‖ counter) blocks. For tests and KATs only. */
export function seededRandom(label: string): (n: number) => Uint8Array {
  let counter = 0;
  const seed = utf8ToBytes(label);
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 32) {
      const block = sha256(concatBytes(seed, Uint8Array.of(counter >>> 24, counter >>> 16, counter >>> 8, counter)));
      counter++;
      out.set(block.subarray(0, Math.min(32, n - off)), off);
    }
    return out;
  };
}

/** A seeded PRNG for choosing tamper positions reproducibly (the bench's, so there is one in the project). */
export function prng(seed: number): () => number {
  const r = createRng(seed);
  return () => r.next();
}

export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[bit >> 3] = (out[bit >> 3] as number) ^ (1 << (bit & 7));
  return out;
}
