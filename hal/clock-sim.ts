/**
 * The clock's simulated twin: time moves only when a test calls `advance`, timers fire in deadline order (ties in
 * creation order, as Node's timers do), and UTC can be stepped independently of monotonic time to model an NTP or
 * GNSS correction or a wrong real-time clock.
 */
import type { Clock, TimerHandle } from './clock.js';

interface FakeTimer {
  readonly seq: number;
  readonly due: number;
  readonly fn: () => void;
}

export class FakeClock implements Clock {
  #mono = 0;
  #utcOffset: number;
  #seq = 0;
  readonly #timers = new Map<number, FakeTimer>();

  constructor(startUtcMs = Date.UTC(2026, 0, 1)) {
    this.#utcOffset = startUtcMs;
  }

  utcNow(): number {
    return this.#utcOffset + this.#mono;
  }

  monotonicNow(): number {
    return this.#mono;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('"ms" must be a finite non-negative number');
    const seq = this.#seq++;
    this.#timers.set(seq, { seq, due: this.#mono + ms, fn });
    return { timer: seq };
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle.timer as number);
  }

  /** Steps system UTC by `deltaMs` without moving monotonic time or firing timers. */
  stepUtc(deltaMs: number): void {
    this.#utcOffset += deltaMs;
  }

  /** Number of timers not yet fired. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due (including ones scheduled while advancing). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('"ms" must be a finite non-negative number');
    const end = this.#mono + ms;
    for (;;) {
      let next: FakeTimer | undefined;
      for (const t of this.#timers.values()) {
        if (t.due <= end && (next === undefined || t.due < next.due || (t.due === next.due && t.seq < next.seq))) next = t;
      }
      if (next === undefined) break;
      this.#timers.delete(next.seq);
      this.#mono = next.due;
      next.fn();
    }
    this.#mono = end;
  }
}
