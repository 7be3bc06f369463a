/**
 * The MMSI range identities are made of (crypto/identity.ts: nine decimal digits). AIS header fields are 30 bits
 * wide (ITU-R M.1371-5 Annex 8), so a transmitter can name 1 000 000 000–1 073 741 823: never an identity.
 */
import { MAX_MMSI } from '../bodies.js';

export function isMmsi(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= MAX_MMSI;
}
