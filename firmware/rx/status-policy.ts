/**
 * Which `$PMIBV` statuses reach the display (docs/display-output.md §"Display port budget"). A 38 400-Bd port
 * carries 3 840 characters/s; a full VDL (75 messages/s of ~51-character VDM) needs ~3 830 of them for the reports
 * alone, so a status after every message (the `all` policy) halves what the port can show (~42 messages/s) and the
 * rest is dropped. `news` sends a status only where it says something the VDM does not:
 *
 * - no `U` after plain traffic: a VDM with no status after it is plain, and a display treats it as unverified
 *   either way — nothing is vouched for by omission;
 * - `F` at most once per (source, reason) per `failureWindowMs`, and at most `failuresPerSecond` in all: a flood of
 *   bogus fragments (each its own failure) cannot crowd out the reports and their `V`/`D` statuses; the suppressed
 *   ones are counted;
 * - `V`, `D`, `P` and `K` always: they are the news. Secured messages take 2–3 slots each, so a full VDL carries at
 *   most ~25–37 of them per second: with their statuses they fit.
 */
import { parseStatus, Result } from '../status.js';

export type StatusPolicy = 'all' | 'news';

export interface StatusPolicyOptions {
  readonly policy: StatusPolicy;
  readonly failureWindowMs: number;
  readonly failuresPerSecond: number;
  /** (source, reason) pairs remembered; the oldest is forgotten first (an attacker can invent sources). */
  readonly maxSources: number;
}

export const DEFAULT_STATUS_POLICY: StatusPolicyOptions = { policy: 'news', failureWindowMs: 10_000, failuresPerSecond: 5, maxSources: 1_024 };

export interface StatusPolicyCounters {
  /** `U` statuses not sent (their VDM was). */
  unverifiedOmitted: number;
  /** `F` statuses not sent: repeated within the window, or over the per-second budget. */
  failuresSuppressed: number;
}

export class StatusFilter {
  readonly options: StatusPolicyOptions;
  readonly counters: StatusPolicyCounters = { unverifiedOmitted: 0, failuresSuppressed: 0 };
  readonly #lastFailure = new Map<string, number>();
  #second = -1;
  #failuresThisSecond = 0;

  constructor(options: Partial<StatusPolicyOptions> = {}) {
    this.options = { ...DEFAULT_STATUS_POLICY, ...options };
  }

  /** The lines for the display, in order, without the statuses the policy leaves out. */
  filter(lines: readonly string[], nowMs: number): string[] {
    if (this.options.policy === 'all') return [...lines];
    const out: string[] = [];
    for (const line of lines) {
      if (line.startsWith('$PMIBV,') && !this.#keep(line, nowMs)) continue;
      out.push(line);
    }
    return out;
  }

  #keep(line: string, nowMs: number): boolean {
    const status = parseStatus(line);
    if (status === undefined) return true;
    if (status.result === Result.Unverified) {
      this.counters.unverifiedOmitted += 1;
      return false;
    }
    if (status.result !== Result.Failed) return true;
    const second = Math.floor(nowMs / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#failuresThisSecond = 0;
    }
    const key = `${status.source}/${status.reason ?? ''}`;
    const last = this.#lastFailure.get(key);
    if ((last !== undefined && nowMs - last < this.options.failureWindowMs) || this.#failuresThisSecond >= this.options.failuresPerSecond) {
      this.counters.failuresSuppressed += 1;
      return false;
    }
    this.#failuresThisSecond += 1;
    this.#lastFailure.delete(key);
    this.#lastFailure.set(key, nowMs);
    if (this.#lastFailure.size > this.options.maxSources) this.#lastFailure.delete(this.#lastFailure.keys().next().value as string);
    return true;
  }
}
