/**
 * The bounded two-priority output queue behind SerialLink.send. One shared capacity (not one per priority) so
 * that safety traffic can always claim space from normal traffic: when the queue is full a safety line evicts the
 * oldest normal line (`preempted`); a normal line evicts the oldest normal line (`queue-full`, the newest AIS
 * information is the useful one); only when the queue holds nothing but safety lines is the oldest safety line
 * dropped (`queue-full`) — and reported, so the firmware can raise its alarm. A keyed line (`SerialSupersede`)
 * drops the lines of older messages under its key still waiting (`superseded`).
 */
import type { SerialDropReason, SerialPriority, SerialSupersede } from './serial.js';

export interface QueuedLine {
  readonly line: string;
  readonly priority: SerialPriority;
  /** Monotonic enqueue time, ms. */
  readonly at: number;
  readonly supersede?: SerialSupersede;
}

export type DropSink = (item: QueuedLine, reason: SerialDropReason) => void;

export class OutputQueue {
  readonly limit: number;
  readonly maxAgeMs: number;
  #safety: QueuedLine[] = [];
  #normal: QueuedLine[] = [];
  /** The newest message queued per supersede key (keys of lines still queued only). */
  readonly #latest = new Map<string, number>();
  readonly #onDrop: DropSink;

  constructor(limit: number, maxAgeMs: number, onDrop: DropSink) {
    if (!(Number.isInteger(limit) && limit > 0)) throw new RangeError('"outputQueueLimit" must be a positive integer');
    if (!(Number.isFinite(maxAgeMs) && maxAgeMs > 0)) throw new RangeError('"outputMaxAgeMs" must be a positive number');
    this.limit = limit;
    this.maxAgeMs = maxAgeMs;
    this.#onDrop = onDrop;
  }

  get size(): number {
    return this.#safety.length + this.#normal.length;
  }

  counts(): Record<SerialPriority, number> {
    return { safety: this.#safety.length, normal: this.#normal.length };
  }

  push(item: QueuedLine): void {
    const s = item.supersede;
    if (s !== undefined) {
      this.#latest.set(s.key, s.message);
      // Lines past their useful age go now, so a long outage cannot fill the queue with them.
      const stale = (q: QueuedLine) => this.#superseded(q, item.at);
      for (const victim of [...this.#safety.filter(stale), ...this.#normal.filter(stale)]) this.#onDrop(victim, 'superseded');
      this.#safety = this.#safety.filter((q) => !stale(q));
      this.#normal = this.#normal.filter((q) => !stale(q));
    }
    if (this.size >= this.limit) {
      const victim = this.#normal.shift() ?? this.#safety.shift();
      if (victim !== undefined) {
        this.#onDrop(victim, item.priority === 'safety' && victim.priority === 'normal' ? 'preempted' : 'queue-full');
      }
    }
    (item.priority === 'safety' ? this.#safety : this.#normal).push(item);
  }

  /** Next line to send at monotonic time `now`; expired lines met on the way are dropped and reported. */
  shift(now: number): QueuedLine | undefined {
    for (;;) {
      const item = this.#safety.shift() ?? this.#normal.shift();
      if (item === undefined) return undefined;
      if (this.#superseded(item, now)) {
        this.#onDrop(item, 'superseded');
        continue;
      }
      if (item.supersede !== undefined && this.#latest.get(item.supersede.key) === item.supersede.message) this.#latest.delete(item.supersede.key);
      if (now - item.at <= this.maxAgeMs) return item;
      this.#onDrop(item, 'expired');
    }
  }

  /** Whether `q` has waited past its useful age at `now` while a newer message of its key is queued. */
  #superseded(q: QueuedLine, now: number): boolean {
    const s = q.supersede;
    if (s === undefined) return false;
    const latest = this.#latest.get(s.key);
    return latest !== undefined && latest !== s.message && now - q.at > s.usefulMs;
  }

  /** Empties the queue, reporting every line with `reason`. */
  drain(reason: SerialDropReason): void {
    this.#latest.clear();
    for (const item of [...this.#safety.splice(0), ...this.#normal.splice(0)]) this.#onDrop(item, reason);
  }
}
