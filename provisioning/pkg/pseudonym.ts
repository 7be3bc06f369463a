/**
 * Pseudo-MMSIs (paper §4.3.1, mode 3 "mIBC-Anonymous-AIS"): numbers a vessel transmits under instead of its MMSI.
 * They must never be mistaken on air for a real station, so they come from a block that ITU-R M.585 does not
 * assign: 9-digit numbers starting "10", i.e. 100 000 000 … 109 999 999 (the argument is in docs/pkg.md: ship
 * MMSIs start with a MID digit 2–7, group/coast with 0, handhelds with 8, SART/MOB/EPIRB/AtoN/craft with 9, and
 * the only "1" form is SAR aircraft 111MIDxxx, which "10…" cannot match).
 * Within the block a pseudonym is drawn at random, not counted up, so consecutive pseudonyms of one vessel (or
 * one issuing day) cannot be linked by their numbers.
 */
import { PSEUDO_MMSI_MAX, PSEUDO_MMSI_MIN, isPseudoMmsi, type RandomSource } from '../../crypto/index.js';
import { PkgError } from './errors.js';

// The block lives in the one table of MMSI forms (crypto/mmsi.ts), which issuing checks against.
export { PSEUDO_MMSI_MAX, PSEUDO_MMSI_MIN, isPseudoMmsi };
const SPAN = PSEUDO_MMSI_MAX - PSEUDO_MMSI_MIN + 1;
/** Draws before giving up: with the block 99 % full the chance of 64 misses is 0.99^64 ≈ 53 %, at 50 % it is 5e-20. */
const MAX_DRAWS = 64;

/** A uniform draw from the block that is not in `used`. */
export function drawPseudoMmsi(used: ReadonlySet<number>, random: RandomSource): number {
  // Rejection sampling on 32 bits keeps the draw unbiased (2^32 is not a multiple of the span).
  const limit = Math.floor(2 ** 32 / SPAN) * SPAN;
  for (let i = 0; i < MAX_DRAWS; i++) {
    const b = random(4);
    const x = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    if (x >= limit) continue;
    const n = PSEUDO_MMSI_MIN + (x % SPAN);
    if (!used.has(n)) return n;
  }
  throw new PkgError('PKG_PSEUDONYM_EXHAUSTED', `no free pseudo-MMSI found in ${MAX_DRAWS} draws`);
}
