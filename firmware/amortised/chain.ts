/**
 * One-way key chain (TESLA, Perrig et al. 2002 §2; RFC 4082 §3.2): K_{i−1} = F_i(K_i), generated backwards from a
 * random seed, used forwards. Anybody can hash a disclosed key down to one they already trust; nobody can go up.
 *
 * F_i(K) = SHA-256("mibc-ais/v1/tesla-chain" ‖ MMSI ‖ gen ‖ salt ‖ i ‖ K) truncated to the key length. Putting the
 * sender, a random per-chain salt (published in the anchor) and the interval index into F makes every step of every
 * chain a separate target: no multi-target gain, and no time–memory table can be built before the chain's anchor is
 * on air.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { abytes, aint, concatBytes, equalBytes, u32be, utf8 } from './_bytes.js';
import { AmortisedError, AmortisedErrorCode } from './errors.js';

const CHAIN_DST = utf8('mibc-ais/v1/tesla-chain');
const SEED_DST = utf8('mibc-ais/v1/tesla-seed');
const SALT_DST = utf8('mibc-ais/v1/tesla-salt');
export const CHAIN_SALT_BYTES = 8;

/** Longest chain a sender builds (a day of 10-s intervals, 86 KB of 10-byte keys). */
export const MAX_CHAIN_LENGTH = 8640;

export interface ChainId {
  readonly mmsi: number;
  /** Generation bit: consecutive chains of one sender alternate 0/1 so batches say which chain they use. */
  readonly gen: 0 | 1;
  readonly keyBytes: number;
  /** Random per chain (derived from the seed), sent in every anchor. */
  readonly salt: Uint8Array;
}

/** F_i: from K_i to K_{i−1}. */
export function chainStep(id: ChainId, index: number, key: Uint8Array): Uint8Array {
  return sha256(concatBytes(CHAIN_DST, u32be(id.mmsi), Uint8Array.of(id.gen), id.salt, u32be(index), key)).subarray(
    0,
    id.keyBytes,
  );
}

/** K_to from K_from (from ≥ to) by hashing down; throws when more than `maxSteps` steps would be needed. */
export function deriveKey(id: ChainId, fromIndex: number, key: Uint8Array, toIndex: number, maxSteps: number): Uint8Array {
  const steps = fromIndex - toIndex;
  if (steps < 0 || steps > maxSteps) {
    throw new AmortisedError(AmortisedErrorCode.Chain, `cannot derive K_${toIndex} from K_${fromIndex} in ≤ ${maxSteps} steps`);
  }
  let k = key;
  for (let i = fromIndex; i > toIndex; i--) k = chainStep(id, i, k);
  return k;
}

/**
 * Is `key` the chain key of interval `index`, given a trusted key of an earlier interval?
 * Returns false for a wrong key or a gap beyond `maxSteps` (bounded work per disclosed key).
 */
export function verifyDisclosedKey(
  id: ChainId,
  index: number,
  key: Uint8Array,
  trusted: { readonly index: number; readonly key: Uint8Array },
  maxSteps: number,
): boolean {
  if (key.length !== id.keyBytes) return false;
  const steps = index - trusted.index;
  if (steps < 1 || steps > maxSteps) return false;
  return equalBytes(deriveKey(id, index, key, trusted.index, maxSteps), trusted.key);
}

/** A sender's chain: keys for intervals [start, start + length), plus the commitment K_{start−1}, never used for tags. */
export class KeyChain {
  readonly id: ChainId;
  readonly start: number;
  readonly length: number;
  readonly #keys: Uint8Array[];

  private constructor(id: ChainId, start: number, keys: Uint8Array[]) {
    this.id = id;
    this.start = start;
    this.length = keys.length - 1;
    this.#keys = keys;
  }

  /** Builds the chain from a 32-byte random seed (from the injected RNG); the seed itself never goes on air. */
  static generate(base: Omit<ChainId, 'salt'>, seed: Uint8Array, start: number, length: number): KeyChain {
    abytes(seed, 'seed', 32);
    const id: ChainId = { ...base, salt: sha256(concatBytes(SALT_DST, seed)).slice(0, CHAIN_SALT_BYTES) };
    aint(length, 'length', 1, MAX_CHAIN_LENGTH);
    aint(start, 'start', 1, 0xffffffff - length);
    const keys = new Array<Uint8Array>(length + 1);
    let k = sha256(concatBytes(SEED_DST, seed)).subarray(0, id.keyBytes);
    for (let i = start + length - 1; i >= start - 1; i--) {
      keys[i - (start - 1)] = k;
      k = chainStep(id, i, k);
    }
    return new KeyChain(id, start, keys);
  }

  get end(): number {
    return this.start + this.length;
  }

  covers(index: number): boolean {
    return index >= this.start && index < this.end;
  }

  /** K_index for start−1 ≤ index < end. */
  key(index: number): Uint8Array {
    const k = this.#keys[index - (this.start - 1)];
    if (k === undefined) throw new RangeError(`interval ${index} outside chain [${this.start - 1}, ${this.end})`);
    return k;
  }

  /** Overwrites the keys: called when the chain is retired. */
  wipe(): void {
    for (const k of this.#keys) k.fill(0);
  }
}
