/**
 * The appliance's key material in usable form: system parameters, its own identities (MMSI and, for mode 3, a
 * pseudo-MMSI) with prepared signers and decryptors per epoch, a bounded cache of verifiers for the senders it hears,
 * and the mode-5 group keys held during rotation, apart for reading and sending (docs/group-keys.md).
 */
import { equalBytes } from '@noble/ciphers/utils.js';
import {
  decodePublicParams, identityBytes, prepareDecryptor, prepareSigner, prepareVerifier, verify,
  type Decryptor, type PublicParams, type Signer, type Verifier,
} from '../crypto/index.js';
import type { GroupKeyGrant } from './bodies.js';
import { DEFAULT_EPOCH_SECONDS } from './epoch.js';
import { FrequencySketch } from './frequency-sketch.js';
import {
  checkGrant, EMPTY_GROUP_POLICY, isAuthorisedIssuer, isMember, policyProblem, type GrantRefusal, type GroupPolicy, type HandOut,
} from './group-policy.js';
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

/**
 * Prepared verifiers kept by default; the receiver's `verifierCache` option and the daemon's config change it.
 * 512 × ≈19 KiB of WASM memory that is never returned: with TinyLFU admission the ships heard most stay prepared,
 * and the total budget (24 verifications/s) reaches only ~720 senders in the 30-s freshness window anyway.
 */
export const DEFAULT_VERIFIER_CACHE = 512;

export interface VerifierCacheStats {
  /** Verifications with a prepared verifier. */
  hits: number;
  /** Newcomers admitted: prepared (≈1.1× a plain verify once) and kept. */
  admitted: number;
  /** Newcomers verified without preparing: heard too seldom to displace the entry they would evict. */
  bypassed: number;
}

/**
 * Verifiers for the senders heard most. A prepared verifier (Q_ID's Miller-loop lines: ≈19 KiB of WASM memory and
 * ≈1 ms to build) makes each later verify ≈0.8× a plain one; preparing for a ship heard once is a loss. So a
 * sender is admitted only on its second sighting, and once the cache is full only when a frequency sketch says it
 * is heard at least twice as often as the least recently used entry it would evict (TinyLFU, firmware/frequency-sketch.ts);
 * everyone else is verified without preparing. A scan of many ships therefore never evicts the regulars and never
 * costs more than plain verification. Memory: ≈19 KiB WASM + ≈0.2 KiB JS per entry, plus 16 bytes of sketch.
 */
export class VerifierCache {
  private readonly cache = new Map<string, Verifier>();
  private readonly sketch: FrequencySketch;
  readonly stats: VerifierCacheStats = { hits: 0, admitted: 0, bypassed: 0 };

  constructor(
    private readonly params: SystemParams,
    readonly capacity = DEFAULT_VERIFIER_CACHE,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('verifier cache capacity must be a positive integer');
    this.sketch = new FrequencySketch(capacity);
  }

  get size(): number {
    return this.cache.size;
  }

  /** Whether a prepared verifier is held for the sender (no sighting is counted). */
  has(kind: IdentityKind, mmsi: number, epoch: number): boolean {
    return this.cache.has(`${kind}:${mmsi}:${epoch}`);
  }

  /** A verifier for the sender: the prepared one when held or admitted now, else one that verifies unprepared. */
  get(kind: IdentityKind, mmsi: number, epoch: number): Verifier {
    const key = `${kind}:${mmsi}:${epoch}`;
    const seen = this.sketch.increment(key);
    let v = this.cache.get(key);
    if (v !== undefined) {
      this.cache.delete(key); // re-insert: Map order is the LRU order
      this.cache.set(key, v);
      this.stats.hits++;
      return v;
    }
    const identity = identityOf(kind, mmsi, epoch);
    if (!this.admit(seen)) {
      this.stats.bypassed++;
      return unprepared(this.params.pp, identity);
    }
    if (this.cache.size >= this.capacity) {
      const [oldestKey, oldest] = this.cache.entries().next().value as [string, Verifier];
      oldest.destroy();
      this.cache.delete(oldestKey);
    }
    v = prepareVerifier(this.params.pp, identity);
    this.cache.set(key, v);
    this.stats.admitted++;
    return v;
  }

  /** Frees every prepared verifier's WASM memory. */
  clear(): void {
    for (const v of this.cache.values()) v.destroy();
    this.cache.clear();
  }

  private admit(seen: number): boolean {
    if (seen < 2) return false;
    if (this.cache.size < this.capacity) return true;
    // Twice as often, not merely more: swapping ships heard about as often only pays a preparation each time.
    const victim = this.cache.keys().next().value as string;
    return seen > 2 * this.sketch.estimate(victim);
  }
}

/** Same contract as a prepared verifier, for a sender not worth preparing. */
function unprepared(pp: PublicParams, identity: Uint8Array): Verifier {
  return {
    identity,
    verify: (msg, sig) => verify(pp, identity, msg, sig),
    verifyAny(msgs, sig) {
      if (msgs.length === 1) return verify(pp, identity, msgs[0]!, sig) ? 0 : -1;
      // Several candidates share one pairing only through prepared lines: prepare for this call, then free them.
      const v = prepareVerifier(pp, identity);
      try {
        return v.verifyAny(msgs, sig);
      } finally {
        v.destroy();
      }
    },
    destroy: () => undefined,
  };
}

export interface GroupKey {
  /** The group the key belongs to (docs/group-keys.md); 0 when a key file names none. */
  readonly groupId?: number;
  readonly keyId: number;
  readonly key: Uint8Array;
  readonly notBefore: number;
  readonly notAfter: number;
}

/** A held key and how it came: by configuration (key file, permit record) or in a hand-out from `issuer`. */
interface HeldKey extends GroupKey {
  readonly groupId: number;
  /** Configured keys: whether this appliance sends with it. Received keys follow the policy instead. */
  readonly send: boolean;
  readonly issuer?: number;
}

export type GrantInstall =
  | { readonly ok: true; readonly key: GroupKey; /** The same key was already held (a repeated hand-out). */ readonly repeated: boolean }
  | { readonly ok: false; readonly reason: GrantRefusal; readonly detail: string };

/**
 * Group keys for mode 5; envelope key slots are keyId mod 4, so at most four overlapping keys are usable at once.
 * Keys read with and the key sent with are apart (docs/group-keys.md §4): a configured key is read, and sent with
 * unless configured read-only or the policy says otherwise for its group; a received key is installed only as the
 * group policy allows, read only while its group entry and its issuer's authority are valid, and sent with only
 * while the policy makes this appliance a member of its group. Without a policy no hand-out is ever installed.
 */
export class GroupKeyRing {
  static readonly SLOTS = 4;
  /** Keys kept in all; expired ones go first. */
  static readonly CAPACITY = 16;
  private readonly keys: HeldKey[] = [];
  /** Per group, the newest key id and start of validity ever held: older hand-outs are replays. */
  private readonly newest = new Map<number, { keyId: number; notBefore: number }>();

  constructor(readonly policy: GroupPolicy = EMPTY_GROUP_POLICY) {
    const problem = policyProblem(policy);
    if (problem !== undefined) throw new RangeError(`group policy: ${problem}`);
  }

  static fromFile(f: GroupKeyFile, policy?: GroupPolicy): GroupKeyRing {
    const r = new GroupKeyRing(policy);
    for (const k of f.keys) {
      r.add({ groupId: k.groupId ?? 0, keyId: k.keyId, key: hexToBytes(k.key), notBefore: k.notBefore, notAfter: k.notAfter });
    }
    return r;
  }

  get size(): number {
    return this.keys.length;
  }

  /** A key from the configuration: read with, and sent with unless `send` is false. */
  add(k: GroupKey, opts: { send?: boolean } = {}): void {
    this.hold({ ...k, groupId: k.groupId ?? 0, send: opts.send ?? true });
  }

  /**
   * A key received in a verified mode-4 hand-out: installed when the policy authorises it and it is newer than
   * every key held of its group; a repeat of a held key is accepted without change.
   */
  install(g: GroupKeyGrant, h: HandOut): GrantInstall {
    const refused = checkGrant(this.policy, g, h);
    if (refused !== undefined) return { ok: false, reason: refused, detail: `key ${g.keyId} of group ${g.groupId} from ${h.signer} to ${h.destination}` };
    const last = this.newest.get(g.groupId);
    if (last !== undefined && g.keyId === last.keyId) {
      const held = this.keys.find((k) => k.groupId === g.groupId && k.keyId === g.keyId);
      if (held !== undefined && held.notBefore === g.notBefore && held.notAfter === g.notAfter && equalBytes(held.key, g.key)) {
        return { ok: true, key: held, repeated: true };
      }
    }
    if (last !== undefined && (g.keyId <= last.keyId || g.notBefore < last.notBefore)) {
      return { ok: false, reason: 'KEY_SUPERSEDED', detail: `key ${g.keyId} of group ${g.groupId}: key ${last.keyId} is held` };
    }
    const key: HeldKey = { groupId: g.groupId, keyId: g.keyId, key: g.key.slice(), notBefore: g.notBefore, notAfter: g.notAfter, send: false, issuer: h.signer };
    this.hold(key);
    return { ok: true, key, repeated: false };
  }

  private hold(k: HeldKey): void {
    if (k.key.length !== 16) throw new RangeError('group key must be 16 bytes');
    if (!(k.notAfter > k.notBefore)) throw new RangeError('group key validity must end after it begins');
    const i = this.keys.findIndex((x) => x.groupId === k.groupId && x.keyId === k.keyId);
    if (i >= 0) this.keys.splice(i, 1);
    this.keys.push(k);
    this.keys.sort((a, b) => a.notBefore - b.notBefore);
    const last = this.newest.get(k.groupId);
    if (last === undefined || k.keyId > last.keyId) this.newest.set(k.groupId, { keyId: k.keyId, notBefore: Math.max(k.notBefore, last?.notBefore ?? 0) });
    while (this.keys.length > GroupKeyRing.CAPACITY) {
      const expired = this.keys.reduce((best, x, j) => (x.notAfter < (this.keys[best] as HeldKey).notAfter ? j : best), 0);
      (this.keys[expired] as HeldKey).key.fill(0);
      this.keys.splice(expired, 1);
    }
  }

  /** A received key is usable while its group entry and its issuer's authority are valid. */
  private usable(k: HeldKey, second: number): boolean {
    if (!(k.notBefore <= second && second < k.notAfter)) return false;
    return k.issuer === undefined || isAuthorisedIssuer(this.policy, k.groupId, k.issuer, second);
  }

  /**
   * Received keys follow the policy's membership. A configured key is sent with unless configured read-only, and
   * when the policy has an entry for its group, only while that entry makes this appliance a member.
   */
  private sendable(k: HeldKey, second: number): boolean {
    if (!this.usable(k, second)) return false;
    if (k.issuer === undefined && !k.send) return false;
    if (k.issuer === undefined && !this.policy.groups.some((g) => g.groupId === k.groupId)) return true;
    return isMember(this.policy, k.groupId, second);
  }

  /** The key to send with: of the keys this appliance may send with now, the one that became valid last. */
  forSending(nowSecond: number): GroupKey | undefined {
    let best: GroupKey | undefined;
    for (const k of this.keys) if (this.sendable(k, nowSecond)) best = k;
    return best;
  }

  /** Keys to read with, valid at `second`, whose id maps to `slot`. */
  forSlot(slot: number, second: number): GroupKey[] {
    return this.keys.filter((k) => k.keyId % GroupKeyRing.SLOTS === slot && this.usable(k, second));
  }
}
