/**
 * Time rules of the envelope (docs/envelope.md §2): bodies carry t6 = UTC second mod 64; the receiver picks the
 * second nearest to its own GNSS/AIS-disciplined clock with that residue. Key epochs are calendar periods; one
 * parity bit picks the previous epoch's key at a boundary.
 */
export const T6_MODULUS = 64;
export const DEFAULT_EPOCH_SECONDS = 30 * 86_400;

export function t6Of(utcSecond: number): number {
  return ((Math.floor(utcSecond) % T6_MODULUS) + T6_MODULUS) % T6_MODULUS;
}

/** The UTC second with residue `t6` nearest to `clockS` (ties go to the past: a body is never from the future). */
export function reconstructSecond(t6: number, clockS: number): number {
  const base = Math.floor(clockS);
  let delta = (t6 - (base % T6_MODULUS) + T6_MODULUS) % T6_MODULUS;
  if (delta >= T6_MODULUS / 2) delta -= T6_MODULUS;
  return base + delta;
}

export function epochParityOf(utcSecond: number, epochSeconds: number = DEFAULT_EPOCH_SECONDS): 0 | 1 {
  return (Math.floor(utcSecond / epochSeconds) & 1) as 0 | 1;
}
