/**
 * Trusted time: whether the system clock is confirmed within the schemes' bound by a source the appliance trusts —
 * its own GNSS on the ship port (ZDA/RMC), never UTC heard on the air (message 4 is unauthenticated: anyone with a
 * transmitter can send it). Mode 5's nonces and the amortised scheme's safe-disclosure test (docs/amortised-auth.md
 * §5: the receiver's clock within δ = 2 s) depend on it, so the pipeline sends mode 5 and gives amortised `V` only
 * while this says trusted.
 *
 * - Trust is gained by `confirmSamples` consecutive references that agree with system UTC within `boundMs`.
 * - It is lost at once by one reference beyond the bound (`disagrees`), by a step of the system clock against the
 *   monotonic clock beyond the bound in either direction (`clock-stepped`: a backward step would let nonces and
 *   freshness repeat), or when no reference has confirmed it for `maxReferenceAgeMs` (`reference-lost`).
 * - It starts untrusted (`no-reference`): a clock is not trusted because the board booted with it.
 */
import { EventEmitter } from 'node:events';
import { DEFAULT_UTC_MAX_REFERENCE_AGE_MS, DEFAULT_UTC_TOLERANCE_MS, systemClock, type Clock } from './clock.js';

/** Two agreeing references in a row: one stray sentence neither grants trust nor (on its own) keeps it. */
export const DEFAULT_TRUST_CONFIRM_SAMPLES = 2;

export type TimeTrustReason = 'no-reference' | 'confirmed' | 'disagrees' | 'clock-stepped' | 'reference-lost';

export interface TimeTrustStatus {
  readonly trusted: boolean;
  readonly reason: TimeTrustReason;
  /** Reference minus system UTC of the last reference, ms; positive = system clock is behind. */
  readonly lastOffsetMs: number | undefined;
  /** The last clock step detected, ms (negative = backwards). */
  readonly lastStepMs: number | undefined;
  /** Monotonic age of the last confirming reference, ms. */
  readonly confirmedAgoMs: number | undefined;
}

export interface TrustedTimeEvents {
  /** Trust gained or lost, or the reason for distrust changed. */
  change: [TimeTrustStatus];
}

export interface TrustedTimeOptions {
  clock?: Clock;
  /** The schemes' clock bound (amortised δ); default 2 s. */
  boundMs?: number;
  confirmSamples?: number;
  maxReferenceAgeMs?: number;
}

export interface TrustedUtcSample {
  /** UTC the trusted source reported, ms since the Unix epoch. */
  readonly utcMs: number;
  /** Monotonic time at which it arrived (defaults to now). */
  readonly receivedAtMonotonicMs?: number;
}

export class TrustedTime extends EventEmitter<TrustedTimeEvents> {
  readonly boundMs: number;
  readonly confirmSamples: number;
  readonly maxReferenceAgeMs: number;
  readonly #clock: Clock;
  #trusted = false;
  #reason: TimeTrustReason = 'no-reference';
  #streak = 0;
  #lastOffsetMs: number | undefined;
  #lastStepMs: number | undefined;
  #confirmedAtMono: number | undefined;
  /** System UTC minus monotonic time when last looked at: moves only when the system clock is set or slewed. */
  #base: number;

  constructor(options: TrustedTimeOptions = {}) {
    super();
    this.#clock = options.clock ?? systemClock;
    this.boundMs = positive(options.boundMs ?? DEFAULT_UTC_TOLERANCE_MS, 'boundMs');
    this.confirmSamples = options.confirmSamples ?? DEFAULT_TRUST_CONFIRM_SAMPLES;
    if (!(Number.isInteger(this.confirmSamples) && this.confirmSamples > 0)) throw new RangeError('"confirmSamples" must be a positive integer');
    this.maxReferenceAgeMs = positive(options.maxReferenceAgeMs ?? DEFAULT_UTC_MAX_REFERENCE_AGE_MS, 'maxReferenceAgeMs');
    this.#base = this.#clock.utcNow() - this.#clock.monotonicNow();
  }

  get trusted(): boolean {
    return this.#trusted;
  }

  /** One reading of the trusted source. A non-finite time is ignored (a parser's bug, never a reason to trust). */
  feed(sample: TrustedUtcSample): void {
    if (!Number.isFinite(sample.utcMs)) return;
    this.check();
    const nowMono = this.#clock.monotonicNow();
    const atMono = sample.receivedAtMonotonicMs ?? nowMono;
    const offsetMs = sample.utcMs - (this.#clock.utcNow() - (nowMono - atMono));
    this.#lastOffsetMs = offsetMs;
    if (Math.abs(offsetMs) > this.boundMs) {
      this.#streak = 0;
      this.#set(false, 'disagrees');
      return;
    }
    this.#streak += 1;
    if (this.#trusted || this.#streak >= this.confirmSamples) {
      this.#confirmedAtMono = atMono;
      this.#set(true, 'confirmed');
    }
  }

  /** Re-evaluates clock steps and the reference's age; call periodically (the daemon does, every tick). */
  check(): void {
    const base = this.#clock.utcNow() - this.#clock.monotonicNow();
    const step = base - this.#base;
    this.#base = base;
    if (Math.abs(step) > this.boundMs) {
      this.#lastStepMs = step;
      this.#streak = 0;
      this.#set(false, 'clock-stepped');
      return;
    }
    if (this.#trusted && this.#confirmedAtMono !== undefined && this.#clock.monotonicNow() - this.#confirmedAtMono > this.maxReferenceAgeMs) {
      this.#streak = 0;
      this.#set(false, 'reference-lost');
    }
  }

  status(): TimeTrustStatus {
    return {
      trusted: this.#trusted,
      reason: this.#reason,
      lastOffsetMs: this.#lastOffsetMs,
      lastStepMs: this.#lastStepMs,
      confirmedAgoMs: this.#confirmedAtMono === undefined ? undefined : this.#clock.monotonicNow() - this.#confirmedAtMono,
    };
  }

  #set(trusted: boolean, reason: TimeTrustReason): void {
    if (trusted === this.#trusted && reason === this.#reason) return;
    this.#trusted = trusted;
    this.#reason = reason;
    this.emit('change', this.status());
  }
}

function positive(value: number, name: string): number {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`"${name}" must be a positive number`);
  return value;
}
