/**
 * The simulator's report records (bench/sim/fields.ts: gpsd JSON names, `gpsdecode -u` units) as the codec's
 * AisMessage (nmea/ais.ts: the same names, but the UTC of msg 4 and the ETA of msg 5 as separate integer fields, and
 * msg 18's `assigned` flag, which gpsd prints only for its own reasons). ITU-R M.1371-5 Annex 8, msgs 1–5, 18, 24.
 */
import { encodeAis, type AisBits, type AisMessage } from '../../nmea/index.js';
import type { AisFields } from '../sim/index.js';

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
const ETA = /^(\d{2})-(\d{2})T(\d{2}):(\d{2})Z$/;

function parts(re: RegExp, text: string, what: string): number[] {
  const m = re.exec(text);
  if (m === null) throw new RangeError(`${what}: unexpected form ${JSON.stringify(text)}`);
  return m.slice(1).map(Number);
}

export function toAisMessage(f: AisFields): AisMessage {
  switch (f.type) {
    case 4: {
      const { timestamp, ...rest } = f;
      const [year, month, day, hour, minute, second] = parts(TIMESTAMP, timestamp, 'timestamp');
      return { ...rest, year, month, day, hour, minute, second } as AisMessage;
    }
    case 5: {
      const { eta, ...rest } = f;
      const [month, day, hour, minute] = parts(ETA, eta, 'eta');
      return { ...rest, month, day, hour, minute } as AisMessage;
    }
    case 18:
      // Autonomous mode: the simulator never assigns a Class B unit.
      return { ...f, assigned: false };
    default:
      return { ...f };
  }
}

export function encodeFields(f: AisFields): AisBits {
  return encodeAis(toAisMessage(f));
}
