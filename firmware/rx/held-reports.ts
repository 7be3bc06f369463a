/**
 * Plain reports kept for the attached topology (docs/envelope.md §2, kind 2): a signature sent after its report
 * refers to one of them. Anyone can transmit under any MMSI, so plain reports under a victim's MMSI must not push its
 * genuine report out before the signature arrives: each sender keeps many candidates (matching a signature against
 * all of them costs one pairing, crypto/blmq.ts `verifyAny`), identical copies are kept once, and the store is
 * bounded per sender, in senders and in all, the least recently heard sender going first.
 */
import type { AisBits as NmeaBits, AisMessage } from '../../nmea/index.js';

export interface HeldReport {
  readonly bits: NmeaBits;
  readonly message: AisMessage;
  readonly lines: readonly string[];
  readonly channel: string;
  readonly receivedSecond: number;
  readonly receivedMs: number;
  /** Report digest (rx/report-digest.ts): what a status about it names, and what tells copies apart. */
  readonly digest: string;
  verified: boolean;
  /** Handed to the amortised receiver, which now decides its status. */
  fed: boolean;
  /** The amortised receiver's id for it, while its final status is awaited. */
  amortisedId?: number;
}

export interface HeldReportLimits {
  readonly perSender: number;
  readonly senders: number;
  readonly total: number;
}

export class HeldReports {
  private readonly held = new Map<number, HeldReport[]>();
  private count = 0;

  constructor(private readonly limits: HeldReportLimits) {}

  get size(): number {
    return this.count;
  }

  /** Keeps `h`; false when an identical report (same digest) from the same sender is held already. */
  hold(h: HeldReport): boolean {
    const mmsi = h.message.mmsi;
    let list = this.held.get(mmsi);
    if (list?.some((x) => x.digest === h.digest && !x.verified)) return false;
    if (list === undefined) {
      list = [];
      if (this.held.size >= this.limits.senders) this.dropOldestSender();
    } else {
      this.held.delete(mmsi); // re-insert so Map order stays least-recently-heard first
    }
    list.push(h);
    this.count++;
    if (list.length > this.limits.perSender) {
      list.shift();
      this.count--;
    }
    this.held.set(mmsi, list);
    while (this.count > this.limits.total && this.held.size > 1) this.dropOldestSender();
    return true;
  }

  /** The reports held under `mmsi`, oldest first. */
  of(mmsi: number): readonly HeldReport[] {
    return this.held.get(mmsi) ?? [];
  }

  /** Forgets reports received before `horizonSecond`; returns how many of them nothing had vouched for. */
  expire(horizonSecond: number): number {
    let unvouched = 0;
    for (const [mmsi, list] of this.held) {
      const keep = list.filter((h) => h.receivedSecond >= horizonSecond);
      unvouched += list.filter((h) => h.receivedSecond < horizonSecond && !h.verified && !h.fed).length;
      this.count -= list.length - keep.length;
      if (keep.length === 0) this.held.delete(mmsi);
      else if (keep.length !== list.length) this.held.set(mmsi, keep);
    }
    return unvouched;
  }

  private dropOldestSender(): void {
    const [oldest, list] = this.held.entries().next().value as [number, HeldReport[]];
    this.held.delete(oldest);
    this.count -= list.length;
  }
}
