/** Counters of the receive path, reported by `mibc-ais rx` and the daemon's status server. */

export interface RxCounters {
  lines: number;
  forwarded: number;
  plain: number;
  verified: number;
  /** Plain reports of amortising senders shown pending. */
  pending: number;
  /** Amortised reports that would have been authenticated but the clock was not confirmed (shown P, CLOCK_UNCONFIRMED). */
  unconfirmed: number;
  decrypted: number;
  keysInstalled: number;
  /** Rejections by reason code (`$PMIBV,F` reasons). */
  rejected: Record<string, number>;
  malformedLines: number;
  notForUs: number;
  droppedUnverified: number;
  /** Notices of the amortised receiver by code (firmware/amortised NoticeCode). */
  notices: Record<string, number>;
}

export function newRxCounters(): RxCounters {
  return {
    lines: 0, forwarded: 0, plain: 0, verified: 0, pending: 0, unconfirmed: 0, decrypted: 0, keysInstalled: 0, rejected: {}, malformedLines: 0, notForUs: 0,
    droppedUnverified: 0, notices: {},
  };
}

export function countRejection(c: RxCounters, reason: string): void {
  c.rejected[reason] = (c.rejected[reason] ?? 0) + 1;
}
