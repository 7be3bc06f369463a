/**
 * The writers generated from the layouts and views (nmea/gpsd-compiled.ts) write exactly
 * `JSON.stringify(toGpsdJson(decodeAis(bits)))` — the object view is the reference — for well-formed messages of
 * every type and for random payloads of any length, and decline (undefined) every payload the codec rejects.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compiledGpsdTextOf } from '../../nmea/gpsd-compiled.js';
import { VIEWS } from '../../nmea/gpsd-views.js';
import { decodeAis, encodeAis, gpsdJsonText, type AisBits } from '../../nmea/index.js';
import { ALL_TYPES, GPSD_OPTIONS as OPTIONS, gpsdReference as reference, messageArb } from './arbitraries.js';

const COVERED = ALL_TYPES.filter((t) => VIEWS[t] !== undefined);

/** Random bits of `type`: the type field set, every other bit and the length random (38 to 1200 bits). */
const payloadArb = (type: number): fc.Arbitrary<AisBits> =>
  fc.integer({ min: 38, max: 1200 }).chain((bitLength) =>
    fc.uint8Array({ minLength: (bitLength + 7) >> 3, maxLength: (bitLength + 7) >> 3 }).map((raw) => {
      const bytes = Uint8Array.from(raw);
      bytes[0] = (type << 2) | (bytes[0]! & 3);
      if ((bitLength & 7) !== 0) bytes[bytes.length - 1]! &= (0xff << (8 - (bitLength & 7))) & 0xff;
      return { bytes, bitLength };
    }),
  );

/** Lengths near each layout's edges matter most: short, exact, a little longer. */
const nearArb = (type: number): fc.Arbitrary<AisBits> =>
  messageArb(type).chain((m) => {
    const bits = encodeAis(m);
    return fc.integer({ min: -12, max: 12 }).map((d) => {
      const bitLength = Math.max(38, bits.bitLength + d);
      const bytes = new Uint8Array((bitLength + 7) >> 3);
      bytes.set(bits.bytes.subarray(0, Math.min(bytes.length, bits.bytes.length)));
      if ((bitLength & 7) !== 0) bytes[bytes.length - 1]! &= (0xff << (8 - (bitLength & 7))) & 0xff;
      return { bytes, bitLength };
    });
  });

describe('writers generated from the layouts', () => {
  it('have a view for every type but 6, 8 (written from the payload tables, gpsd-compiled-asm.test.ts) and 24 (paired by the stream)', () => {
    expect(ALL_TYPES.filter((t) => !COVERED.includes(t))).toEqual([6, 8, 24]);
  });

  it.each(COVERED)('write JSON.stringify of the object view for random type %i messages', (type) => {
    fc.assert(
      fc.property(messageArb(type), (m) => {
        const bits = encodeAis(m);
        for (const o of OPTIONS) {
          const text = compiledGpsdTextOf(bits.bytes, bits.bitLength, o.scaled, o.gpsdCompat);
          // Every well-formed message is covered, except 25/26 under gpsd 3.22's reading.
          if (!(o.gpsdCompat && (type === 25 || type === 26))) expect(text).toBeDefined();
          if (text !== undefined) expect(text).toBe(reference(bits, o));
        }
      }),
      { numRuns: 80 },
    );
  });

  it.each(COVERED)('agree with the object view or decline, for random type %i payloads of any length', (type) => {
    fc.assert(
      fc.property(fc.oneof(payloadArb(type), nearArb(type)), (bits) => {
        for (const o of OPTIONS) {
          const text = compiledGpsdTextOf(bits.bytes, bits.bitLength, o.scaled, o.gpsdCompat);
          const ref = reference(bits, o);
          if (ref === undefined) expect(text).toBeUndefined();
          else if (text !== undefined) expect(text).toBe(ref);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('make gpsdJsonText take the generated path with the same text', () => {
    const m = { type: 5, repeat: 1, mmsi: 211000001, ais_version: 0, imo: 9_000_000, callsign: 'AB"\\1', shipname: 'NAME  @@', shiptype: 70, to_bow: 1, to_stern: 2, to_port: 3, to_starboard: 4, epfd: 1, month: 1, day: 2, hour: 3, minute: 4, draught: 45, destination: 'PORT @X', dte: 0 };
    const bits = encodeAis(m);
    const text = gpsdJsonText(decodeAis(bits), { scaled: true, bits });
    expect(text).toBe(compiledGpsdTextOf(bits.bytes, bits.bitLength, true));
    expect(JSON.parse(text)).toMatchObject({ callsign: 'AB"\\1', shipname: 'NAME', destination: 'PORT', draught: 4.5 });
  });
});
