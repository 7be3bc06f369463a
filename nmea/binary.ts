/**
 * The "binary data" of messages 6 and 8 (ITU-R M.1371-5 Tables 54/57 and Annex 5 §2.1): a 16-bit application
 * identifier — DAC (10 bits) ‖ FI (6 bits) — followed by the application data. This is exactly what ABM/BBM
 * sentences carry (the transponder adds the header), and what the secure envelope fills.
 */
import { BitReader, BitWriter } from './bits.js';
import { AisLengthError } from './errors.js';
import type { AisBits } from './sixbit.js';

export interface ApplicationData {
  /** Designated area code 0–1023 (0 = test, 1 = international; ≥ 1000 reserved). */
  readonly dac: number;
  /** Function identifier 0–63. */
  readonly fid: number;
  /** Application data, left-aligned. */
  readonly data: Uint8Array;
  readonly dataBits: number;
}

/** Largest binary data (application identifier included) in message 6 / message 8 (M.1371-5 Tables 54, 57). */
export const MAX_BINARY_DATA_BITS = { 6: 936, 8: 968 } as const;

/** DAC ‖ FI ‖ data as one bit string. */
export function joinApplicationData(a: ApplicationData): AisBits {
  const w = new BitWriter(16 + a.dataBits);
  w.u(a.dac, 10, 'dac').u(a.fid, 6, 'fid').bits(a.data, a.dataBits, 'data');
  return w.finish();
}

/** Splits binary data into DAC, FI and application data; `AisLengthError` if shorter than 16 bits. */
export function splitApplicationData(bits: AisBits, messageId = 8): ApplicationData {
  if (bits.bitLength < 16) throw new AisLengthError(messageId, bits.bitLength, 'binary data of at least 16 bits');
  const r = new BitReader(bits.bytes, bits.bitLength);
  return { dac: r.u(0, 10), fid: r.u(10, 6), data: r.slice(16, bits.bitLength - 16), dataBits: bits.bitLength - 16 };
}
