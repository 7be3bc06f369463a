/**
 * Time and replay rules of the envelope (docs/envelope.md §2–3): a body carries its UTC second modulo 64; the receiver
 * restores the full second nearest its own GNSS-disciplined clock, rejects what lies outside the freshness window and
 * remembers what it accepted inside it.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { EnvelopeError } from './errors.js';

export const TIME_MODULUS = 64;

/** The sender's residue of a UTC second, as carried in t6. */
export function timeResidue(utcSecond: number): number {
  return ((utcSecond % TIME_MODULUS) + TIME_MODULUS) % TIME_MODULUS;
}

/** The UTC second with residue `t6` nearest to `nowSecond` (ties go to the past). */
export function reconstructSecond(t6: number, nowSecond: number): number {
  if (!Number.isInteger(t6) || t6 < 0 || t6 >= TIME_MODULUS) throw new RangeError(`t6 must be 0..63, got ${t6}`);
  const base = nowSecond - timeResidue(nowSecond) + t6;
  const delta = base - nowSecond;
  if (delta > TIME_MODULUS / 2) return base - TIME_MODULUS;
  if (delta <= -TIME_MODULUS / 2) return base + TIME_MODULUS;
  return base;
}

export interface ReplayGuardOptions {
  /** Accept messages whose second lies within ± this many seconds of the receiver's clock. Must be < 32. */
  readonly freshnessWindowS: number;
  /** Entries remembered in all; the oldest go first when full (they are the first to leave the window anyway). */
  readonly maxEntries: number;
  /**
   * Messages dated before this UTC second are refused as REPLAY: the appliance's start-up barrier. The cache lives in
   * RAM, so after a restart it cannot tell what the previous run accepted; everything dated before the start (plus the
   * clock bound) may have been. After one freshness window the freshness check refuses those messages anyway.
   */
  readonly acceptFromSecond?: number | undefined;
}

export const DEFAULT_REPLAY_OPTIONS: ReplayGuardOptions = { freshnessWindowS: 30, maxEntries: 65_536 };

/** Rejects stale messages and second sightings of one message. */
export class ReplayGuard {
  readonly options: ReplayGuardOptions;
  /** key → second; insertion order is acceptance order. */
  private readonly seen = new Map<string, number>();

  constructor(options: Partial<ReplayGuardOptions> = {}) {
    this.options = { ...DEFAULT_REPLAY_OPTIONS, ...options };
    const w = this.options.freshnessWindowS;
    if (!(w >= 0 && w < TIME_MODULUS / 2)) throw new RangeError(`freshnessWindowS must be 0..31, got ${w}`);
    if (!Number.isInteger(this.options.maxEntries) || this.options.maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  get size(): number {
    return this.seen.size;
  }

  /** Throws STALE when `second` is outside the window. Call before spending a pairing on the message. */
  checkFresh(second: number, nowSecond: number): void {
    const age = nowSecond - second;
    if (Math.abs(age) > this.options.freshnessWindowS) {
      throw new EnvelopeError('STALE', `message time ${second} is ${age} s from this receiver's clock (window ±${this.options.freshnessWindowS} s)`);
    }
  }

  /**
   * Records an authentic message; throws REPLAY when the same (sender, kind, second, digest) was accepted before.
   * Call after verification, so that forgeries cannot fill the cache.
   */
  accept(sender: number, kind: number, second: number, digest: Uint8Array, nowSecond: number): void {
    const from = this.options.acceptFromSecond;
    if (from !== undefined && second < from) {
      throw new EnvelopeError('REPLAY', `message from ${sender} at second ${second} is dated before this receiver started (${from}); it may have been accepted before`);
    }
    this.prune(nowSecond);
    const key = `${sender}:${kind}:${second}:${bytesToHex(digest)}`;
    if (this.seen.has(key)) throw new EnvelopeError('REPLAY', `message from ${sender} at second ${second} was already accepted`);
    if (this.seen.size >= this.options.maxEntries) {
      const oldest = this.seen.keys().next().value as string;
      this.seen.delete(oldest);
    }
    this.seen.set(key, second);
  }

  private prune(nowSecond: number): void {
    const horizon = nowSecond - this.options.freshnessWindowS - 1;
    for (const [key, second] of this.seen) {
      if (second >= horizon) break;
      this.seen.delete(key);
    }
  }
}
