/**
 * Plain reports kept for the attached topology (docs/envelope.md §2, kind 2): a signature sent after its report
 * refers to one of them. Bounded per sender and in senders, least recently heard sender evicted first.
 */
import type { AisBits as NmeaBits, AisMessage } from '../../nmea/index.js';

export interface HeldReport {
  readonly bits: NmeaBits;
  readonly message: AisMessage;
  readonly lines: readonly string[];
  readonly channel: string;
  readonly receivedSecond: number;
  readonly receivedMs: number;
  verified: boolean;
  /** Handed to the amortised receiver, which now decides its status. */
  fed: boolean;
  /** The amortised receiver's id for it, while its final status is awaited. */
  amortisedId?: number;
}

export interface HeldReportLimits {
  readonly perSender: number;
  readonly senders: number;
}

export class HeldReports {
  private readonly held = new Map<number, HeldReport[]>();

  constructor(private readonly limits: HeldReportLimits) {}

  hold(h: HeldReport): void {
    const mmsi = h.message.mmsi;
    let list = this.held.get(mmsi);
    if (list === undefined) {
      if (this.held.size >= this.limits.senders) {
        const oldest = this.held.keys().next().value as number;
        this.held.delete(oldest);
      }
      list = [];
    } else {
      this.held.delete(mmsi); // re-insert so Map order stays least-recently-heard first
    }
    list.push(h);
    if (list.length > this.limits.perSender) list.shift();
    this.held.set(mmsi, list);
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
      if (keep.length === 0) this.held.delete(mmsi);
      else if (keep.length !== list.length) this.held.set(mmsi, keep);
    }
    return unvouched;
  }
}
