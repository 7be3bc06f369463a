/**
 * The compiled JSON writer (nmea/gpsd-writer.ts) and the direct text of position reports (nmea/gpsd.ts
 * `gpsdJsonText`) write exactly what JSON.stringify writes for gpsd's view of any message: every AIS type, every structured payload table, scaled and unscaled, with and without gpsd's readings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ASMS, encodeAsm } from '../../nmea/asm.js';
import { decodeAis, encodeAis, gpsdJsonText, toGpsdJson, writeGpsdJson, type AisMessage } from '../../nmea/index.js';
import { ALL_TYPES, asmArb, GPSD_OPTIONS as OPTIONS, messageArb } from './arbitraries.js';

function same(m: AisMessage): void {
  const bits = encodeAis(m);
  const decoded = decodeAis(bits);
  for (const o of OPTIONS) {
    const view = toGpsdJson(decoded, { ...o, bits });
    expect(writeGpsdJson(view)).toBe(JSON.stringify(view));
    expect(gpsdJsonText(decoded, { ...o, bits })).toBe(JSON.stringify(view));
  }
}

describe('writeGpsdJson and gpsdJsonText', () => {
  it.each(ALL_TYPES)('equals JSON.stringify of the gpsd view for random type %i messages', (type) => {
    fc.assert(fc.property(messageArb(type), same), { numRuns: 60 });
  });

  it.each(ASMS.map((d) => [`${d.type}/${d.dac}/${d.fid}`, d] as const))('equals JSON.stringify for random %s payloads', (_, def) => {
    fc.assert(
      fc.property(asmArb(def), ({ fields, elements }) => {
        fc.pre(def.accept === undefined || def.accept(fields as never));
        const a = encodeAsm(def.type, def.dac, def.fid, fields, elements);
        same((def.type === 6 ? { type: 6, repeat: 0, mmsi: 1, seqno: 0, dest_mmsi: 2, retransmit: false, ...a } : { type: 8, repeat: 0, mmsi: 1, ...a }) as AisMessage);
      }),
      { numRuns: 25 },
    );
  });

  it('equals JSON.stringify for any plain object, whatever its values, also after its shape was compiled', () => {
    const value = fc.oneof(fc.integer(), fc.double(), fc.string({ unit: 'binary' }), fc.boolean(), fc.constant(undefined), fc.constant(null));
    const obj = fc.record({ type: fc.constantFrom(1, 5, 'x'), a: value, b: value, c: fc.array(fc.dictionary(fc.string(), value), { maxLength: 3 }) });
    fc.assert(
      fc.property(obj, obj, (x, y) => {
        expect(writeGpsdJson(x)).toBe(JSON.stringify(x));
        expect(writeGpsdJson(y)).toBe(JSON.stringify(y));
      }),
      { numRuns: 500 },
    );
  });
});
