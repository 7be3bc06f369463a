/**
 * Writes samples/own-ship.nmea: two minutes of a transponder's own-ship position reports (ITU-R M.1371-5 message 1
 * as !AIVDO, IEC 61162-1 CRLF) for MMSI 237000001 steaming south out of the Saronic Gulf at 12 kn, one every 10 s
 * as a Class A ship at that speed reports. Run: npx tsx scripts/make-own-ship-sample.ts
 */
import { writeFileSync } from 'node:fs';
import { encodeAis, encodeVdm } from '../nmea/index.js';

const MMSI = 237_000_001;
const KNOTS = 12;
const lines: string[] = [];
for (let i = 0; i < 12; i++) {
  const seconds = i * 10;
  // Due south: 12 kn is 12 arc-minutes of latitude an hour.
  const latMinutes = 37.9 * 60 - (KNOTS * seconds) / 3600;
  const report = {
    type: 1, repeat: 0, mmsi: MMSI, status: 0, turn: 0, speed: KNOTS * 10, accuracy: true,
    lon: Math.round(23.6 * 600_000), lat: Math.round(latMinutes * 10_000), course: 1800, heading: 180,
    second: (14 + seconds) % 60, maneuver: 0, spare: 0, raim: false, radio: 0,
  };
  lines.push(...encodeVdm(encodeAis(report), { formatter: 'VDO', channel: i % 2 === 0 ? 'A' : 'B' }));
}
writeFileSync(new URL('../samples/own-ship.nmea', import.meta.url), lines.map((l) => `${l}\r\n`).join(''));
