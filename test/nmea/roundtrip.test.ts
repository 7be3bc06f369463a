import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  armour,
  BitReader,
  BitWriter,
  decodeAis,
  encodeAis,
  encodeVdm,
  parseSentence,
  parseVdm,
  unarmour,
  VdmAssembler,
  AisArmourError,
  AisFillBitsError,
  AisBitRangeError,
} from '../../nmea/index.js';
import { ALL_TYPES, bitsArb, messageArb } from './arbitraries.js';

describe('6-bit armour (IEC 61162-1 / M.1371 payload armouring)', () => {
  it('round-trips any bit string with the right fill bits', () => {
    fc.assert(
      fc.property(bitsArb(1200), ({ data, dataBits }) => {
        const { payload, fillBits } = armour(data, dataBits);
        expect(fillBits).toBe((6 - (dataBits % 6)) % 6);
        const back = unarmour(payload, fillBits);
        expect(back.bitLength).toBe(dataBits);
        expect(back.bytes.subarray(0, data.length)).toEqual(data);
      }),
    );
  });

  it('rejects characters outside the armour alphabet and fill bits above 5', () => {
    for (const c of ['X', '_', '~', ' ', 'x', '\u00e9']) expect(() => unarmour(`00${c}0`, 0)).toThrow(AisArmourError);
    expect(() => unarmour('0000', 6)).toThrow(AisFillBitsError);
    expect(() => unarmour('', 2)).toThrow(AisFillBitsError);
  });
});

describe('BitReader / BitWriter', () => {
  it('reads back what was written, signed and unsigned, at any alignment', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 48 }), fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }))), (fields) => {
        const w = new BitWriter(8);
        const values = fields.map(([width, signed, f]) => {
          const v = signed ? Math.floor(f * (2 ** width - 1)) - 2 ** (width - 1) : Math.floor(f * (2 ** width - 1));
          if (signed) w.i(v, width);
          else w.u(v, width);
          return v;
        });
        const { bytes, bitLength } = w.finish();
        const r = new BitReader(bytes, bitLength);
        let at = 0;
        fields.forEach(([width, signed], k) => {
          expect(signed ? r.i(at, width) : r.u(at, width)).toBe(values[k]);
          at += width;
        });
      }),
    );
  });

  it('throws past the end instead of inventing zeros, and range-checks on encode', () => {
    const r = new BitReader(new Uint8Array(2), 12);
    expect(() => r.u(6, 7)).toThrow(AisBitRangeError);
    expect(() => r.slice(0, 13)).toThrow(AisBitRangeError);
    expect(() => new BitWriter().u(64, 6)).toThrow(RangeError);
    expect(() => new BitWriter().i(-33, 6)).toThrow(RangeError);
    expect(() => new BitWriter().u(1.5, 6)).toThrow(RangeError);
    expect(() => new BitWriter().text('a', 1)).toThrow(RangeError);
  });
});

describe('AIS message codec round trip (ITU-R M.1371-5 Annex 8)', () => {
  it.each(ALL_TYPES)('decode(encode(m)) equals m for random type %i messages', (type) => {
    fc.assert(
      fc.property(messageArb(type), (m) => {
        expect(decodeAis(encodeAis(m))).toEqual(m);
      }),
      { numRuns: 200 },
    );
  });

  it('range-checks instead of masking: an MMSI of 2^30 does not encode', () => {
    expect(() => encodeAis({ type: 10, repeat: 0, mmsi: 2 ** 30, dest_mmsi: 1 })).toThrow(/mmsi/);
    expect(() => encodeAis({ type: 10, repeat: 0, mmsi: 1 })).toThrow(/dest_mmsi: missing/);
  });

  it('decode(encode(m)) equals m through VDM sentences: ≤ 82 characters, ids 0–9, fill bits only on the last', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALL_TYPES).chain(messageArb), fc.integer({ min: 0, max: 9 }), fc.constantFrom('A', 'B') as fc.Arbitrary<'A' | 'B'>, (m, seqId, channel) => {
        const lines = encodeVdm(m, { seqId, channel });
        const asm = new VdmAssembler();
        let out;
        lines.forEach((line, k) => {
          expect(line.length + 2).toBeLessThanOrEqual(82);
          const f = parseVdm(parseSentence(line));
          if (lines.length > 1) expect(f.seqId).toBe(seqId);
          if (k < lines.length - 1) expect(f.fillBits).toBe(0);
          out = asm.push(f, 0);
        });
        expect(out).toBeDefined();
        expect(decodeAis(out!.bits)).toEqual(m);
      }),
      { numRuns: 300 },
    );
  });
});

describe('tolerated short messages (gpsd AIVDM.adoc "Interaction with AIVDM padding")', () => {
  it('decodes a 420-bit type 5 and a 163-bit type 1 with the missing tail as zero, whatever lies past the end', () => {
    const m5 = encodeAis({
      type: 5, repeat: 0, mmsi: 1, ais_version: 0, imo: 2, callsign: 'ABC', shipname: 'X', shiptype: 70, to_bow: 1, to_stern: 2,
      to_port: 3, to_starboard: 4, epfd: 1, month: 1, day: 2, hour: 3, minute: 4, draught: 5, destination: 'Y', dte: 1,
    });
    const dirty = Uint8Array.from(m5.bytes);
    dirty[52]! |= 0x0f;
    expect(decodeAis({ bytes: dirty, bitLength: 420 })).toMatchObject({ type: 5, destination: expect.stringMatching(/^Y@+$/), dte: 0 });
    expect(() => decodeAis({ bytes: m5.bytes, bitLength: 419 })).toThrow(expect.objectContaining({ code: 'AIS_LENGTH' }));
    const m1 = encodeAis({ type: 1, repeat: 0, mmsi: 1, status: 0, turn: 0, speed: 0, accuracy: false, lon: 0, lat: 0, course: 0, heading: 0, second: 0, maneuver: 0, raim: true, radio: 0x7ffff });
    expect(decodeAis({ bytes: m1.bytes, bitLength: 163 })).toMatchObject({ raim: true, radio: 0x7ffe0 });
  });
});
