import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeGroup, decodeGroupKeyGrant, decodeKem, decodeSignedAttached, decodeSignedInline,
  encodeGroup, encodeGroupKeyGrant, encodeKem, encodeSignedAttached, encodeSignedInline, GROUP_KEY_GRANT_BYTES, KemPurpose,
} from '../../firmware/bodies.js';
import { reconstructSecond, ReplayGuard, timeResidue } from '../../firmware/freshness.js';

const t6 = fc.integer({ min: 0, max: 63 });
const ep = fc.constantFrom<0 | 1>(0, 1);
const mmsi = fc.integer({ min: 0, max: 999_999_999 });

describe('envelope bodies', () => {
  it('signed-inline round-trips, with and without a signer', () => {
    fc.assert(
      fc.property(t6, ep, fc.boolean(), fc.option(mmsi, { nil: undefined }), fc.uint8Array({ minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 7 }), (t, e, compact, signer, bytes, fill) => {
        const sig = new Uint8Array(compact ? 64 : 80).fill(7);
        const b = { t6: t, epochParity: e, compact, report: { bytes, fill }, signature: sig, ...(signer === undefined ? {} : { signer }) };
        expect(decodeSignedInline(encodeSignedInline(b), signer !== undefined)).toEqual(b);
      }),
    );
  });
  it('signed-attached with a compact signature is 65 bytes: one 3-slot message with its header', () => {
    const enc = encodeSignedAttached({ t6: 5, epochParity: 1, compact: true, signature: new Uint8Array(64) });
    expect(enc.length).toBe(65);
    expect(decodeSignedAttached(enc, false)).toEqual({ t6: 5, epochParity: 1, compact: true, signature: new Uint8Array(64) });
  });
  it('group body of a position report is 31 bytes: one 2-slot message with its header', () => {
    const b = { t6: 63, keySlot: 2, counter: 31, fill: 0, ciphertext: new Uint8Array(21).fill(1), tag: new Uint8Array(8).fill(2) };
    const enc = encodeGroup(b);
    expect(enc.length).toBe(31);
    expect(decodeGroup(enc)).toEqual(b);
  });
  it('kem round-trips', () => {
    const b = { t6: 1, epochParity: 0 as const, compact: true, purpose: KemPurpose.GroupKey, fill: 0, kemCiphertext: new Uint8Array(64).fill(3), sealed: new Uint8Array(30).fill(4), signature: new Uint8Array(64).fill(5) };
    expect(decodeKem(encodeKem(b))).toEqual(b);
  });
  it('group-key grant round-trips with group, issuer, recipient, key id and validity; refuses what is not one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), mmsi, mmsi, fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0, max: 0xffff_fffe }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (groupId, issuer, recipient, keyId, notBefore, key) => {
        const g = { groupId, issuer, recipient, keyId, notBefore, notAfter: notBefore + 1, key };
        const enc = encodeGroupKeyGrant(g);
        expect(enc.length).toBe(GROUP_KEY_GRANT_BYTES);
        expect(decodeGroupKeyGrant(enc)).toEqual(g);
      }),
    );
    const g = { groupId: 1, issuer: 244_100_001, recipient: 211_000_001, keyId: 5, notBefore: 10, notAfter: 20, key: new Uint8Array(16) };
    const enc = encodeGroupKeyGrant(g);
    // The grant of the format without group and parties (28 bytes) is not taken for one.
    expect(() => decodeGroupKeyGrant(enc.subarray(10))).toThrow(expect.objectContaining({ code: 'ENVELOPE_FORMAT' }));
    const notMmsi = enc.slice();
    new DataView(notMmsi.buffer).setUint32(6, 1_000_000_000);
    expect(() => decodeGroupKeyGrant(notMmsi)).toThrow(expect.objectContaining({ code: 'ENVELOPE_FORMAT' }));
    expect(() => encodeGroupKeyGrant({ ...g, recipient: 1_000_000_000 })).toThrow(RangeError);
    expect(() => encodeGroupKeyGrant({ ...g, groupId: 0x1_0000 })).toThrow(RangeError);
    expect(() => encodeGroupKeyGrant({ ...g, notAfter: 10 })).toThrow(RangeError);
  });
  it('decoders reject truncation and reserved bits with typed errors, never anything else', () => {
    const decoders = [(d: Uint8Array) => decodeSignedInline(d, true), (d: Uint8Array) => decodeSignedAttached(d, false), decodeGroup, decodeKem, decodeGroupKeyGrant];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        for (const dec of decoders) {
          try {
            dec(data);
          } catch (e) {
            expect((e as { code?: string }).code).toMatch(/^ENVELOPE_(FORMAT|TRUNCATED)$/);
          }
        }
      }),
    );
  });
});

describe('freshness and replay', () => {
  it('reconstructs the sender second when clocks agree within ±31 s', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000_000, max: 2_000_000_000 }), fc.integer({ min: -31, max: 31 }), (sent, skew) => {
        expect(reconstructSecond(timeResidue(sent), sent + skew)).toBe(sent);
      }),
    );
  });
  it('rejects stale messages and second sightings', () => {
    const g = new ReplayGuard({ freshnessWindowS: 10 });
    expect(() => g.checkFresh(100, 111)).toThrow(expect.objectContaining({ code: 'STALE' }));
    g.checkFresh(100, 110);
    g.accept(1, 1, 100, Uint8Array.of(1, 2), 110);
    expect(() => g.accept(1, 1, 100, Uint8Array.of(1, 2), 110)).toThrow(expect.objectContaining({ code: 'REPLAY' }));
    g.accept(2, 1, 100, Uint8Array.of(1, 2), 110); // another sender
    g.accept(1, 1, 100, Uint8Array.of(1, 3), 110); // another message in the same second
    g.accept(1, 1, 200, Uint8Array.of(9), 200);
    expect(g.size).toBe(1); // older entries left the window
  });
});
