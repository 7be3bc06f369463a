/**
 * A throw-away key generation centre for bench runs: deterministic system parameters and identity keys made with our
 * own crypto/ code (the same calls as provisioning's PKG), cached per identity so a sweep over modes and ship counts
 * extracts and prepares each ship's keys once. Never for real keys: the master secret follows from the seed.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { decodePublicParams, extractDecryptionKey, extractSigningKey, setup } from '../../crypto/index.js';
import { epochOf } from '../../firmware/epoch.js';
import { identityOf, OwnIdentity, type IdentityKind, type SystemParams } from '../../firmware/keyring.js';

/** 30 days, the epoch length of the deployment guide. */
export const EPOCH_SECONDS = 30 * 24 * 3600;

/** Deterministic bytes from a label: SHA-256 in counter mode. */
export function seededBytes(label: string): (n: number) => Uint8Array {
  let counter = 0;
  const enc = new TextEncoder();
  return (n) => {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 32) out.set(sha256(enc.encode(`${label}/${counter++}`)).subarray(0, n - off), off);
    return out;
  };
}

export class BenchPkg {
  readonly params: SystemParams;
  private readonly masterSecret: Uint8Array;
  private readonly identities = new Map<string, OwnIdentity>();

  /** Identities hold keys for the epochs of [fromMs, toMs], so a run never crosses into an epoch without keys. */
  constructor(
    seed: string,
    private readonly fromMs: number,
    private readonly toMs: number,
  ) {
    const { params, masterSecret } = setup(seededBytes(`pkg ${seed}`));
    this.params = { pp: decodePublicParams(params), epochSeconds: EPOCH_SECONDS };
    this.masterSecret = masterSecret;
  }

  identity(mmsi: number, kind: IdentityKind = 'mmsi'): OwnIdentity {
    const key = `${kind}:${mmsi}`;
    let id = this.identities.get(key);
    if (id === undefined) {
      const first = epochOf(Math.floor(this.fromMs / 1000), EPOCH_SECONDS);
      const last = epochOf(Math.floor(this.toMs / 1000), EPOCH_SECONDS);
      const keys = [];
      for (let epoch = first; epoch <= last; epoch++) {
        const ident = identityOf(kind, mmsi, epoch);
        keys.push({
          epoch,
          signingKey: extractSigningKey(this.params.pp, this.masterSecret, ident),
          decryptionKey: extractDecryptionKey(this.params.pp, this.masterSecret, ident),
        });
      }
      id = new OwnIdentity(this.params, kind, mmsi, keys);
      this.identities.set(key, id);
    }
    return id;
  }
}
