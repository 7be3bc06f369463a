/**
 * The service's bounds against hostile peers: a per-address token bucket (request rate) and a bounded memory of
 * transaction identifiers (replay). Hand-written: @fastify/rate-limit is not a dependency here, and both are a few
 * lines. Rate limiting comes before any check that writes the register, so a flood cannot grow the register faster
 * than the rate allows.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    readonly perSecond: number,
    readonly burst: number,
    readonly maxPeers = 10_000,
  ) {}

  /** True if `peer` may make a request at `nowMs`. */
  take(peer: string, nowMs: number): boolean {
    let b = this.#buckets.get(peer);
    if (b === undefined) {
      // Memory bound: forget the oldest peer (Map keeps insertion order).
      if (this.#buckets.size >= this.maxPeers) this.#buckets.delete(this.#buckets.keys().next().value!);
      b = { tokens: this.burst, at: nowMs };
      this.#buckets.set(peer, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((nowMs - b.at) / 1000) * this.perSecond);
    b.at = nowMs;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

/**
 * Transaction identifiers seen within the freshness window. An upload older than the window is refused as STALE, so
 * forgetting identifiers older than it (and the oldest, past `capacity`) never lets a replay through within the
 * window unless `capacity` uploads arrived within it — the rate limit keeps that out of reach.
 */
export class ReplayMemory {
  readonly #seen = new Map<string, number>();
  constructor(
    readonly windowMs: number,
    readonly capacity = 100_000,
  ) {}

  /** False if `id` was seen within the window; otherwise remembers it. */
  accept(id: string, nowMs: number): boolean {
    for (const [k, at] of this.#seen) {
      if (at >= nowMs - this.windowMs && this.#seen.size < this.capacity) break;
      this.#seen.delete(k);
    }
    if (this.#seen.has(id)) return false;
    this.#seen.set(id, nowMs);
    return true;
  }
}
