/** A throw-away PKG for tests: deterministic parameters and identity keys made with our own crypto/ code. */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { decodePublicParams, extractDecryptionKey, extractSigningKey, setup } from '../../crypto/index.js';
import { epochOf } from '../../firmware/epoch.js';
import { GroupKeyRing, identityOf, OwnIdentity, type IdentityKind, type SystemParams } from '../../firmware/keyring.js';

export function seededRandom(seed: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 32) out.set(sha256(new TextEncoder().encode(`${seed}/${counter++}`)).subarray(0, n - off), off);
    return out;
  };
}

export interface TestPkg {
  readonly params: SystemParams;
  readonly paramsBytes: Uint8Array;
  readonly masterSecret: Uint8Array;
  identity(mmsi: number, epochs: readonly number[], kind?: IdentityKind): OwnIdentity;
}

export function testPkg(seed = 'mibc-ais test pkg', epochSeconds = 30 * 24 * 3600): TestPkg {
  const { params: paramsBytes, masterSecret } = setup(seededRandom(seed));
  const params: SystemParams = { pp: decodePublicParams(paramsBytes), epochSeconds };
  return {
    params,
    paramsBytes,
    masterSecret,
    identity(mmsi, epochs, kind = 'mmsi') {
      return new OwnIdentity(
        params,
        kind,
        mmsi,
        epochs.map((epoch) => {
          const id = identityOf(kind, mmsi, epoch);
          return { epoch, signingKey: extractSigningKey(params.pp, masterSecret, id), decryptionKey: extractDecryptionKey(params.pp, masterSecret, id) };
        }),
      );
    },
  };
}

/** The params.json `pkg setup` writes (firmware/keyfile.ts), for this PKG. */
export function paramsFile(pkg: TestPkg): object {
  return { format: 'mibc-ais-params', version: 1, params: bytesToHex(pkg.paramsBytes), epochSeconds: pkg.params.epochSeconds };
}

/** The identity key file `pkg extract` writes (firmware/keyfile.ts) for `mmsi` in `epochs`. */
export function identityKeysFile(pkg: TestPkg, mmsi: number, epochs: readonly number[], kind: IdentityKind = 'mmsi'): object {
  const keys = epochs.map((epoch) => {
    const id = identityOf(kind, mmsi, epoch);
    return { epoch, signingKey: bytesToHex(extractSigningKey(pkg.params.pp, pkg.masterSecret, id)), decryptionKey: bytesToHex(extractDecryptionKey(pkg.params.pp, pkg.masterSecret, id)) };
  });
  return { format: 'mibc-ais-identity-keys', version: 1, identity: { kind, mmsi }, keys };
}

/** 2026-11-24 12:00:00 UTC: a fixed "now" for loop tests. */
export const NOW_MS = 1_795_521_600_000;
export const epochAt = (ms: number, p: SystemParams) => epochOf(Math.floor(ms / 1000), p.epochSeconds);

export function groupRing(keyId: number, seed: string, notBefore: number, notAfter: number): GroupKeyRing {
  const r = new GroupKeyRing();
  r.add({ keyId, key: seededRandom(seed)(16), notBefore, notAfter });
  return r;
}
