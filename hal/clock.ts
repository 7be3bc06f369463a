/**
 * Time for the appliance: UTC for timestamps and key expiry, a monotonic source for pacing, backoff and
 * debounce (so a clock step from NTP/GNSS never stalls the serial output), and timers — all behind one injected
 * interface so that tests run on a fake clock and never assert on the wall clock (STYLE.md guideline 8).
 *
 * The UTC cross-check compares system UTC with UTC heard on the air (ITU-R M.1371-5 message 4, base station
 * report) or from the GNSS receiver. Permit expiry and message freshness depend on system UTC, so a wrong clock
 * must become an alarm, not a silent acceptance of stale or future-dated messages.
 */
import { EventEmitter } from 'node:events';

/** Opaque handle returned by {@link Clock.setTimeout}. */
export interface TimerHandle {
  readonly timer: unknown;
}

export interface Clock {
  /** System UTC, milliseconds since the Unix epoch. */
  utcNow(): number;
  /** Milliseconds from an arbitrary origin that never goes backwards or jumps. */
  monotonicNow(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The process clock: `Date.now()` for UTC, `performance.now()` (monotonic) for intervals. */
export const systemClock: Clock = {
  utcNow: () => Date.now(),
  monotonicNow: () => performance.now(),
  setTimeout: (fn, ms) => ({ timer: setTimeout(fn, ms) }),
  clearTimeout: (handle) => clearTimeout(handle.timer as ReturnType<typeof setTimeout>),
};

export const UTC_SOURCES = ['gnss', 'ais-base-station'] as const;
export type UtcSource = (typeof UTC_SOURCES)[number];

/**
 * Message 4 carries UTC to the whole second (M.1371-5 Table 15) and is reported for the slot it is sent in, so a
 * correct system clock can legitimately differ by up to about one second; 2 s is the smallest tolerance that never
 * alarms on a correct clock.
 */
export const DEFAULT_UTC_TOLERANCE_MS = 2_000;
/** A single spoofed or garbled base-station report must not raise the alarm: require agreeing evidence. */
export const DEFAULT_UTC_CONFIRM_SAMPLES = 3;
/** After this long without a reference the cross-check reports `unknown` again instead of a stale verdict. */
export const DEFAULT_UTC_MAX_REFERENCE_AGE_MS = 10 * 60_000;

export interface UtcSample {
  source: UtcSource;
  /** UTC the reference reported, milliseconds since the Unix epoch. */
  utcMs: number;
  /** Monotonic time at which the sample was received (defaults to now); lets callers feed queued samples. */
  receivedAtMonotonicMs?: number;
}

export type UtcCheckState = 'unknown' | 'agree' | 'disagree';

export interface UtcCheckStatus {
  state: UtcCheckState;
  /** Reference minus system UTC of the last sample, ms; positive = system clock is behind. */
  lastOffsetMs: number | undefined;
  lastSource: UtcSource | undefined;
  /** Monotonic age of the last sample, ms. */
  ageMs: number | undefined;
}

export interface UtcDisagreement {
  offsetMs: number;
  source: UtcSource;
  toleranceMs: number;
}

export interface UtcCrossCheckEvents {
  /** Raised once when `confirmSamples` consecutive samples exceed the tolerance: an alarm condition. */
  disagree: [UtcDisagreement];
  /** Raised once when a disagreeing clock is confirmed correct again by the same number of samples. */
  agree: [{ offsetMs: number; source: UtcSource }];
}

export interface UtcCrossCheckOptions {
  clock?: Clock;
  toleranceMs?: number;
  confirmSamples?: number;
  maxReferenceAgeMs?: number;
}

/** Compares system UTC with GNSS/AIS UTC samples and reports a confirmed disagreement as an event. */
export class UtcCrossCheck extends EventEmitter<UtcCrossCheckEvents> {
  readonly toleranceMs: number;
  readonly confirmSamples: number;
  readonly maxReferenceAgeMs: number;
  readonly #clock: Clock;
  #state: Exclude<UtcCheckState, 'unknown'> | undefined;
  #candidate: Exclude<UtcCheckState, 'unknown'> | undefined;
  #streak = 0;
  #last: { offsetMs: number; source: UtcSource; atMono: number } | undefined;

  constructor(options: UtcCrossCheckOptions = {}) {
    super();
    this.#clock = options.clock ?? systemClock;
    this.toleranceMs = positive(options.toleranceMs ?? DEFAULT_UTC_TOLERANCE_MS, 'toleranceMs');
    this.confirmSamples = positiveInt(options.confirmSamples ?? DEFAULT_UTC_CONFIRM_SAMPLES, 'confirmSamples');
    this.maxReferenceAgeMs = positive(options.maxReferenceAgeMs ?? DEFAULT_UTC_MAX_REFERENCE_AGE_MS, 'maxReferenceAgeMs');
  }

  feed(sample: UtcSample): void {
    if (!(UTC_SOURCES as readonly string[]).includes(sample.source)) {
      throw new TypeError(`"source" must be one of ${UTC_SOURCES.join(', ')}`);
    }
    if (!Number.isFinite(sample.utcMs)) throw new TypeError('"utcMs" must be a finite number');
    const nowMono = this.#clock.monotonicNow();
    const atMono = sample.receivedAtMonotonicMs ?? nowMono;
    // System UTC at the moment the sample was received, not at the moment it is processed.
    const systemAtSample = this.#clock.utcNow() - (nowMono - atMono);
    const offsetMs = sample.utcMs - systemAtSample;
    this.#last = { offsetMs, source: sample.source, atMono };

    const verdict = Math.abs(offsetMs) > this.toleranceMs ? 'disagree' : 'agree';
    if (verdict === this.#state) {
      this.#candidate = undefined;
      this.#streak = 0;
      return;
    }
    if (verdict !== this.#candidate) {
      this.#candidate = verdict;
      this.#streak = 0;
    }
    this.#streak += 1;
    // The first verdict after start-up needs the same evidence as a change of verdict.
    if (this.#streak < this.confirmSamples) return;
    const previous = this.#state;
    this.#state = verdict;
    this.#candidate = undefined;
    this.#streak = 0;
    if (verdict === 'disagree') {
      this.emit('disagree', { offsetMs, source: sample.source, toleranceMs: this.toleranceMs });
    } else if (previous === 'disagree') {
      this.emit('agree', { offsetMs, source: sample.source });
    }
  }

  status(): UtcCheckStatus {
    const nowMono = this.#clock.monotonicNow();
    return {
      state: this.#effectiveState(nowMono),
      lastOffsetMs: this.#last?.offsetMs,
      lastSource: this.#last?.source,
      ageMs: this.#last === undefined ? undefined : nowMono - this.#last.atMono,
    };
  }

  #effectiveState(nowMono: number): UtcCheckState {
    if (this.#state === undefined || this.#last === undefined) return 'unknown';
    if (nowMono - this.#last.atMono > this.maxReferenceAgeMs) return 'unknown';
    return this.#state;
  }
}

function positive(value: number, name: string): number {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`"${name}" must be a positive number`);
  return value;
}

function positiveInt(value: number, name: string): number {
  if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`"${name}" must be a positive integer`);
  return value;
}
