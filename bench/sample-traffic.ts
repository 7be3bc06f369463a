/**
 * Plausible own-ship traffic built with our encoder, for `make run` until the simulator exists: a Class A
 * vessel's position reports (type 1) and static/voyage data (type 5), a Class B yacht's position and static
 * reports (types 18, 24 A/B) and a binary broadcast (type 8, DAC 0 = test, ITU-R M.1371-5 Annex 5 §2.1).
 */
import { encodeVdm, SequentialId, type AisMessage } from '../nmea/index.js';

export interface SampleTraffic {
  readonly messages: readonly AisMessage[];
  readonly sentences: readonly string[];
}

/** Minutes of arc × 10⁴, the unit of M.1371 positions. */
const pos = (deg: number): number => Math.round(deg * 600_000);

/** `count` rounds of reports for two vessels leaving Piraeus; deterministic, no clock or randomness. */
export function sampleTraffic(count = 3): SampleTraffic {
  const messages: AisMessage[] = [];
  for (let k = 0; k < count; k++) {
    messages.push({
      type: 1, repeat: 0, mmsi: 239_123_456, status: 0, turn: 0, speed: 124, accuracy: true,
      lon: pos(23.6 + 0.002 * k), lat: pos(37.94 - 0.001 * k), course: 2150, heading: 215, second: (10 * k) % 60,
      maneuver: 0, raim: false, radio: 0,
    });
    messages.push({
      type: 18, repeat: 0, mmsi: 239_987_654, reserved: 0, speed: 61, accuracy: false,
      lon: pos(23.65 - 0.001 * k), lat: pos(37.93), course: 900, heading: 91, second: (10 * k + 5) % 60, regional: 0,
      cs: true, display: false, dsc: true, band: true, msg22: true, assigned: false, raim: false, radio: 917510,
    });
  }
  messages.push({
    type: 5, repeat: 0, mmsi: 239_123_456, ais_version: 2, imo: 9_321_483, callsign: 'SVA1234', shipname: 'AEGEAN STAR',
    shiptype: 70, to_bow: 120, to_stern: 30, to_port: 12, to_starboard: 13, epfd: 1, month: 6, day: 14, hour: 18,
    minute: 30, draught: 84, destination: 'VALLETTA', dte: 0,
  });
  messages.push({ type: 24, repeat: 0, mmsi: 239_987_654, partno: 0, shipname: 'MELTEMI' });
  messages.push({
    type: 24, repeat: 0, mmsi: 239_987_654, partno: 1, shiptype: 37, vendorid: 'MIB', model: 1, serial: 4242,
    callsign: 'SV9876', to_bow: 8, to_stern: 4, to_port: 2, to_starboard: 2,
  });
  messages.push({ type: 8, repeat: 0, mmsi: 239_123_456, dac: 0, fid: 1, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), dataBits: 80 });
  const ids = new SequentialId();
  const sentences = messages.flatMap((m) => encodeVdm(m, { seqId: ids.next(), channel: m.type === 18 || m.type === 24 ? 'B' : 'A' }));
  return { messages, sentences };
}
