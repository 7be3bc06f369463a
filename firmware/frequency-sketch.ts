/**
 * Approximate frequency of keys seen recently: a count-min sketch with periodic halving, the admission filter of
 * TinyLFU (Einziger, Friedman & Manes, "TinyLFU: A Highly Efficient Cache Admission Policy", ACM ToS 2017). The
 * receiver's verifier cache asks it whether a newcomer has been heard more often than the entry it would evict,
 * so a sweep of ships heard once cannot push out the ones heard all the time.
 *
 * Hand-written: no kept library offers a count-min sketch with TinyLFU's reset. Memory: 4 rows of one byte per
 * counter, `width` ≥ 4 × the cache's capacity, so about 16 bytes per cache entry.
 */

const DEPTH = 4;
/** Counters saturate here (TinyLFU's 4-bit counters); the estimate only has to rank keys. */
const MAX_COUNT = 15;

/** Odd multipliers that spread one 32-bit hash over the rows (multiply-shift hashing, one per row). */
const ROW_MULTIPLIERS = [0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f] as const;

export class FrequencySketch {
  private readonly table: Uint8Array;
  private readonly width: number;
  private readonly shift: number;
  /** Per-instance seed, so an attacker cannot choose MMSIs that collide with a regular's counters in advance. */
  private readonly seed: number;
  /** Increments since the last halving; at `sampleSize` every counter halves so old popularity fades. */
  private additions = 0;
  readonly sampleSize: number;

  constructor(capacity: number, seed = crypto.getRandomValues(new Uint32Array(1))[0]!) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('sketch capacity must be a positive integer');
    let bits = 6;
    while (2 ** bits < 4 * capacity) bits++;
    this.width = 2 ** bits;
    this.shift = 32 - bits;
    this.table = new Uint8Array(DEPTH * this.width);
    this.sampleSize = 10 * capacity;
    this.seed = seed >>> 0;
  }

  get bytes(): number {
    return this.table.byteLength;
  }

  /** Counts one sighting of `key` and returns its estimated frequency, this sighting included. */
  increment(key: string): number {
    const h = this.hash(key);
    let min = MAX_COUNT;
    for (let row = 0; row < DEPTH; row++) {
      const at = this.index(h, row);
      const c = this.table[at]!;
      if (c < MAX_COUNT) this.table[at] = c + 1;
      min = Math.min(min, c + 1);
    }
    if (++this.additions >= this.sampleSize) this.halve();
    return min;
  }

  estimate(key: string): number {
    const h = this.hash(key);
    let min = MAX_COUNT;
    for (let row = 0; row < DEPTH; row++) min = Math.min(min, this.table[this.index(h, row)]!);
    return min;
  }

  private index(h: number, row: number): number {
    return row * this.width + (Math.imul(h, ROW_MULTIPLIERS[row]!) >>> this.shift);
  }

  private halve(): void {
    for (let i = 0; i < this.table.length; i++) this.table[i] = this.table[i]! >> 1;
    this.additions = 0;
  }

  /** Seeded FNV-1a with murmur3's finaliser, so every output bit depends on every input bit. */
  private hash(key: string): number {
    let h = 0x811c9dc5 ^ this.seed;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) | 0;
  }
}
