/**
 * VHF capacity of binary messages 6 and 8 in slots.
 * ITU-R M.1371-5 Annex 2 Table 55 (msg 6) and Table 58 (msg 8): binary-data bytes for 1–5 slots, bit stuffing
 * included; the 2-byte application identifier (DAC/FI) is subtracted here, so the figures are application data.
 */

export type BinaryMessageType = 6 | 8;

const APP_DATA_BYTES: Readonly<Record<BinaryMessageType, readonly number[]>> = {
  6: [6, 34, 62, 90, 115],
  8: [10, 38, 66, 94, 119],
};

/** Mobile stations using RATDMA should not exceed 3 slots per message (M.1371-5 Annex 2 §3.3.4.2.1 / msg 6, 8 notes). */
export const MOBILE_MAX_SLOTS = 3;
export const MAX_SLOTS = 5;

/** Application-data bytes that fit in `slots` slots of message `type`. */
export function appDataCapacity(type: BinaryMessageType, slots: number): number {
  const cap = APP_DATA_BYTES[type][slots - 1];
  if (cap === undefined) throw new RangeError(`slots must be 1..${MAX_SLOTS}, got ${slots}`);
  return cap;
}

/** Slots needed for `bytes` of application data, or undefined when even 5 slots are too few. */
export function slotsFor(type: BinaryMessageType, bytes: number): number | undefined {
  const table = APP_DATA_BYTES[type];
  for (let i = 0; i < table.length; i++) if (bytes <= (table[i] as number)) return i + 1;
  return undefined;
}

/** Per-packet overhead bits: ramp-up 8, training 24, flags 2×8, FCS 16, buffer 24 (M.1371-5 Annex 2 §3.2.2). */
const PACKET_OVERHEAD_BITS = 88;
const SLOT_BITS = 256;

/**
 * Slots of a plain AIS message of `bits` bits, with the nominal stuffing allowance of the buffer: message 1 (168 bits)
 * takes 1 slot and message 5 (424 bits) 2, as M.1371 states. Binary messages use the stricter tables above.
 */
export function slotsForPlainBits(bits: number): number {
  return Math.ceil((bits + PACKET_OVERHEAD_BITS) / SLOT_BITS);
}
