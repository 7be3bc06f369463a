/**
 * An own-ship message as it goes out in mode 3 (paper §3, anonymous mode): under the authority-issued pseudo-MMSI,
 * with the static and voyage fields that name the ship scrubbed (docs/modes.md). What stays is what collision
 * avoidance needs: ship type, dimensions, draught, position-fixing device. Scrubbed text fields read "not available"
 * ('@'), the IMO number 0, the ETA its "not available" values (ITU-R M.1371-5 Table 48).
 */
import { decodeAis, encodeAis, replaceMmsi, type AisBits, type AisMessage } from '../nmea/index.js';

const NO_TEXT = '';
const SCRUB: Readonly<Record<number, Readonly<Record<string, string | number>>>> = {
  5: { imo: 0, callsign: NO_TEXT, shipname: NO_TEXT, destination: NO_TEXT, month: 0, day: 0, hour: 24, minute: 60 },
  19: { shipname: NO_TEXT },
};
const SCRUB_24A = { shipname: NO_TEXT };
const SCRUB_24B = { vendorid: NO_TEXT, model: 0, serial: 0, callsign: NO_TEXT };

/** Message types whose fields are scrubbed under a pseudonym. */
export const SCRUBBED_TYPES: ReadonlySet<number> = new Set([5, 19, 24]);

/** `bits` under `pseudo`, with identifying static and voyage fields removed. */
export function pseudonymous(bits: AisBits, type: number, pseudo: number): AisBits {
  if (!SCRUBBED_TYPES.has(type)) return replaceMmsi(bits, pseudo);
  const m: AisMessage = { ...decodeAis(bits) };
  if (type === 24) {
    Object.assign(m, m['partno'] === 0 ? SCRUB_24A : SCRUB_24B);
    if ('mothership_mmsi' in m) {
      // An auxiliary craft names its mother ship; under a pseudonym the part carries "dimensions not available".
      delete m['mothership_mmsi'];
      Object.assign(m, { to_bow: 0, to_stern: 0, to_port: 0, to_starboard: 0 });
    }
  } else {
    Object.assign(m, SCRUB[type]);
  }
  m.mmsi = pseudo;
  return encodeAis(m);
}
