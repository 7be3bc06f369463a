/**
 * The (MMSI, message type) an own-ship sentence reports, read from a single-sentence VDO/VDM's payload header
 * (ITU-R M.1371-5 §3.3.7: type in bits 0–5, MMSI in bits 8–37). The daemon keys the radio port's queue with it, so a
 * newer report of the same ship and type replaces one still waiting there instead of following it in a burst.
 * Multi-sentence messages (static data) carry no header in their last sentence and are not keyed.
 */
import { isVdm, parseSentence } from '../../nmea/index.js';

/** Bits of the header read: message type (6), repeat indicator (2), MMSI (30). */
const HEADER_CHARS = 7;

export function ownShipKey(line: string): string | undefined {
  let fields: readonly string[];
  try {
    const s = parseSentence(line);
    if (!isVdm(s)) return undefined;
    fields = s.fields;
  } catch {
    return undefined; // not ours to judge: the pipeline counts it
  }
  const payload = fields[4];
  if (fields[0] !== '1' || payload === undefined || payload.length < HEADER_CHARS) return undefined;
  let bits = 0n;
  for (let i = 0; i < HEADER_CHARS; i += 1) {
    let v = payload.charCodeAt(i) - 48;
    if (v > 40) v -= 8;
    if (v < 0 || v > 63) return undefined;
    bits = (bits << 6n) | BigInt(v);
  }
  const type = Number(bits >> 36n);
  const mmsi = Number((bits >> 4n) & 0x3fff_ffffn);
  return `${mmsi}/${type}`;
}
