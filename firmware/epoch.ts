/**
 * Key epochs (DESIGN.md §3 "Identities"): keys are extracted per calendar epoch so they expire without revocation
 * lists (Boneh–Franklin). The epoch follows from the message's UTC second; one parity bit on air lets a receiver
 * pick the previous epoch's key when a sender has not yet switched at a boundary.
 */

/** 30 days: short enough that a lost key dies soon, long enough that permits are renewed monthly, not daily. */
export const DEFAULT_EPOCH_SECONDS = 30 * 24 * 3600;

export function epochOf(utcSecond: number, epochSeconds: number): number {
  if (!Number.isInteger(epochSeconds) || epochSeconds < 1) throw new RangeError(`epochSeconds must be a positive integer, got ${epochSeconds}`);
  return Math.floor(utcSecond / epochSeconds);
}

/** The epoch a sender used, from its message time and parity bit: the current epoch or the one before. */
export function epochForParity(utcSecond: number, parity: 0 | 1, epochSeconds: number): number {
  const e = epochOf(utcSecond, epochSeconds);
  return (e & 1) === parity ? e : e - 1;
}
