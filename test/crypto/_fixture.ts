/** One deterministic PKG and two vessels, shared by the BLMQ/SK-KEM suites. */
import {
  decodePublicParams, extractDecryptionKey, extractSigningKey, mmsiIdentity, setup,
} from '../../crypto/index.js';
import { seededRandom } from './_helpers.js';

export const { params, masterSecret } = setup(seededRandom('mibc-fixture-pkg'));
export const pp = decodePublicParams(params);
export const EPOCH = 2026_47;
export const alice = mmsiIdentity(237000001, EPOCH);
export const aliceNextEpoch = mmsiIdentity(237000001, EPOCH + 1);
export const bob = mmsiIdentity(219000123, EPOCH);
export const aliceSk = extractSigningKey(pp, masterSecret, alice);
export const bobSk = extractSigningKey(pp, masterSecret, bob);
export const aliceDk = extractDecryptionKey(pp, masterSecret, alice);
export const bobDk = extractDecryptionKey(pp, masterSecret, bob);
/** A 21-byte AIS position report payload (msg 1, 168 bits). */
export const report = Uint8Array.from({ length: 21 }, (_, i) => (i * 37 + 11) & 0xff);
