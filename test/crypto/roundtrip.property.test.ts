/** Round-trip properties over random identities, epochs and messages (fast-check, few runs: pairings are slow). */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decapsulate, encapsulate, extractDecryptionKey, extractSigningKey, groupOpen, groupSeal, mmsiIdentity, sign, verify,
} from '../../crypto/index.js';
import { masterSecret, pp } from './_fixture.js';

const identity = fc.record({ mmsi: fc.nat(999_999_999), epoch: fc.nat(0xffffffff) });

describe('round trips', () => {
  it('sign → verify for any identity, epoch, message and challenge form; other epochs reject', () => {
    fc.assert(
      fc.property(identity, fc.uint8Array({ maxLength: 120 }), fc.constantFrom('full', 'compact'), (who, msg, form) => {
        const id = mmsiIdentity(who.mmsi, who.epoch);
        const sig = sign(pp, extractSigningKey(pp, masterSecret, id), id, msg, { form: form as 'full' | 'compact' });
        expect(verify(pp, id, msg, sig)).toBe(true);
        expect(verify(pp, mmsiIdentity(who.mmsi, (who.epoch ^ 1) >>> 0), msg, sig)).toBe(false);
      }),
      { numRuns: 12 },
    );
  });

  it('encapsulate → decapsulate for any identity and epoch', () => {
    fc.assert(
      fc.property(identity, (who) => {
        const id = mmsiIdentity(who.mmsi, who.epoch);
        const { key, ciphertext } = encapsulate(pp, id);
        expect(decapsulate(pp, extractDecryptionKey(pp, masterSecret, id), id, ciphertext)).toEqual(key);
      }),
      { numRuns: 8 },
    );
  });

  it('group seal → open for any key, nonce, plaintext and tag length', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.record({ keyId: fc.nat(0xffffffff), mmsi: fc.nat(999_999_999), instance: fc.nat(0xff), utcSeconds: fc.nat(2 ** 40 - 1), counter: fc.nat(0xffff) }),
        fc.uint8Array({ maxLength: 100 }),
        fc.uint8Array({ maxLength: 20 }),
        fc.integer({ min: 8, max: 16 }),
        (key, nonce, pt, aad, tagLength) => {
          const sealed = groupSeal(key, nonce, pt, { aad, tagLength });
          expect(sealed.length).toBe(pt.length + tagLength);
          expect(groupOpen(key, nonce, sealed, { aad, tagLength })).toEqual(pt);
        },
      ),
    );
  });
});
