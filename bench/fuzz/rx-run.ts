/**
 * Drives a receiver with the structure-aware cases of rx-cases.ts and tallies the outcome: `$PMIBV` results, the
 * rejections by reason code, and crashes — a throw out of `push`/`tick`, or an error the receiver's last-resort
 * containment had to absorb (`INTERNAL`). Receivers are renewed every `casesPerReceiver` cases, each living through
 * a stretch of simulated time from `startMs` (so the genuine pool is fresh at the start of each).
 */
import type { SecureRx } from '../../firmware/secure-rx.js';
import { createRng } from '../sim/rng.js';
import { rxFuzzCases, type RxFuzzConfig } from './rx-cases.js';

export interface RxFuzzOptions {
  readonly cases: number;
  readonly seed: number;
  readonly startMs: number;
  readonly config: RxFuzzConfig;
  /** A fresh receiver; `i` counts the receivers made so far. */
  readonly receiver: (i: number) => SecureRx;
  readonly casesPerReceiver?: number;
  /** Called every 10⁴ cases with the count so far. */
  readonly progress?: (done: number) => void;
}

export interface RxFuzzResult {
  cases: number;
  lines: number;
  byLabel: Record<string, number>;
  /** `$PMIBV` lines by result letter (V, D, P, U, F, K). */
  statuses: Record<string, number>;
  rejected: Record<string, number>;
  /** Throws out of push/tick plus contained INTERNAL errors. */
  crashes: number;
  firstCrash?: { error: unknown; lines: readonly string[] };
}

export function runRxFuzz(o: RxFuzzOptions): RxFuzzResult {
  const rng = createRng(o.seed);
  const next = rxFuzzCases(rng.fork(1), o.config);
  const clock = rng.fork(2);
  const perRx = o.casesPerReceiver ?? 20_000;
  const res: RxFuzzResult = { cases: 0, lines: 0, byLabel: {}, statuses: {}, rejected: {}, crashes: 0 };
  let rx: SecureRx | undefined;
  let made = 0;
  let nowMs = o.startMs;
  let current: readonly string[] = [];
  const crash = (error: unknown) => {
    res.crashes++;
    res.firstCrash ??= { error, lines: current };
  };
  const retire = (r: SecureRx) => {
    for (const [k, v] of Object.entries(r.counters.rejected)) res.rejected[k] = (res.rejected[k] ?? 0) + v;
  };
  const tally = (out: readonly string[]) => {
    for (const l of out) if (l.startsWith('$PMIBV,')) res.statuses[l.charAt(7)] = (res.statuses[l.charAt(7)] ?? 0) + 1;
  };
  for (let i = 0; i < o.cases; i++) {
    if (i % perRx === 0) {
      if (rx) retire(rx);
      rx = o.receiver(made++);
      rx.onInternalError = crash;
      nowMs = o.startMs;
    }
    const r = rx as SecureRx;
    // Time mostly runs forward a few ms per case; now and then it jumps (a TAG-block clock follows the sender's word).
    nowMs += clock.bernoulli(0.001) ? clock.int(-40_000, 40_000) : clock.int(0, 6);
    const c = next(Math.floor(nowMs / 1000));
    current = c.lines;
    res.byLabel[c.label] = (res.byLabel[c.label] ?? 0) + 1;
    for (const line of c.lines) {
      res.lines++;
      try {
        tally(r.push(line, nowMs));
      } catch (e) {
        crash(e);
      }
    }
    if (i % 50 === 0) {
      try {
        tally(r.tick(nowMs));
      } catch (e) {
        crash(e);
      }
    }
    res.cases++;
    if (res.cases % 10_000 === 0) o.progress?.(res.cases);
  }
  if (rx) retire(rx);
  return res;
}
