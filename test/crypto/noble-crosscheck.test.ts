/**
 * Independent check with a second pairing implementation: @noble/curves bls12-381 (pure JS) verifies BLMQ
 * signatures made by our mcl-wasm code, signs messages our code verifies, checks the SK-KEM equation
 * e(U, SKd) = g^r and decapsulates, and agrees on generators, extracted keys and the GT encoding.
 * Only bytes cross the boundary; the scalars are recomputed with noble's own RFC 9380 hash_to_field.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bls12_381 as bls } from '@noble/curves/bls12-381.js';
import { expand_message_xmd, hash_to_field } from '@noble/curves/abstract/hash-to-curve.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { encapsulate, prepareVerifier, sign, verify, type ChallengeForm } from '../../crypto/index.js';
import { DST } from '../../crypto/_hash.js';
import { encodeGT } from '../../crypto/_mcl.js';
import { alice, aliceDk, aliceSk, bob, masterSecret, params, pp, report } from './_fixture.js';
import { VECTORS_FILE } from './_vectors.js';
import { seededRandom } from './_helpers.js';

const { Fr, Fp12 } = bls.fields;
const G1 = bls.G1.Point;
const G2 = bls.G2.Point;
type GT = ReturnType<typeof bls.pairing>;

const toField = (msg: Uint8Array, dst: string): bigint =>
  hash_to_field(msg, 1, { DST: dst, expand: 'xmd', hash: sha256, p: Fr.ORDER, m: 1, k: 128 })[0]![0]!;
const u16 = (n: number) => Uint8Array.of(n >> 8, n & 0xff);

/** The BLMQ/SK-KEM verifier side written against noble only, for one parameter set. */
function nobleSuite(paramBytes: Uint8Array) {
  const P1 = G1.fromBytes(paramBytes.subarray(8, 56));
  const P2 = G2.fromBytes(paramBytes.subarray(56, 152));
  const sP1 = G1.fromBytes(paramBytes.subarray(152, 200));
  const sP2 = G2.fromBytes(paramBytes.subarray(200, 296));
  const g = bls.pairing(P1, P2);
  const fingerprint = sha256(paramBytes);
  const idBlock = (id: Uint8Array) => concatBytes(fingerprint, u16(id.length), id);
  const challenge = (id: Uint8Array, u: GT, msg: Uint8Array, form: ChallengeForm) => {
    const input = concatBytes(idBlock(id), Fp12.toBytes(u), msg);
    return form === 'full'
      ? numberToBytesBE(toField(input, DST.h2Full), 32)
      : expand_message_xmd(input, DST.h2Compact, 16, sha256);
  };
  return {
    P1, P2, sP1, sP2, g, idBlock,
    verify(id: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
      const form: ChallengeForm = sig.length === 80 ? 'full' : 'compact';
      const hl = form === 'full' ? 32 : 16;
      const hb = sig.subarray(0, hl);
      const S = G1.fromBytes(sig.subarray(hl)); // noble checks curve and subgroup itself
      const Q = P2.multiply(toField(id, DST.h1Sign)).add(sP2);
      const u = Fp12.mul(bls.pairing(S, Q), Fp12.inv(Fp12.pow(g, bytesToNumberBE(hb))));
      return Buffer.from(challenge(id, u, msg, form)).equals(Buffer.from(hb));
    },
    sign(skBytes: Uint8Array, id: Uint8Array, msg: Uint8Array, form: ChallengeForm, r: bigint): Uint8Array {
      const h = challenge(id, Fp12.pow(g, r), msg, form);
      const S = G1.fromBytes(skBytes).multiply(Fr.add(r, Fr.create(bytesToNumberBE(h))));
      return concatBytes(h, S.toBytes(true));
    },
  };
}

const noble = nobleSuite(params);
const { P1, P2, sP1, g, idBlock } = noble;
const nobleVerify = noble.verify;
const nobleSign = noble.sign;

describe('mcl-wasm ↔ @noble/curves', () => {
  it('GT encoding equals noble Fp12.toBytes and extracted keys equal noble’s (H1(ID)+s)^-1·P', () => {
    expect(encodeGT(pp.g)).toEqual(Fp12.toBytes(g));
    const s = bytesToNumberBE(masterSecret.subarray(8, 40));
    expect(sP1.equals(P1.multiply(s))).toBe(true);
    const ks = Fr.inv(Fr.add(toField(alice, DST.h1Sign), s));
    expect(G1.fromBytes(aliceSk).equals(P1.multiply(ks))).toBe(true);
    const kd = Fr.inv(Fr.add(toField(alice, DST.h1Decrypt), s));
    expect(G2.fromBytes(aliceDk).equals(P2.multiply(kd))).toBe(true);
  });

  it.each(['full', 'compact'] as const)('noble verifies our %s signatures and rejects them for others', (form) => {
    for (let i = 0; i < 3; i++) {
      const msg = report.map((b) => b ^ i);
      const sig = sign(pp, aliceSk, alice, msg, { form });
      expect(nobleVerify(alice, msg, sig)).toBe(true);
      if (i === 0) {
        expect(nobleVerify(bob, msg, sig)).toBe(false);
        expect(nobleVerify(alice, report.map((b) => b ^ 0xff), sig)).toBe(false);
      }
    }
  });

  it.each(['full', 'compact'] as const)('we verify noble-made %s signatures', (form) => {
    const r = toField(Uint8Array.of(1, 2, 3), 'noble-test-nonce');
    const sig = nobleSign(aliceSk, alice, report, form, r);
    expect(verify(pp, alice, report, sig)).toBe(true);
    expect(prepareVerifier(pp, alice).verify(report, sig)).toBe(true);
    expect(verify(pp, bob, report, sig)).toBe(false);
  });

  it('SK-KEM: U = [r](H1d(ID)·P1 + s·P1), e(U, SKd) = g^r, and noble decapsulates to the same key', () => {
    const rand = seededRandom('noble-kem');
    const m = seededRandom('noble-kem')(16);
    const { key, ciphertext } = encapsulate(pp, alice, rand);
    const r = toField(concatBytes(m, idBlock(alice)), DST.kemR);
    const U = G1.fromBytes(ciphertext.subarray(0, 48));
    expect(U.equals(P1.multiply(toField(alice, DST.h1Decrypt)).add(sP1).multiply(r))).toBe(true);
    const w = bls.pairing(U, G2.fromBytes(aliceDk));
    expect(Fp12.eql(w, Fp12.pow(g, r))).toBe(true);
    const mask = expand_message_xmd(Fp12.toBytes(w), DST.kemMask, 16, sha256);
    const mRecovered = ciphertext.subarray(48).map((v, i) => v ^ mask[i]!);
    expect(mRecovered).toEqual(m);
    const k = expand_message_xmd(concatBytes(mRecovered, ciphertext.subarray(0, 48), idBlock(alice)), DST.kemKdf, 16, sha256);
    expect(k).toEqual(key);
  });

  it('noble verifies the committed KAT signatures of the first identity', () => {
    const kat = JSON.parse(readFileSync(VECTORS_FILE, 'utf8')) as {
      params: string; identities: Array<{ bytes: string }>;
      signatures: Array<{ identity: number; message: string; signature: string }>;
    };
    const suite = nobleSuite(hexToBytes(kat.params));
    const sigs = kat.signatures.filter((s) => s.identity === 0);
    expect(sigs.length).toBe(6);
    for (const s of sigs)
      expect(suite.verify(hexToBytes(kat.identities[0]!.bytes), hexToBytes(s.message), hexToBytes(s.signature))).toBe(true);
  });
});
