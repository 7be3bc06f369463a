/**
 * Mode-5 nonce sequence that survives restarts, crashes and clock steps (crypto/group-aead.ts nonce layout;
 * threat-anchors §3 "key-id ‖ MMSI ‖ persistent counter, never time alone … refuse to encrypt after a rollback").
 *
 * Per group key id, every (second, counter) up to a persisted high-water mark counts as used. A (second, counter)
 * above the mark is used only after a new mark `blockSeconds` further on is on disk, so one write covers a block of
 * seconds and a crash between reserving and sending only wastes seconds. After a restart or a backward clock step the
 * sequence continues above the mark: the nonce second may run ahead of the clock by at most `maxLeadSeconds` (well
 * inside the receivers' ±30 s freshness window); beyond that mode 5 is refused until the clock catches up.
 */
import type { NonceRecord, NonceStore } from '../hal/nonce-store.js';
import { NONCE_MAX_MARKS } from '../hal/nonce-store.js';

export interface NonceReservationOptions {
  /** Seconds reserved ahead per write. */
  readonly blockSeconds: number;
  /** How far the nonce second may run ahead of the clock (after a restart, a backward step, a burst). */
  readonly maxLeadSeconds: number;
  /** Largest counter the group body can carry. */
  readonly maxCounter: number;
  /** This appliance's instance byte; undefined takes the saved one, or a random one on first use. */
  readonly instance?: number;
}

export const DEFAULT_NONCE_RESERVATION: NonceReservationOptions = { blockSeconds: 20, maxLeadSeconds: 8, maxCounter: 31 };

export type NonceRefusalCode = 'NONCE_EXHAUSTED' | 'NONCE_STATE_FAILED';

export class NonceRefusal extends Error {
  constructor(
    readonly code: NonceRefusalCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NonceRefusal';
  }
}

export interface GroupSequence {
  readonly utcSeconds: number;
  readonly counter: number;
  readonly instance: number;
}

interface Loaded {
  instance: number;
  floor: number;
  marks: Map<number, number>;
  /** Whether a record was ever saved: without one nothing was used. */
  saved: boolean;
}

export class NonceReservation {
  readonly options: NonceReservationOptions;
  private state: Loaded | undefined;
  private loadError: unknown;
  /** Last (second, counter) handed out per key id in this run. */
  private readonly last = new Map<number, { utcSeconds: number; counter: number }>();

  constructor(
    private readonly store: NonceStore,
    options: Partial<NonceReservationOptions> = {},
    private readonly random: (n: number) => Uint8Array,
  ) {
    this.options = { ...DEFAULT_NONCE_RESERVATION, ...options };
    const { blockSeconds, maxLeadSeconds, maxCounter, instance } = this.options;
    if (!Number.isInteger(blockSeconds) || blockSeconds < 1) throw new RangeError(`blockSeconds must be a positive integer, got ${blockSeconds}`);
    if (!Number.isInteger(maxLeadSeconds) || maxLeadSeconds < 0 || maxLeadSeconds > 30) throw new RangeError(`maxLeadSeconds must be 0..30, got ${maxLeadSeconds}`);
    if (!Number.isInteger(maxCounter) || maxCounter < 0) throw new RangeError(`maxCounter must be a non-negative integer, got ${maxCounter}`);
    if (instance !== undefined && (!Number.isInteger(instance) || instance < 0 || instance > 0xff)) throw new RangeError(`instance must be 0..255, got ${instance}`);
  }

  /** The instance byte in use, once the state has been read. */
  get instance(): number | undefined {
    return this.state?.instance;
  }

  /** The next unused (second, counter) for `keyId` at clock second `now`, reserved on disk before it is returned. */
  next(keyId: number, now: number): GroupSequence {
    const s = this.loaded();
    const reserved = s.saved ? (s.marks.get(keyId) ?? s.floor) : -1;
    // Everything up to the mark may have been used by an earlier run: continue above it.
    const last = this.last.get(keyId) ?? (reserved >= 0 ? { utcSeconds: reserved, counter: this.options.maxCounter } : undefined);
    let seq: { utcSeconds: number; counter: number };
    if (last === undefined || now > last.utcSeconds) seq = { utcSeconds: now, counter: 0 };
    else if (last.counter < this.options.maxCounter) seq = { utcSeconds: last.utcSeconds, counter: last.counter + 1 };
    else seq = { utcSeconds: last.utcSeconds + 1, counter: 0 };
    const lead = seq.utcSeconds - now;
    if (lead > this.options.maxLeadSeconds) {
      throw new NonceRefusal(
        'NONCE_EXHAUSTED',
        `nonces of group key ${keyId} are used up to second ${seq.utcSeconds - 1}, ${lead} s ahead of the clock (at most ${this.options.maxLeadSeconds}); mode 5 resumes when the clock catches up`,
      );
    }
    if (seq.utcSeconds > reserved) this.reserve(s, keyId, seq.utcSeconds + this.options.blockSeconds);
    this.last.set(keyId, seq);
    return { ...seq, instance: s.instance };
  }

  private loaded(): Loaded {
    if (this.state !== undefined) return this.state;
    if (this.loadError !== undefined) throw this.refusal(this.loadError);
    let record: NonceRecord | undefined;
    try {
      record = this.store.load();
    } catch (e) {
      // The marks are unknown: latch, so no message goes out on a guess (a restart reads the state again).
      this.loadError = e;
      throw this.refusal(e);
    }
    this.state = {
      instance: this.options.instance ?? record?.instance ?? (this.random(1)[0] as number),
      floor: record?.floor ?? 0,
      marks: new Map(record?.marks ?? []),
      saved: record !== undefined,
    };
    return this.state;
  }

  private reserve(s: Loaded, keyId: number, through: number): void {
    const marks = new Map(s.marks);
    marks.set(keyId, through);
    let floor = s.floor;
    while (marks.size > NONCE_MAX_MARKS) {
      // The oldest mark folds into the floor, which then covers every key id not listed.
      let oldest: [number, number] | undefined;
      for (const e of marks) if (e[0] !== keyId && (oldest === undefined || e[1] < oldest[1])) oldest = e;
      if (oldest === undefined) break;
      marks.delete(oldest[0]);
      floor = Math.max(floor, oldest[1]);
    }
    try {
      this.store.save({ instance: s.instance, floor, marks });
    } catch (e) {
      throw this.refusal(e);
    }
    s.marks = marks;
    s.floor = floor;
    s.saved = true;
  }

  private refusal(e: unknown): NonceRefusal {
    return new NonceRefusal('NONCE_STATE_FAILED', `mode-5 nonce state: ${(e as Error).message}`, { cause: e });
  }
}
