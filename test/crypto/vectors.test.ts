import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '@noble/hashes/utils.js';
import {
  decapsulate, decodePublicParams, groupOpen, identityBytes, unwrapGroupKey, verify,
} from '../../crypto/index.js';
import { buildVectors, VECTORS_FILE } from './_vectors.js';

const committed = JSON.parse(readFileSync(VECTORS_FILE, 'utf8')) as ReturnType<typeof buildVectors>;

describe('known-answer vectors (test/crypto/vectors/mibc-v1.json)', () => {
  it('are reproduced exactly by the current code', () => {
    expect(buildVectors()).toEqual(committed);
  });

  it('verify, decapsulate and open from the committed bytes alone', () => {
    const pp = decodePublicParams(hexToBytes(committed.params));
    const ids = committed.identities.map((v) => identityBytes(v.identity));
    for (const [i, v] of committed.identities.entries()) expect(ids[i]).toEqual(hexToBytes(v.bytes));
    for (const s of committed.signatures)
      expect(verify(pp, ids[s.identity]!, hexToBytes(s.message), hexToBytes(s.signature))).toBe(true);
    for (const k of committed.kem) {
      const dk = hexToBytes(committed.identities[k.identity]!.decryptionKey);
      expect(decapsulate(pp, dk, ids[k.identity]!, hexToBytes(k.ciphertext))).toEqual(hexToBytes(k.key));
    }
    for (const g of committed.group)
      expect(
        groupOpen(hexToBytes(g.key), g.nonce, hexToBytes(g.sealed), { aad: hexToBytes(g.aad), tagLength: g.tagLength }),
      ).toEqual(hexToBytes(g.plaintext));
    const w = committed.wrap;
    expect(unwrapGroupKey(hexToBytes(w.kemKey), hexToBytes(w.wrapped), w.keyId)).toEqual(hexToBytes(w.groupKey));
  });
});
