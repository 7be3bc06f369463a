import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AisLengthError, BitReader, decodeAis, encodeAis, replaceMmsi } from '../../nmea/index.js';
import { anyMessageArb } from './arbitraries.js';

describe('replaceMmsi', () => {
  it('changes the MMSI and nothing else, for every message type', () => {
    fc.assert(
      fc.property(anyMessageArb, fc.integer({ min: 0, max: 2 ** 30 - 1 }), (m, mmsi) => {
        const bits = encodeAis(m);
        const out = replaceMmsi(bits, mmsi);
        expect(out.bitLength).toBe(bits.bitLength);
        expect(decodeAis(out).mmsi).toBe(mmsi);
        // Every other bit is kept. (Fields are not compared: type 24B reads dimensions or a mother ship's MMSI
        // depending on whether the MMSI is an auxiliary craft's, 98xxxxxxx.)
        const r = new BitReader(out.bytes, out.bitLength);
        const o = new BitReader(bits.bytes, bits.bitLength);
        for (let i = 0; i < bits.bitLength; i++) if (i < 8 || i >= 38) expect(r.u(i, 1)).toBe(o.u(i, 1));
        expect(replaceMmsi(out, m.mmsi).bytes).toEqual(bits.bytes);
      }),
    );
  });
  it('refuses a message too short to hold an MMSI, and an MMSI wider than 30 bits', () => {
    expect(() => replaceMmsi({ bytes: new Uint8Array(4), bitLength: 30 }, 1)).toThrow(AisLengthError);
    expect(() => replaceMmsi(encodeAis(decodeAis(encodeAis({ type: 27, repeat: 0, mmsi: 1, accuracy: false, raim: false, status: 0, lon: 0, lat: 0, speed: 0, course: 0, gnss: false, spare: 0 }))), 2 ** 30)).toThrow(RangeError);
  });
});
