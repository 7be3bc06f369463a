/**
 * VDL cost of an envelope body in slots, from the envelope's table (docs/envelope.md; ITU-R M.1371-5 Table 58,
 * bit stuffing included): message 8 application data of 10/38/66/94/119 bytes for 1–5 slots; 1 byte of fragment header
 * unfragmented, 2 bytes per fragment when fragmented, at most 4 fragments of at most `maxSlotsPerMessage` slots.
 */
import { aint } from './_bytes.js';

export const MSG8_APP_DATA_BYTES = [10, 38, 66, 94, 119] as const;
/** RATDMA mobile stations should not exceed 3 slots per message (M.1371-5). */
export const DEFAULT_MAX_SLOTS_PER_MESSAGE = 3;
const MAX_FRAGMENTS = 4;

function slotsFor(appBytes: number, maxSlots: number): number | undefined {
  for (let s = 1; s <= maxSlots; s++) if ((MSG8_APP_DATA_BYTES[s - 1] ?? 0) >= appBytes) return s;
  return undefined;
}

/** Slots of each message 8 that carries a body of `bodyBytes` bytes. */
export function messageSlotsForBody(bodyBytes: number, maxSlotsPerMessage: number = DEFAULT_MAX_SLOTS_PER_MESSAGE): number[] {
  aint(bodyBytes, 'bodyBytes', 1, 4 * 119);
  aint(maxSlotsPerMessage, 'maxSlotsPerMessage', 1, 5);
  const single = slotsFor(bodyBytes + 1, maxSlotsPerMessage);
  if (single !== undefined) return [single];
  const chunk = (MSG8_APP_DATA_BYTES[maxSlotsPerMessage - 1] ?? 0) - 2;
  const out: number[] = [];
  let left = bodyBytes;
  while (left > chunk) {
    out.push(maxSlotsPerMessage);
    left -= chunk;
  }
  out.push(slotsFor(left + 2, maxSlotsPerMessage) ?? maxSlotsPerMessage);
  if (out.length > MAX_FRAGMENTS) throw new RangeError(`body of ${bodyBytes} bytes needs more than ${MAX_FRAGMENTS} fragments`);
  return out;
}

/** Largest body that still fits one unfragmented message of `slots` slots. */
export const maxSingleMessageBody = (slots: number): number => (MSG8_APP_DATA_BYTES[slots - 1] ?? 0) - 1;
