/**
 * The writers generated for messages 6 and 8 (nmea/gpsd-compiled-asm.ts) write exactly what the object path writes
 * (`JSON.stringify(toGpsdJson(decodeAis(bits)))`, gpsd.ts `binary` and `jsonView`) for every payload table, at
 * random lengths around the table's own and with random field values, and for raw data under any DAC and FI; they
 * decline only what the module says they decline.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ASMS, findAsm, type AsmDef } from '../../nmea/asm.js';
import { BitReader } from '../../nmea/bits.js';
import { compiledGpsdTextOf } from '../../nmea/gpsd-compiled.js';
import type { AisBits } from '../../nmea/index.js';
import { GPSD_OPTIONS as OPTIONS, gpsdReference as reference } from './arbitraries.js';

/** Sets `width` bits at `at` to `v`. */
function setBits(bytes: Uint8Array, at: number, width: number, v: number): void {
  for (let k = 0; k < width; k++) {
    const bit = Math.floor(v / 2 ** (width - 1 - k)) & 1;
    const i = (at + k) >> 3;
    const mask = 0x80 >> ((at + k) & 7);
    bytes[i] = bit === 1 ? bytes[i]! | mask : bytes[i]! & ~mask;
  }
}

const DATA_AT = { 6: 88, 8: 56 } as const;

/** Random bits of a message 6/8 with this DAC and FI, `bitLength` long. */
const messageArb = (type: 6 | 8, dac: fc.Arbitrary<number>, fid: fc.Arbitrary<number>, bitLength: fc.Arbitrary<number>): fc.Arbitrary<AisBits> =>
  fc.tuple(dac, fid, bitLength).chain(([d, f, n]) =>
    fc.uint8Array({ minLength: (n + 7) >> 3, maxLength: (n + 7) >> 3 }).map((raw) => {
      const bytes = Uint8Array.from(raw);
      setBits(bytes, 0, 6, type);
      setBits(bytes, DATA_AT[type] - 16, 10, d);
      setBits(bytes, DATA_AT[type] - 6, 6, f);
      if ((n & 7) !== 0) bytes[bytes.length - 1]! &= (0xff << (8 - (n & 7))) & 0xff;
      return { bytes, bitLength: n };
    }),
  );

/** Lengths that matter for a table: its own (exact for those that require it), shorter, and whole groups more. */
function lengthArb(def: AsmDef): fc.Arbitrary<number> {
  const fixed = def.layout.fixedBits;
  const size = def.array?.size ?? 6;
  const options = [fc.integer({ min: Math.max(DATA_AT[def.type], fixed - 30), max: Math.min(1200, fixed + 4 * size + 7) })];
  if (def.messageBits !== undefined) options.push(fc.constant(def.messageBits));
  return fc.oneof(...options);
}

/** The payload table a message 6/8 names by its DAC and FI (random ones sometimes name one). */
function tableOf(bits: AisBits): AsmDef | undefined {
  const type = bits.bytes[0]! >> 2;
  const at = type === 6 ? 88 : 56;
  const r = new BitReader(bits.bytes, bits.bitLength);
  return bits.bitLength < at ? undefined : findAsm(type, r.u(at - 16, 10), r.u(at - 6, 6));
}

/** What the writers decline, by the module's own rules; everything else they must write. */
function declined(def: AsmDef | undefined, o: (typeof OPTIONS)[number]): boolean {
  if (def === undefined || def.array === undefined) return false;
  if (o.gpsdCompat && def.array.gpsdStartsWithin === true) return true;
  return def.array.count.kind === 'field';
}

/** Every payload table, named type/DAC/FI. */
const TABLES = ASMS.map((d) => [`${d.type}/${d.dac}/${d.fid}`, d] as const);

describe('writers generated for messages 6 and 8', () => {
  it.each(TABLES)('write what the object path writes for %s', (_, def) => {
    fc.assert(
      fc.property(messageArb(def.type, fc.constant(def.dac), fc.constant(def.fid), lengthArb(def)), (bits) => {
        for (const o of OPTIONS) {
          const text = compiledGpsdTextOf(bits.bytes, bits.bitLength, o.scaled, o.gpsdCompat);
          const ref = reference(bits, o);
          if (ref === undefined) expect(text).toBeUndefined();
          else if (text === undefined) expect(declined(def, o)).toBe(true);
          else expect(text).toBe(ref);
        }
      }),
      { numRuns: 60 },
    );
  });

  it.each([6, 8] as const)('write raw data, or the table a random DAC and FI name, as the object path does for message %i', (type) => {
    fc.assert(
      fc.property(messageArb(type, fc.integer({ min: 0, max: 1023 }), fc.integer({ min: 0, max: 63 }), fc.integer({ min: 38, max: 1200 })), (bits) => {
        for (const o of OPTIONS) {
          const text = compiledGpsdTextOf(bits.bytes, bits.bitLength, o.scaled, o.gpsdCompat);
          const ref = reference(bits, o);
          if (ref === undefined) expect(text).toBeUndefined();
          else if (text === undefined) expect(declined(tableOf(bits), o)).toBe(true);
          else expect(text).toBe(ref);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('write a counted group whose elements lie within the message, and decline one that runs past it', () => {
    const def = ASMS.find((d) => d.array?.count.kind === 'field')!;
    const count = def.array!.count as { field: string };
    const [, start, width] = def.layout.fields.find((f) => f[0] === count.field)!;
    const within = Math.floor((def.layout.fixedBits + 2 * def.array!.size - def.array!.start) / def.array!.size);
    const n = def.array!.start + 2 * def.array!.size;
    const bytes = new Uint8Array((n + 7) >> 3);
    setBits(bytes, 0, 6, def.type);
    setBits(bytes, DATA_AT[def.type] - 16, 10, def.dac);
    setBits(bytes, DATA_AT[def.type] - 6, 6, def.fid);
    setBits(bytes, start, width, 2);
    const bits = { bytes, bitLength: n };
    expect(within).toBe(2);
    expect(compiledGpsdTextOf(bits.bytes, bits.bitLength, false)).toBe(reference(bits, { scaled: false, gpsdCompat: false }));
    setBits(bytes, start, width, 3);
    expect(compiledGpsdTextOf(bits.bytes, bits.bitLength, false)).toBeUndefined();
  });
});
