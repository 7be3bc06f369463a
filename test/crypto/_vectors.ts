/**
 * Known-answer vectors of our own suite (no BLMQ/SK-KEM vectors exist for BLS12-381, pairing-crypto.md §4):
 * everything is derived from fixed seeds, so `make-vectors.ts` and `vectors.test.ts` compute the same JSON.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  decodePublicParams, encapsulate, extractDecryptionKey, extractSigningKey, groupSeal, identityBytes, setup, sign,
  wrapGroupKey, type ChallengeForm, type Identity,
} from '../../crypto/index.js';
import { seededRandom } from './_helpers.js';

export const VECTORS_FILE = new URL('./vectors/mibc-v1.json', import.meta.url);

const IDENTITIES: Identity[] = [
  { kind: 'mmsi', mmsi: 237000001, epoch: 202647 },
  { kind: 'pseudo-mmsi', mmsi: 987000123, epoch: 202647 },
  { kind: 'mmsi', mmsi: 2190047, epoch: 0 },
  { kind: 'mrn', mrn: 'urn:mrn:mcp:vessel:gr:imo:9074729', epoch: 4294967295 },
];
const MESSAGES = ['', '00', '1d0f3c8a77e2b0c4d5a6f1e2d3c4b5a6978695a4b3'];

export function buildVectors() {
  const { params, masterSecret } = setup(seededRandom('kat/master'));
  const pp = decodePublicParams(params);
  const identities = IDENTITIES.map((identity) => {
    const id = identityBytes(identity);
    return {
      identity,
      bytes: bytesToHex(id),
      signingKey: bytesToHex(extractSigningKey(pp, masterSecret, id)),
      decryptionKey: bytesToHex(extractDecryptionKey(pp, masterSecret, id)),
    };
  });
  const signatures = [];
  const kem = [];
  for (const [i, v] of identities.entries()) {
    const id = identityBytes(v.identity);
    const sk = Uint8Array.from(Buffer.from(v.signingKey, 'hex'));
    for (const [j, msgHex] of MESSAGES.entries())
      for (const form of ['full', 'compact'] as ChallengeForm[]) {
        const noise = seededRandom(`kat/nonce/${i}/${j}/${form}`)(32);
        const msg = Uint8Array.from(Buffer.from(msgHex, 'hex'));
        const sig = sign(pp, sk, id, msg, { form, random: () => Uint8Array.from(noise) });
        signatures.push({ identity: i, message: msgHex, form, noise: bytesToHex(noise), signature: bytesToHex(sig) });
      }
    const m = seededRandom(`kat/kem/${i}`)(16);
    const { key, ciphertext } = encapsulate(pp, id, () => Uint8Array.from(m));
    kem.push({ identity: i, m: bytesToHex(m), ciphertext: bytesToHex(ciphertext), key: bytesToHex(key) });
  }
  const groupKey = seededRandom('kat/group-key')(16);
  const report = seededRandom('kat/report')(21);
  const nonce = { keyId: 3, mmsi: 237000001, utcSeconds: 1_795_000_000, counter: 0 };
  const group = [8, 12, 16].map((tagLength) => ({
    key: bytesToHex(groupKey), nonce, aad: '0102', plaintext: bytesToHex(report), tagLength,
    sealed: bytesToHex(groupSeal(groupKey, nonce, report, { aad: Uint8Array.of(1, 2), tagLength })),
  }));
  const kemKey = Uint8Array.from(Buffer.from(kem[0]!.key, 'hex'));
  const wrap = { kemKey: kem[0]!.key, groupKey: bytesToHex(groupKey), keyId: 3, wrapped: bytesToHex(wrapGroupKey(kemKey, groupKey, 3)) };
  return {
    suite: 'MIBC-AIS-V1 BLS12-381 XMD:SHA-256 (crypto/_hash.ts DSTs)',
    params: bytesToHex(params),
    masterSecret: bytesToHex(masterSecret),
    fingerprint: bytesToHex(pp.fingerprint),
    identities,
    signatures,
    kem,
    group,
    wrap,
  };
}
