import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AisFragmentError,
  AisFillBitsError,
  NmeaError,
  encodeAis,
  encodeVdm,
  parseSentence,
  parseVdm,
  VdmAssembler,
  type AisBits,
  type VdmFragment,
} from '../../nmea/index.js';
import { bitsArb } from './arbitraries.js';
import { line } from './lines.js';

const hex = (b: AisBits): string => `${b.bitLength}:${Buffer.from(b.bytes.subarray(0, (b.bitLength + 7) >> 3)).toString('hex')}`;
const fragments = (lines: string[]): VdmFragment[] => lines.map((l) => parseVdm(parseSentence(l)));

/** A type 8 message of `bits` data bits: 56 + bits, so 0–900 bits spans one to five sentences. */
function longMessage(data: { data: Uint8Array; dataBits: number }, mmsi: number) {
  return { type: 8, repeat: 0, mmsi, dac: 0, fid: 1, ...data };
}

describe('VDM multi-sentence assembly', () => {
  const three = encodeVdm(longMessage({ data: new Uint8Array(88).fill(0xa5), dataBits: 700 }, 1), { seqId: 3 });

  it('joins fragments in order and hands back the sentences', () => {
    expect(three).toHaveLength(3);
    const asm = new VdmAssembler();
    const [a, b, c] = fragments(three);
    expect(asm.push(a!, 0)).toBeUndefined();
    expect(asm.push(b!, 1)).toBeUndefined();
    const done = asm.push(c!, 2);
    expect(done?.fragments.map((f) => f.sentence.raw)).toEqual(three);
    expect(asm.pending).toBe(0);
  });

  it('raises typed errors for orphan, duplicate and missing parts', () => {
    const [a, b, c] = fragments(three);
    const asm = new VdmAssembler();
    expect(() => asm.push(b!, 0)).toThrow(expect.objectContaining({ code: 'AIS_FRAGMENT_ORDER' }));
    asm.push(a!, 0);
    asm.push(b!, 0);
    expect(() => asm.push(b!, 0)).toThrow(expect.objectContaining({ code: 'AIS_FRAGMENT_DUPLICATE' }));
    const asm2 = new VdmAssembler();
    asm2.push(a!, 0);
    expect(() => asm2.push(c!, 0)).toThrow(expect.objectContaining({ code: 'AIS_FRAGMENT_MISSING' }));
    expect(asm2.pending).toBe(0);
  });

  it('rejects bad counts and fill bits on a non-final fragment', () => {
    const bad = (body: string): string => line('!', body);
    expect(() => parseVdm(parseSentence(bad('AIVDM,0,1,,A,1,0')))).toThrow(AisFragmentError);
    expect(() => parseVdm(parseSentence(bad('AIVDM,2,3,1,A,1,0')))).toThrow(AisFragmentError);
    expect(() => parseVdm(parseSentence(bad('AIVDM,2,1,1,A,1,2')))).toThrow(AisFillBitsError);
    expect(() => parseVdm(parseSentence(bad('AIVDM,1,1,,A,1,6')))).toThrow(AisFillBitsError);
  });

  it('expires incomplete messages by the caller-supplied time and evicts the oldest beyond the cap', () => {
    const dropped: string[] = [];
    const asm = new VdmAssembler({ maxPending: 2, timeoutMs: 1000, onDiscard: (e) => dropped.push(e.code) });
    for (const seqId of [0, 1, 2]) asm.push(fragments(encodeVdm(longMessage({ data: new Uint8Array(60), dataBits: 480 }, 1), { seqId }))[0]!, 0);
    expect(asm.pending).toBe(2);
    expect(dropped).toEqual(['AIS_FRAGMENT_EVICTED']);
    expect(asm.expire(1001)).toBe(2);
    expect(dropped).toEqual(['AIS_FRAGMENT_EVICTED', 'AIS_FRAGMENT_EXPIRED', 'AIS_FRAGMENT_EXPIRED']);
  });

  it('under shuffled, duplicated and dropped parts: never crashes, never exceeds its cap, never invents a message', () => {
    const cap = 4;
    const message = fc.tuple(bitsArb(900), fc.integer({ min: 0, max: 2 ** 30 - 1 }));
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 20 }),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom('keep', 'drop', 'dup')), { minLength: 200, maxLength: 200 }),
        (msgs, plan) => {
          // Distinct (channel, sequential id) per message in flight, as a sender cycling ids 0–9 per channel gives.
          const sent = new Set<string>();
          const all: VdmFragment[] = [];
          msgs.forEach(([data, mmsi], k) => {
            const bits = encodeAis(longMessage(data, mmsi));
            sent.add(hex(bits));
            all.push(...fragments(encodeVdm(bits, { seqId: k % 10, channel: k < 10 ? 'A' : 'B' })));
          });
          const stream: VdmFragment[] = [];
          all.forEach((f, k) => {
            const [, action] = plan[k % plan.length]!;
            if (action !== 'drop') stream.push(f);
            if (action === 'dup') stream.push(f);
          });
          for (let k = stream.length - 1; k > 0; k--) {
            const j = plan[k % plan.length]![0] % (k + 1);
            [stream[k], stream[j]] = [stream[j]!, stream[k]!];
          }
          const asm = new VdmAssembler({ maxPending: cap, timeoutMs: 50 });
          stream.forEach((f, t) => {
            let out;
            try {
              out = asm.push(f, t);
            } catch (e) {
              expect(e).toBeInstanceOf(NmeaError);
            }
            if (out !== undefined) expect(sent.has(hex(out.bits))).toBe(true);
            expect(asm.pending).toBeLessThanOrEqual(cap);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
