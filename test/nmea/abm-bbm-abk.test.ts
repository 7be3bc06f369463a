import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeAbm,
  encodeBbm,
  FragmentAssembler,
  joinApplicationData,
  NmeaFieldError,
  parseAbk,
  parseAbm,
  parseBbm,
  parseSentence,
  splitApplicationData,
  toAbmMessage,
  toBbmMessage,
  type AbmFragment,
  type BbmFragment,
} from '../../nmea/index.js';
import { bitsArb } from './arbitraries.js';
import { line } from './lines.js';

const app = fc.record({ dac: fc.integer({ min: 0, max: 1023 }), fid: fc.integer({ min: 0, max: 63 }) });

describe('ABM (IEC 61162-1 §8.3.1) and BBM (§8.3.9)', () => {
  it('BBM carries DAC/FI + data for message 8 across sentences of ≤ 82 characters and parses back', () => {
    fc.assert(
      fc.property(app, bitsArb(952), fc.integer({ min: 0, max: 9 }), fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<0 | 1 | 2 | 3>, (id, data, seqId, channel) => {
        const bits = joinApplicationData({ ...id, ...data });
        const lines = encodeBbm({ channel, messageId: 8, seqId, bits });
        const asm = new FragmentAssembler<BbmFragment>();
        let done;
        lines.forEach((l, k) => {
          expect(l.length + 2).toBeLessThanOrEqual(82);
          const f = parseBbm(parseSentence(l));
          if (k < lines.length - 1) expect(f.fillBits).toBe(0);
          done = asm.push(f, 0);
        });
        const m = toBbmMessage(done!);
        expect(m).toMatchObject({ channel, messageId: 8, seqId });
        expect(splitApplicationData(m.bits)).toEqual({ ...id, ...data });
      }),
      { numRuns: 200 },
    );
  });

  it('ABM addresses message 6 binary data to an MMSI with a 0–3 sequence number', () => {
    fc.assert(
      fc.property(app, bitsArb(920), fc.integer({ min: 0, max: 999_999_999 }), fc.integer({ min: 0, max: 3 }), (id, data, destMmsi, seqId) => {
        const bits = joinApplicationData({ ...id, ...data });
        const lines = encodeAbm({ destMmsi, channel: 3, messageId: 6, seqId, bits });
        const asm = new FragmentAssembler<AbmFragment>();
        let done;
        for (const l of lines) {
          expect(l.length + 2).toBeLessThanOrEqual(82);
          done = asm.push(parseAbm(parseSentence(l)), 0);
        }
        const m = toAbmMessage(done!);
        expect(m).toMatchObject({ destMmsi, channel: 3, messageId: 6, seqId });
        expect(splitApplicationData(m.bits, 6)).toEqual({ ...id, ...data });
      }),
      { numRuns: 200 },
    );
  });

  it('uses the sentence budget of the reference notes: 48 payload characters per ABM, 58 per BBM', () => {
    const bits = joinApplicationData({ dac: 0, fid: 1, data: new Uint8Array(66), dataBits: 528 });
    const bbm = encodeBbm({ channel: 0, messageId: 8, seqId: 0, bits });
    expect(bbm.map((l) => l.split(',')[6]!.length)).toEqual([58, 33]);
    expect(bbm[0]!.length).toBe(80);
    const abm = encodeAbm({ destMmsi: 123456789, channel: 0, messageId: 6, seqId: 0, bits });
    expect(abm[0]!.split(',')[7]!.length).toBe(48);
    expect(abm[0]!.length).toBe(80);
  });

  it('rejects out-of-range requests when building and malformed fields when parsing', () => {
    const bits = joinApplicationData({ dac: 0, fid: 1, data: new Uint8Array(0), dataBits: 0 });
    expect(() => encodeAbm({ destMmsi: 1, channel: 0, messageId: 6, seqId: 4, bits })).toThrow(RangeError);
    expect(() => encodeBbm({ channel: 0, messageId: 8, seqId: 0, bits: joinApplicationData({ dac: 0, fid: 0, data: new Uint8Array(120), dataBits: 960 }) })).toThrow(RangeError);
    expect(() => parseBbm(parseSentence(line('!', 'AIBBM,1,1,0,1,9,0,0')))).toThrow(NmeaFieldError);
  });
});

describe('ABK (IEC 61162-1 §8.3.2)', () => {
  it('parses addressed and broadcast acknowledgements', () => {
    expect(parseAbk(parseSentence(line('$', 'AIABK,244670500,A,6,2,0')))).toEqual({ mmsi: 244670500, channel: 'A', messageId: 6, seqNo: 2, ackType: 0 });
    expect(parseAbk(parseSentence(line('$', 'AIABK,,,8,5,3')))).toEqual({ mmsi: undefined, channel: '', messageId: 8, seqNo: 5, ackType: 3 });
  });

  it('rejects unknown acknowledgement types', () => {
    expect(() => parseAbk(parseSentence(line('$', 'AIABK,,,8,5,7')))).toThrow(NmeaFieldError);
  });
});
