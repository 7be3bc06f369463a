/** The original AIS message carried inside a secured body. */
import { decodeAis, NmeaError, type AisBits as NmeaBits, type AisMessage } from '../../nmea/index.js';
import type { AisBits } from '../bodies.js';
import { Reject } from './reject.js';

export function toNmeaBits(b: AisBits): NmeaBits {
  return { bytes: b.bytes, bitLength: b.bytes.length * 8 - b.fill };
}

/** Decodes secured content; content that is not an AIS message is MALFORMED. */
export function decodeReport(bits: NmeaBits): AisMessage {
  try {
    return decodeAis(bits);
  } catch (e) {
    if (e instanceof NmeaError) throw new Reject('MALFORMED', `secured content is not an AIS message: ${e.message}`);
    throw e;
  }
}
