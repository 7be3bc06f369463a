import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hexToBytes } from '@noble/hashes/utils.js';
import {
  AeadAuthError, CryptoDecodeError, groupNonce, groupOpen, groupSeal, nextGroupSequence, recoverUtcSeconds,
  unwrapGroupKey, wrapGroupKey,
} from '../../crypto/index.js';
import { eaxOpen, eaxSeal } from '../../crypto/_eax.js';
import { flipBit } from './_helpers.js';
import { report } from './_fixture.js';

// EAX paper (Bellare–Rogaway–Wagner 2004, Appendix) AES-128 vectors: key, nonce, header, msg, ciphertext ‖ tag.
const EAX_VECTORS = [
  ['233952dee4d5ed5f9b9c6d6ff80ff478', '62ec67f9c3a4a407fcb2a8c49031a8b3', '6bfb914fd07eae6b', '', 'e037830e8389f27b025a2d6527e79d01'],
  ['91945d3f4dcbee0bf45ef52255f095a4', 'becaf043b0a23d843194ba972c66debd', 'fa3bfd4806eb53fa', 'f7fb', '19dd5c4c9331049d0bdab0277408f67967e5'],
  ['01f74ad64077f2e704c0f60ada3dd523', '70c3db4f0d26368400a10ed05d2bff5e', '234a3463c1264ac6', '1a47cb4933', 'd851d5bae03a59f238a23e39199dc9266626c40f80'],
  ['d07cf6cbb7f313bdde66b727afd3c5e8', '8408dfff3c1a2b1292dc199e46b7d617', '33cce2eabff5a79d', '481c9e39b1', '632a9d131ad4c168a4225d8e1ff755939974a7bede'],
] as const;

describe('EAX over noble AES', () => {
  it.each(EAX_VECTORS)('matches the EAX paper vector (key %s)', (k, n, h, m, c) => {
    const sealed = eaxSeal(hexToBytes(k), hexToBytes(n), hexToBytes(h), hexToBytes(m), 16);
    expect(sealed).toEqual(hexToBytes(c));
    expect(eaxOpen(hexToBytes(k), hexToBytes(n), hexToBytes(h), sealed, 16)).toEqual(hexToBytes(m));
    // A truncated tag is the prefix of the full one (EAX §3).
    expect(eaxSeal(hexToBytes(k), hexToBytes(n), hexToBytes(h), hexToBytes(m), 8)).toEqual(
      hexToBytes(c).subarray(0, m.length / 2 + 8),
    );
  });
});

const key = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const nonce = { keyId: 7, mmsi: 237000001, utcSeconds: 1_795_000_000, counter: 3 };

describe('group AEAD (mode 5)', () => {
  it('seals a 21-byte report into 21 + 8 bytes and opens it', () => {
    const sealed = groupSeal(key, nonce, report, { aad: Uint8Array.of(1, 2) });
    expect(sealed.length).toBe(29);
    expect(groupOpen(key, nonce, sealed, { aad: Uint8Array.of(1, 2) })).toEqual(report);
    expect(groupSeal(key, nonce, report, { tagLength: 16 }).length).toBe(37);
  });

  it('rejects any flipped bit, other nonce fields, other AAD and other keys', () => {
    const sealed = groupSeal(key, nonce, report);
    for (let bit = 0; bit < sealed.length * 8; bit++)
      expect(() => groupOpen(key, nonce, flipBit(sealed, bit))).toThrow(AeadAuthError);
    for (const n of [
      { ...nonce, keyId: 8 }, { ...nonce, mmsi: 237000002 }, { ...nonce, utcSeconds: nonce.utcSeconds + 1 },
      { ...nonce, counter: 4 }, { ...nonce, instance: 1 },
    ])
      expect(() => groupOpen(key, n, sealed)).toThrow(AeadAuthError);
    expect(() => groupOpen(key, nonce, sealed, { aad: Uint8Array.of(0) })).toThrow(AeadAuthError);
    expect(() => groupOpen(flipBit(key, 0), nonce, sealed)).toThrow(AeadAuthError);
    expect(() => groupOpen(key, nonce, sealed.subarray(0, 7))).toThrow(CryptoDecodeError);
  });

  it('instance 0 keeps the earlier 16-byte layout keyId ‖ MMSI ‖ UTC (6 bytes) ‖ counter', () => {
    expect(Buffer.from(groupNonce(nonce)).toString('hex')).toBe('00000007' + (237000001).toString(16).padStart(8, '0') + (1_795_000_000).toString(16).padStart(12, '0') + '0003');
    expect(groupNonce({ ...nonce, instance: 0xa5 })[8]).toBe(0xa5);
  });

  it('refuses tags shorter than 64 bits and out-of-range nonce fields as misuse', () => {
    expect(() => groupSeal(key, nonce, report, { tagLength: 4 })).toThrow(RangeError);
    expect(() => groupNonce({ ...nonce, mmsi: 1_000_000_000 })).toThrow(RangeError);
    expect(() => groupNonce({ ...nonce, counter: 65536 })).toThrow(RangeError);
    expect(() => groupNonce({ ...nonce, instance: 256 })).toThrow(RangeError);
    expect(() => groupNonce({ ...nonce, utcSeconds: 2 ** 40 })).toThrow(RangeError);
    expect(() => groupSeal(key.subarray(1), nonce, report)).toThrow(RangeError);
  });

  it('nonces are injective in (keyId, mmsi, instance, utc, counter) (property)', () => {
    const field = fc.record({
      keyId: fc.nat(0xffffffff), mmsi: fc.nat(999_999_999), instance: fc.nat(0xff), utcSeconds: fc.nat(2 ** 40 - 1), counter: fc.nat(0xffff),
    });
    fc.assert(
      fc.property(field, field, (a, b) => {
        const same = a.keyId === b.keyId && a.mmsi === b.mmsi && a.instance === b.instance && a.utcSeconds === b.utcSeconds && a.counter === b.counter;
        expect(Buffer.from(groupNonce(a)).equals(Buffer.from(groupNonce(b)))).toBe(same);
      }),
    );
  });

  it('sequence never repeats, even when the clock steps backwards (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 200 }), (steps) => {
        let clock = 1_795_000_000;
        let last: { utcSeconds: number; counter: number } | undefined;
        const seen = new Set<string>();
        for (const d of steps) {
          clock += d;
          last = nextGroupSequence(last, clock);
          const k = `${last.utcSeconds}/${last.counter}`;
          expect(seen.has(k)).toBe(false);
          seen.add(k);
        }
      }),
    );
    expect(() => nextGroupSequence({ utcSeconds: 10, counter: 3 }, 10, 3)).toThrow(RangeError);
  });

  it('recovers the UTC second from its low bits within half the window (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2 ** 20, max: 2 ** 40 - 64 }), fc.integer({ min: -31, max: 31 }), (t, skew) => {
        expect(recoverUtcSeconds(t + skew, t % 64, 6)).toBe(t);
      }),
    );
  });

  it('wraps a group key under a KEM key, bound to the keyId', () => {
    const kem = new Uint8Array(16).fill(9);
    const w = wrapGroupKey(kem, key, 42);
    expect(w.length).toBe(24);
    expect(unwrapGroupKey(kem, w, 42)).toEqual(key);
    expect(() => unwrapGroupKey(kem, w, 43)).toThrow(AeadAuthError);
    expect(() => unwrapGroupKey(kem, w.subarray(0, 20), 42)).toThrow(CryptoDecodeError);
  });
});
