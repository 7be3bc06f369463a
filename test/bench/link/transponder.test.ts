/** The bench's transponder and field conversion: what goes on the simulated air is what the appliance asked for. */
import { describe, expect, it } from 'vitest';
import { encodeFields, toAisMessage } from '../../../bench/link/ais-fields.js';
import { BenchPkg } from '../../../bench/link/keys.js';
import { SimTransponder } from '../../../bench/link/transponder.js';
import { EPOCH_MS } from '../../../bench/link/world.js';
import { createRng, createTraffic, randomFleet } from '../../../bench/sim/index.js';
import { SecureTx } from '../../../firmware/secure-tx.js';
import { decodeAis, toGpsdJson } from '../../../nmea/index.js';

describe('simulator fields as AIS messages', () => {
  it('decode back to the gpsd records the simulator produced', () => {
    const rng = createRng(3);
    const stations = randomFleet(rng.fork(1), { classA: 6, classB: 3, baseStations: 1, areaRadiusNm: 10, epochMs: EPOCH_MS });
    const traffic = createTraffic({ centre: { lat: 57.7, lon: 11.6 }, areaRadiusNm: 10, epochMs: EPOCH_MS, stations }, rng.fork(2));
    const types = new Set<number>();
    while (traffic.peekTime() < 400_000) {
      const { fields } = traffic.next();
      types.add(fields.type);
      const decoded = decodeAis(encodeFields(fields));
      const json = toGpsdJson(decoded, { scaled: false }) as unknown as Record<string, unknown>;
      // gpsd's JSON has no partno (it merges the two parts of msg 24); the decoded message has.
      for (const [k, v] of Object.entries(fields)) expect([k, k === 'partno' ? decoded['partno'] : json[k]]).toEqual([k, v]);
    }
    expect([4, 5, 18, 24].filter((t) => types.has(t))).toEqual([4, 5, 18, 24]);
    expect(toAisMessage({ type: 18, repeat: 0, mmsi: 1, reserved: 0, speed: 0, accuracy: false, lon: 0, lat: 0, course: 0, heading: 0, second: 0, regional: 0, cs: true, display: false, dsc: false, band: false, msg22: false, raim: false, radio: 0 })).toHaveProperty('assigned', false);
  });
});

describe('SimTransponder', () => {
  it('sends BBM as message 8 from its own MMSI with the slots SecureTx counted', () => {
    const pkg = new BenchPkg('transponder', EPOCH_MS, EPOCH_MS + 60_000);
    const mmsi = 265_100_001;
    const tx = new SecureTx({ mode: 2, emit: 'bbm' }, { params: pkg.params, identity: pkg.identity(mmsi) });
    const bits = encodeFields({
      type: 1, repeat: 0, mmsi, status: 0, turn: -128, speed: 100, accuracy: true, lon: 6_960_000, lat: 34_620_000,
      course: 900, heading: 90, second: 10, maneuver: 0, raim: false, radio: 0,
    });
    const lines = tx.secure(bits, mmsi, 1, EPOCH_MS + 10_000);
    const air = new SimTransponder(mmsi).push(lines, EPOCH_MS + 10_000);
    expect(air.length).toBe(tx.counters.messages);
    expect(air.reduce((n, a) => n + a.slots, 0)).toBe(tx.counters.slots);
    for (const a of air) {
      expect(a.type).toBe(8);
      expect(new Set(a.lines.map((l) => l.split(',')[4]))).toEqual(new Set([air[0]!.channel]));
    }
  });
});
