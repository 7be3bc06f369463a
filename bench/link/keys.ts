/**
 * A throw-away key generation centre for bench runs: deterministic system parameters and identity keys made with our
 * own crypto/ code (the same calls as provisioning's PKG). Extracted keys are cached, so a sweep over modes and ship
 * counts extracts each ship's keys once; each run gets fresh identities, whose prepared signers it drops at the end.
 * Never for real keys: the master secret follows from the seed.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { decodePublicParams, extractDecryptionKey, extractSigningKey, setup, sign, type Signer } from '../../crypto/index.js';
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

interface EpochKeys {
  readonly epoch: number;
  readonly signingKey: Uint8Array;
  readonly decryptionKey: Uint8Array;
}

/**
 * An identity that signs one-shot instead of with a prepared signer. A prepared signer holds a 1.2 MB table plus its
 * objects (≈4 MB measured per ship), which a real appliance pays once for itself but 500 simulated ships cannot all
 * pay in one process; the signatures are the same, only slower to make (bench/crypto.ts has both costs).
 */
class OneShotIdentity extends OwnIdentity {
  private readonly signing: ReadonlyMap<number, Uint8Array>;
  private readonly pp: SystemParams['pp'];

  constructor(params: SystemParams, kind: IdentityKind, mmsi: number, keys: readonly EpochKeys[]) {
    super(params, kind, mmsi, keys);
    this.pp = params.pp;
    this.signing = new Map(keys.map((k) => [k.epoch, k.signingKey]));
  }

  override signer(epoch: number): Signer {
    const key = this.signing.get(epoch);
    if (key === undefined) return super.signer(epoch);
    const identity = identityOf(this.kind, this.mmsi, epoch);
    const pp = this.pp;
    return { identity, sign: (msg, opts) => sign(pp, key, identity, msg, opts), destroy: () => {} };
  }
}

export class BenchPkg {
  readonly params: SystemParams;
  private readonly masterSecret: Uint8Array;
  private readonly extracted = new Map<string, readonly EpochKeys[]>();

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

  /**
   * A fresh identity with copies of the cached keys (destroy() wipes them). `oneShot` trades signing speed for
   * memory; `prepare` builds the signers now, so their cost does not land in the first report's measured time.
   */
  identity(mmsi: number, kind: IdentityKind = 'mmsi', options: { oneShot?: boolean; prepare?: boolean } = {}): OwnIdentity {
    const keys = this.keys(mmsi, kind).map((k) => ({ epoch: k.epoch, signingKey: k.signingKey.slice(), decryptionKey: k.decryptionKey.slice() }));
    const id = options.oneShot ? new OneShotIdentity(this.params, kind, mmsi, keys) : new OwnIdentity(this.params, kind, mmsi, keys);
    if (options.prepare && !options.oneShot) for (const e of id.epochs) id.signer(e);
    return id;
  }

  private keys(mmsi: number, kind: IdentityKind): readonly EpochKeys[] {
    const key = `${kind}:${mmsi}`;
    let cached = this.extracted.get(key);
    if (cached === undefined) {
      const first = epochOf(Math.floor(this.fromMs / 1000), EPOCH_SECONDS);
      const last = epochOf(Math.floor(this.toMs / 1000), EPOCH_SECONDS);
      const keys: EpochKeys[] = [];
      for (let epoch = first; epoch <= last; epoch++) {
        const ident = identityOf(kind, mmsi, epoch);
        keys.push({
          epoch,
          signingKey: extractSigningKey(this.params.pp, this.masterSecret, ident),
          decryptionKey: extractDecryptionKey(this.params.pp, this.masterSecret, ident),
        });
      }
      cached = keys;
      this.extracted.set(key, cached);
    }
    return cached;
  }
}
