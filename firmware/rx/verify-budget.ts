/**
 * The receiver's verification budget (docs/verification-budget.md): every operation that costs a pairing (BLMQ
 * verify, SK-KEM decapsulation, amortised-anchor verify) first takes a token from its source's bucket and from the
 * receiver's total bucket. Over either limit the operation is refused — a typed, counted rejection — before any
 * pairing is spent, so an attacker buys at most the budget's rate of receiver CPU however many slots he sends.
 *
 * Token buckets on time passed in (no clock of its own); hand-written because the libraries at hand read the wall
 * clock themselves and are asynchronous.
 */

export type BudgetRefusal = 'BUDGET_SOURCE' | 'BUDGET_TOTAL';

export interface VerifyBudgetLimits {
  /** Pairing operations per second one source MMSI may use, sustained. */
  readonly perSourceRate: number;
  /** Operations one source may use at once: also the most one received line can cost. */
  readonly perSourceBurst: number;
  /** Pairing operations per second for all sources together. */
  readonly totalRate: number;
  readonly totalBurst: number;
  /** Sources tracked; the least recently charged is forgotten first (it comes back with a full bucket). */
  readonly maxSources: number;
}

/**
 * Defaults sized for a Raspberry Pi 4 (one verify ≈ 26 ms there, 5× this project's reference host): one line costs
 * at most 8 operations (≈ 0.2 s, inside the 0.5 s own-ship latency budget with the daemon's own-ship-first queue),
 * and the radio side takes at most ≈ 0.6 of one core. A genuine ship needs ≤ 1.5 operations per second.
 */
export const DEFAULT_VERIFY_BUDGET: VerifyBudgetLimits = {
  perSourceRate: 2,
  perSourceBurst: 8,
  totalRate: 24,
  totalBurst: 24,
  maxSources: 4096,
};

export interface VerifyBudgetCounters {
  granted: number;
  refusedSource: number;
  refusedTotal: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

export class VerifyBudget {
  readonly limits: VerifyBudgetLimits;
  readonly counters: VerifyBudgetCounters = { granted: 0, refusedSource: 0, refusedTotal: 0 };
  readonly #total: Bucket;
  /** Insertion order = least recently charged first, which eviction relies on. */
  readonly #sources = new Map<number, Bucket>();

  constructor(limits: Partial<VerifyBudgetLimits> = {}) {
    this.limits = { ...DEFAULT_VERIFY_BUDGET, ...limits };
    for (const k of ['perSourceRate', 'totalRate'] as const) {
      const v = this.limits[k];
      if (!(v > 0)) throw new RangeError(`verify budget ${k} must be positive, got ${String(v)}`);
    }
    for (const k of ['perSourceBurst', 'totalBurst', 'maxSources'] as const) {
      const v = this.limits[k];
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`verify budget ${k} must be a positive integer, got ${String(v)}`);
    }
    this.#total = { tokens: this.limits.totalBurst, atMs: Number.NEGATIVE_INFINITY };
  }

  /** Sources currently tracked. */
  get sources(): number {
    return this.#sources.size;
  }

  /**
   * Takes one operation for `source` at `nowMs`; undefined when granted, otherwise why not. A refusal charges
   * nothing, so a refused source does not also drain the total.
   */
  take(source: number, nowMs: number): BudgetRefusal | undefined {
    const { perSourceRate, perSourceBurst, totalRate, totalBurst } = this.limits;
    let own = this.#sources.get(source);
    if (own === undefined) own = { tokens: perSourceBurst, atMs: nowMs };
    else this.#sources.delete(source);
    refill(own, nowMs, perSourceRate, perSourceBurst);
    refill(this.#total, nowMs, totalRate, totalBurst);
    this.#remember(source, own);
    if (own.tokens < 1) {
      this.counters.refusedSource++;
      return 'BUDGET_SOURCE';
    }
    if (this.#total.tokens < 1) {
      this.counters.refusedTotal++;
      return 'BUDGET_TOTAL';
    }
    own.tokens -= 1;
    this.#total.tokens -= 1;
    this.counters.granted++;
    return undefined;
  }

  #remember(source: number, bucket: Bucket): void {
    if (this.#sources.size >= this.limits.maxSources) {
      const oldest = this.#sources.keys().next().value as number;
      this.#sources.delete(oldest);
    }
    this.#sources.set(source, bucket);
  }
}

function refill(b: Bucket, nowMs: number, rate: number, burst: number): void {
  // Time never runs backwards for a bucket: a clock step back only pauses the refill.
  if (nowMs > b.atMs) {
    b.tokens = Number.isFinite(b.atMs) ? Math.min(burst, b.tokens + ((nowMs - b.atMs) / 1000) * rate) : burst;
    b.atMs = nowMs;
  }
}
