/**
 * The appliance's key material in usable form: system parameters, its own identities (MMSI and, for mode 3, a
 * pseudo-MMSI) with prepared signers and decryptors per epoch, a bounded cache of verifiers for the senders it hears,
 * and the mode-5 group keys held during rotation.
 */
import {
  decodePublicParams, identityBytes, prepareDecryptor, prepareSigner, prepareVerifier,
  type Decryptor, type PublicParams, type Signer, type Verifier,
} from '../crypto/index.js';
import { DEFAULT_EPOCH_SECONDS } from './epoch.js';
import { hexToBytes, type GroupKeyFile, type IdentityKeyFile, type ParamsFile } from './keyfile.js';

export type IdentityKind = 'mmsi' | 'pseudo-mmsi';

export class KeyUnavailableError extends Error {
  readonly code = 'KEY_UNAVAILABLE' as const;
  constructor(message: string) {
    super(message);
    this.name = 'KeyUnavailableError';
  }
}

export interface SystemParams {
  readonly pp: PublicParams;
  readonly epochSeconds: number;
}

export function loadSystemParams(f: ParamsFile): SystemParams {
  return { pp: decodePublicParams(hexToBytes(f.params)), epochSeconds: f.epochSeconds ?? DEFAULT_EPOCH_SECONDS };
}

export function identityOf(kind: IdentityKind, mmsi: number, epoch: number): Uint8Array {
  return identityBytes({ kind, mmsi, epoch });
}

/** One of the appliance's own identities with its keys per epoch, prepared lazily (a signer table costs ≈25 ms). */
export class OwnIdentity {
  private readonly signers = new Map<number, Signer>();
  private readonly decryptors = new Map<number, Decryptor>();
  private readonly keys: Map<number, { signingKey: Uint8Array; decryptionKey: Uint8Array }>;

  constructor(
    private readonly params: SystemParams,
    readonly kind: IdentityKind,
    readonly mmsi: number,
    keys: Iterable<{ epoch: number; signingKey: Uint8Array; decryptionKey: Uint8Array }>,
  ) {
    this.keys = new Map([...keys].map((k) => [k.epoch, { signingKey: k.signingKey, decryptionKey: k.decryptionKey }]));
  }

  static fromFile(params: SystemParams, f: IdentityKeyFile): OwnIdentity {
    return new OwnIdentity(
      params,
      f.identity.kind,
      f.identity.mmsi,
      f.keys.map((k) => ({ epoch: k.epoch, signingKey: hexToBytes(k.signingKey), decryptionKey: hexToBytes(k.decryptionKey) })),
    );
  }

  get epochs(): number[] {
    return [...this.keys.keys()].sort((a, b) => a - b);
  }

  hasEpoch(epoch: number): boolean {
    return this.keys.has(epoch);
  }

  signer(epoch: number): Signer {
    let s = this.signers.get(epoch);
    if (s === undefined) {
      const k = this.keys.get(epoch);
      if (k === undefined) throw new KeyUnavailableError(`no signing key for ${this.kind} ${this.mmsi} in epoch ${epoch}`);
      s = prepareSigner(this.params.pp, k.signingKey, identityOf(this.kind, this.mmsi, epoch));
      this.signers.set(epoch, s);
    }
    return s;
  }

  decryptor(epoch: number): Decryptor {
    let d = this.decryptors.get(epoch);
    if (d === undefined) {
      const k = this.keys.get(epoch);
      if (k === undefined) throw new KeyUnavailableError(`no decryption key for ${this.kind} ${this.mmsi} in epoch ${epoch}`);
      d = prepareDecryptor(this.params.pp, k.decryptionKey, identityOf(this.kind, this.mmsi, epoch));
      this.decryptors.set(epoch, d);
    }
    return d;
  }

  /** Wipes prepared keys and the raw key bytes. */
  destroy(): void {
    for (const s of this.signers.values()) s.destroy();
    for (const d of this.decryptors.values()) d.destroy();
    for (const k of this.keys.values()) {
      k.signingKey.fill(0);
      k.decryptionKey.fill(0);
    }
    this.signers.clear();
    this.decryptors.clear();
    this.keys.clear();
  }
}

/** Verifiers for the senders heard recently: preparing one costs ≈1 ms and saves ≈0.5 ms per later message. */
export class VerifierCache {
  private readonly cache = new Map<string, Verifier>();
  constructor(
    private readonly params: SystemParams,
    readonly capacity = 1024,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('verifier cache capacity must be a positive integer');
  }

  get size(): number {
    return this.cache.size;
  }

  get(kind: IdentityKind, mmsi: number, epoch: number): Verifier {
    const key = `${kind}:${mmsi}:${epoch}`;
    let v = this.cache.get(key);
    if (v !== undefined) {
      this.cache.delete(key); // re-insert: Map order is the LRU order
    } else {
      v = prepareVerifier(this.params.pp, identityOf(kind, mmsi, epoch));
      if (this.cache.size >= this.capacity) {
        const [oldestKey, oldest] = this.cache.entries().next().value as [string, Verifier];
        oldest.destroy();
        this.cache.delete(oldestKey);
      }
    }
    this.cache.set(key, v);
    return v;
  }
}

export interface GroupKey {
  readonly keyId: number;
  readonly key: Uint8Array;
  readonly notBefore: number;
  readonly notAfter: number;
}

/** Group keys for mode 5; envelope key slots are keyId mod 4, so at most four overlapping keys are usable at once. */
export class GroupKeyRing {
  static readonly SLOTS = 4;
  /** Keys kept in all; expired ones go first. */
  static readonly CAPACITY = 16;
  private readonly keys: GroupKey[] = [];

  static fromFile(f: GroupKeyFile): GroupKeyRing {
    const r = new GroupKeyRing();
    for (const k of f.keys) r.add({ keyId: k.keyId, key: hexToBytes(k.key), notBefore: k.notBefore, notAfter: k.notAfter });
    return r;
  }

  get size(): number {
    return this.keys.length;
  }

  add(k: GroupKey): void {
    if (k.key.length !== 16) throw new RangeError('group key must be 16 bytes');
    if (!(k.notAfter > k.notBefore)) throw new RangeError('group key validity must end after it begins');
    const i = this.keys.findIndex((x) => x.keyId === k.keyId);
    if (i >= 0) this.keys.splice(i, 1);
    this.keys.push(k);
    this.keys.sort((a, b) => a.notBefore - b.notBefore);
    while (this.keys.length > GroupKeyRing.CAPACITY) {
      const expired = this.keys.reduce((best, x, j) => (x.notAfter < (this.keys[best] as GroupKey).notAfter ? j : best), 0);
      (this.keys[expired] as GroupKey).key.fill(0);
      this.keys.splice(expired, 1);
    }
  }

  /** The key to send with: the valid key that became valid last. */
  forSending(nowSecond: number): GroupKey | undefined {
    let best: GroupKey | undefined;
    for (const k of this.keys) if (k.notBefore <= nowSecond && nowSecond < k.notAfter) best = k;
    return best;
  }

  /** Keys valid at `second` whose id maps to `slot`. */
  forSlot(slot: number, second: number): GroupKey[] {
    return this.keys.filter((k) => k.keyId % GroupKeyRing.SLOTS === slot && k.notBefore <= second && second < k.notAfter);
  }
}
