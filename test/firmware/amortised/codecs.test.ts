import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AmortisedError,
  batchBodyLength,
  decodeAnchorBody,
  decodeBatchBody,
  encodeAnchorBody,
  encodeBatchBody,
  messageSlotsForBody,
  reconstructSecond,
  t6Of,
  type TeslaParams,
} from '../../../firmware/amortised/index.js';

const paramsArb: fc.Arbitrary<TeslaParams> = fc
  .record({
    intervalS: fc.integer({ min: 1, max: 64 }),
    d: fc.integer({ min: 1, max: 64 }),
    tagBytes: fc.integer({ min: 1, max: 4 }),
    keyBytes: fc.constantFrom(8, 10, 12, 16),
    window: fc.integer({ min: 1, max: 4 }),
  })
  .filter((p) => p.window * p.intervalS <= 256)
  .map((p) => ({ intervalS: p.intervalS, disclosureDelayS: Math.min(p.d, p.intervalS), tagBytes: p.tagBytes, keyBytes: p.keyBytes, window: p.window }));

describe('anchor body (kind 5)', () => {
  it('round-trips every field', () => {
    fc.assert(
      fc.property(
        paramsArb,
        fc.integer({ min: 0, max: 63 }),
        fc.constantFrom(0 as const, 1 as const),
        fc.constantFrom(0 as const, 1 as const),
        fc.integer({ min: 0, max: 31 }),
        fc.boolean(),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (params, t6, epochParity, gen, back, compact, keySrc) => {
          const a = { t6, epochParity, gen, params, back, salt: keySrc.slice(8), key: keySrc.slice(0, params.keyBytes), signature: new Uint8Array(compact ? 64 : 80).fill(7) };
          const body = encodeAnchorBody(a);
          expect(body.length).toBe(4 + 8 + params.keyBytes + (compact ? 64 : 80));
          expect(decodeAnchorBody(body)).toEqual(a);
        },
      ),
    );
  });

  it('packs the header bits as documented', () => {
    const body = encodeAnchorBody({
      t6: 0b101010,
      epochParity: 1,
      gen: 1,
      params: { intervalS: 30, disclosureDelayS: 8, tagBytes: 3, keyBytes: 10, window: 2 },
      back: 2,
      salt: new Uint8Array(8),
      key: new Uint8Array(10),
      signature: new Uint8Array(64),
    });
    // t6 | ep | compact ; gen | keyCode=1 | τ−1=2 | W−1=1 | (P−1=29)>>5=0 ; (29&31)<<3 | (d−1=7)>>3 ; (7&7)<<5 | back
    expect([...body.subarray(0, 4)]).toEqual([0b10101011, 0b10110010, (29 << 3) | 0, (7 << 5) | 2]);
  });

  it('rejects wrong lengths and impossible parameters with typed errors', () => {
    expect(() => decodeAnchorBody(new Uint8Array(3))).toThrow(AmortisedError);
    const ok = encodeAnchorBody({
      t6: 1,
      epochParity: 0,
      gen: 0,
      params: { intervalS: 10, disclosureDelayS: 10, tagBytes: 3, keyBytes: 8, window: 2 },
      back: 1,
      salt: new Uint8Array(8),
      key: new Uint8Array(8),
      signature: new Uint8Array(64),
    });
    expect(() => decodeAnchorBody(ok.subarray(0, ok.length - 1))).toThrow(AmortisedError);
    const badDelay = ok.slice();
    badDelay[3] = ((badDelay[3] ?? 0) & 0x1f) | (7 << 5); // d = 16 > P = 10
    badDelay[2] = ((badDelay[2] ?? 0) & 0xf8) | 1;
    expect(() => decodeAnchorBody(badDelay)).toThrow(expect.objectContaining({ code: 'AMORTISED_BODY_FIELD' }));
  });
});

describe('batch body (kind 6)', () => {
  it('round-trips batches and bare keys', () => {
    fc.assert(
      fc.property(paramsArb, fc.integer({ min: 0, max: 63 }), fc.constantFrom(0 as const, 1 as const), fc.integer({ min: 0, max: 40 }), fc.integer(), (p, t6, gen, n, salt) => {
        const key = new Uint8Array(p.keyBytes).fill(salt & 0xff);
        const offsets = Array.from({ length: n }, (_, i) => Math.abs((salt + i * 7919) % (p.window * p.intervalS))).sort((a, b) => a - b);
        const entries = offsets.map((offset, i) => ({ offset, tag: new Uint8Array(p.tagBytes).fill(i) }));
        const body = encodeBatchBody(p, { keyOnly: false, t6, gen, key, entries });
        expect(body.length).toBe(batchBodyLength(p, n));
        expect(decodeBatchBody(p, body)).toEqual({ keyOnly: false, t6, gen, key, entries });
        const bare = encodeBatchBody(p, { keyOnly: true, t6, gen, key });
        expect(bare.length).toBe(1 + p.keyBytes);
        expect(decodeBatchBody(p, bare)).toEqual({ keyOnly: true, t6, gen, key });
      }),
    );
  });

  it('rejects ragged lengths, out-of-window and unordered offsets', () => {
    const p: TeslaParams = { intervalS: 30, disclosureDelayS: 30, tagBytes: 3, keyBytes: 8, window: 2 };
    const body = encodeBatchBody(p, { keyOnly: false, t6: 3, gen: 0, key: new Uint8Array(8), entries: [{ offset: 5, tag: new Uint8Array(3) }, { offset: 9, tag: new Uint8Array(3) }] });
    expect(() => decodeBatchBody(p, body.subarray(0, body.length - 1))).toThrow(expect.objectContaining({ code: 'AMORTISED_BODY_LENGTH' }));
    const swapped = body.slice();
    swapped[9] = 9;
    swapped[13] = 5;
    expect(() => decodeBatchBody(p, swapped)).toThrow(expect.objectContaining({ code: 'AMORTISED_BODY_FIELD' }));
    const outside = body.slice();
    outside[13] = 60;
    expect(() => decodeBatchBody(p, outside)).toThrow(expect.objectContaining({ code: 'AMORTISED_BODY_FIELD' }));
  });

  it('a bare 8-byte key fills exactly one 1-slot message 8', () => {
    expect(messageSlotsForBody(9)).toEqual([1]);
  });
});

describe('slots (envelope table)', () => {
  it('matches the envelope doc: 10/38/66 B per 1/2/3 slots, 2-byte headers when fragmented', () => {
    expect(messageSlotsForBody(9)).toEqual([1]);
    expect(messageSlotsForBody(10)).toEqual([2]);
    expect(messageSlotsForBody(37)).toEqual([2]);
    expect(messageSlotsForBody(65)).toEqual([3]);
    // 84-byte anchor (8-byte key, compact signature): 64 B in a 3-slot fragment, 20 B in a 2-slot one.
    expect(messageSlotsForBody(84)).toEqual([3, 2]);
    expect(messageSlotsForBody(100)).toEqual([3, 2]);
    expect(messageSlotsForBody(72)).toEqual([3, 1]);
  });
});

describe('t6 time rule', () => {
  it('reconstructs the nearest second with the residue, within ±32 s', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000_000, max: 4_000_000_000 }), fc.integer({ min: -31, max: 31 }), (sec, skew) => {
        expect(reconstructSecond(t6Of(sec), sec + skew + 0.5)).toBe(sec);
      }),
    );
  });
});
