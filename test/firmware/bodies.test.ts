import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bodyTime, decodeGroup, decodeGroupKeyGrant, decodeKem, decodeSignedAttached, decodeSignedInline,
  encodeGroup, encodeGroupKeyGrant, encodeKem, encodeSignedAttached, encodeSignedInline, GROUP_KEY_GRANT_BYTES, KemPurpose,
} from '../../firmware/bodies.js';
import { Kind } from '../../firmware/envelope.js';
import { reconstructSecond, ReplayGuard, timeResidue } from '../../firmware/freshness.js';

const t12 = fc.integer({ min: 0, max: 4095 });
const t10 = fc.integer({ min: 0, max: 1023 });
/** A signature whose S starts with the flags of a compressed finite G1 point (1, 0, sign). */
const sigArb = (compact: boolean) =>
  fc.uint8Array({ minLength: compact ? 64 : 80, maxLength: compact ? 64 : 80 }).map((s) => {
    const at = compact ? 16 : 32;
    s[at] = 0x80 | ((s[at] as number) & 0x3f);
    return s;
  });
const mmsi = fc.integer({ min: 0, max: 999_999_999 });

describe('envelope bodies', () => {
  it('signed-inline round-trips, with and without a signer', () => {
    fc.assert(
      fc.property(t12, fc.boolean(), fc.option(mmsi, { nil: undefined }), fc.uint8Array({ minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 7 }), (t, compact, signer, bytes, fill) => {
        const sig = new Uint8Array(compact ? 64 : 80).fill(7);
        const b = { time: t, compact, report: { bytes, fill }, signature: sig, ...(signer === undefined ? {} : { signer }) };
        const enc = encodeSignedInline(b);
        expect(decodeSignedInline(enc, signer !== undefined)).toEqual(b);
        expect(bodyTime(Kind.SignedInline, signer !== undefined, enc)).toEqual({ residue: t, bits: 12 });
      }),
    );
  });
  it('signed-attached with a compact signature is 65 bytes: one 3-slot message with its header; 10 time bits', () => {
    fc.assert(
      fc.property(t10, fc.boolean(), fc.option(mmsi, { nil: undefined }), fc.boolean().chain((c) => sigArb(c).map((s) => [c, s] as const)), (t, _, signer, [compact, signature]) => {
        const b = { time: t, compact, signature, ...(signer === undefined ? {} : { signer }) };
        const enc = encodeSignedAttached(b);
        expect(enc.length).toBe((compact ? 65 : 81) + (signer === undefined ? 0 : 4));
        expect(decodeSignedAttached(enc, signer !== undefined)).toEqual(b);
        expect(bodyTime(Kind.SignedAttached, signer !== undefined, enc)).toEqual({ residue: t, bits: 10 });
      }),
    );
    // S must be a compressed finite point: its two constant flag bits carry time.
    expect(() => encodeSignedAttached({ time: 1, compact: true, signature: new Uint8Array(64) })).toThrow(RangeError);
  });
  it('group body of a position report is 33 bytes with 14 time bits and the instance byte: one 2-slot message with its header', () => {
    const b = { time: 0x3ffe, keySlot: 2, counter: 31, fill: 0, instance: 0xa5, ciphertext: new Uint8Array(21).fill(1), tag: new Uint8Array(8).fill(2) };
    const enc = encodeGroup(b);
    expect(enc.length).toBe(33);
    expect([...enc.subarray(0, 4)]).toEqual([0xff, 0xfa, 0xf8, 0xa5]);
    expect(decodeGroup(enc)).toEqual(b);
    expect(bodyTime(Kind.Group, false, enc)).toEqual({ residue: 0x3ffe, bits: 14 });
    expect(() => encodeGroup({ ...b, time: 0x4000 })).toThrow(RangeError);
  });
  it('kem round-trips', () => {
    for (const purpose of [KemPurpose.GroupKey, KemPurpose.Text]) {
      const b = { time: 2001, compact: true, purpose, fill: 5, kemCiphertext: new Uint8Array(64).fill(3), sealed: new Uint8Array(30).fill(4), signature: new Uint8Array(64).fill(5) };
      const enc = encodeKem(b);
      expect(enc.length).toBe(2 + 64 + 30 + 64);
      expect(decodeKem(enc)).toEqual(b);
      expect(bodyTime(Kind.Kem, false, enc)).toEqual({ residue: 2001, bits: 11 });
    }
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
  it('reconstructs the sender second when clocks agree within ±31 s (6-bit residues)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000_000, max: 2_000_000_000 }), fc.integer({ min: -31, max: 31 }), (sent, skew) => {
        expect(reconstructSecond(timeResidue(sent), 6, sent + skew)).toBe(sent);
      }),
    );
  });
  it('reconstructs 12-bit residues up to 3839 s late and 256 s early, 11-bit ones 1791 s late, 10-bit ones 767 s', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000_000, max: 2_000_000_000 }), fc.integer({ min: -256, max: 3839 }), (sent, late) => {
        expect(reconstructSecond(timeResidue(sent, 12), 12, sent + late)).toBe(sent);
        if (late < 1792) expect(reconstructSecond(timeResidue(sent, 11), 11, sent + late)).toBe(sent);
        if (late < 768) expect(reconstructSecond(timeResidue(sent, 10), 10, sent + late)).toBe(sent);
      }),
    );
  });
  it('rejects stale messages, messages from the future and second sightings', () => {
    const g = new ReplayGuard({ freshnessWindowS: 10 });
    expect(() => g.checkFresh(100, 111)).toThrow(expect.objectContaining({ code: 'STALE' }));
    expect(() => g.checkFresh(111, 100)).toThrow(expect.objectContaining({ code: 'FUTURE' }));
    g.checkFresh(110, 100);
    g.checkFresh(100, 110);
    g.accept(1, 1, 100, Uint8Array.of(1, 2), 110);
    expect(() => g.accept(1, 1, 100, Uint8Array.of(1, 2), 110)).toThrow(expect.objectContaining({ code: 'REPLAY' }));
    g.accept(2, 1, 100, Uint8Array.of(1, 2), 110); // another sender
    g.accept(1, 1, 100, Uint8Array.of(1, 3), 110); // another message in the same second
    g.accept(1, 1, 200, Uint8Array.of(9), 200);
    expect(g.size).toBe(1); // older entries left the window
  });
});
