/**
 * Time and replay rules of the envelope (docs/envelope.md §2–3): a body carries its UTC second modulo 2^bits (10–12
 * for signed, mode-4 and mode-5 bodies); the receiver restores the full second from its own GNSS-disciplined clock, rejects what
 * lies outside the freshness window as STALE (too old) or FUTURE (ahead of its clock) before any pairing is spent, and
 * remembers what it accepted inside the window.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { EnvelopeError } from './errors.js';

/** The residue the sender carries: its UTC second modulo 2^bits (6 bits: the t6 of kinds 5 and 6). */
export function timeResidue(utcSecond: number, bits = 6): number {
  const m = 2 ** bits;
  return ((utcSecond % m) + m) % m;
}

/**
 * How far ahead of the receiver's clock a residue is read as future: genuine traffic arrives late, never early, so
 * most of the range looks into the past (a 12-bit residue reads back 3839 s, a 10-bit one 767 s) and ahead only far
 * enough to name a clock that runs ahead as FUTURE. 6-bit residues keep their symmetric ±32 s.
 */
export function futureHorizon(bits: number): number {
  return Math.min(2 ** bits / 2, 256);
}

/** The UTC second with this residue in (now − 2^bits + horizon, now + horizon]. */
export function reconstructSecond(residue: number, bits: number, nowSecond: number): number {
  const m = 2 ** bits;
  if (!Number.isInteger(residue) || residue < 0 || residue >= m) throw new RangeError(`time residue must be 0..${m - 1}, got ${residue}`);
  let delta = (residue - timeResidue(nowSecond, bits) + m) % m;
  if (delta > futureHorizon(bits)) delta -= m;
  return nowSecond + delta;
}

export interface ReplayGuardOptions {
  /** Accept messages whose second lies within ± this many seconds of the receiver's clock. Below 32: 6-bit residues. */
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
    if (!(w >= 0 && w < 32)) throw new RangeError(`freshnessWindowS must be 0..31, got ${w}`);
    if (!Number.isInteger(this.options.maxEntries) || this.options.maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  get size(): number {
    return this.seen.size;
  }

  /**
   * Throws STALE when `second` lies more than the window before the receiver's clock, FUTURE when it lies more than
   * the window after it. Call before spending a pairing on the message.
   */
  checkFresh(second: number, nowSecond: number): void {
    const age = nowSecond - second;
    const w = this.options.freshnessWindowS;
    if (age > w) throw new EnvelopeError('STALE', `message time ${second} is ${age} s old (window ±${w} s)`);
    if (-age > w) throw new EnvelopeError('FUTURE', `message time ${second} is ${-age} s ahead of this receiver's clock (window ±${w} s)`);
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
