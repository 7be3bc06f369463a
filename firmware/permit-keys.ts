/**
 * From an installed key permit (firmware/permit/) to the keys the secure pipeline uses (keyring.ts): the
 * appliance reads its permit from the card, installs it, and hands SecureTx/SecureRx what this returns.
 *
 * Record identities in a permit are these strings (the PKG writes them, see provisioning/pkg):
 *   "mmsi:<9 digits>"          signing and decryption keys of the vessel's on-air MMSI
 *   "pseudo-mmsi:<9 digits>"   the same for an authority-issued pseudo-MMSI (mode 3)
 *   "group:<group>/<key id>"   a mode-5 group key of group 1..65535; its validity is the record's notBefore..notAfter
 *   "group:<key id>"           the same for group 0 (the form before groups had ids)
 * The permit's group policy (firmware/group-policy.ts) goes with the group keys into the key ring.
 * A record's `current` key belongs to its `epoch` and `next` to `epoch + 1` (S-63's ECK1/ECK2).
 * Pure: no IO, no clock; the key bytes are copied, so wiping the key set does not wipe the keyring.
 */
import { MAX_GROUP_ID } from './bodies.js';
import { GroupKeyRing, OwnIdentity, type IdentityKind, type SystemParams } from './keyring.js';
import type { InstalledKey, KeySet } from './permit/index.js';

export class PermitKeysError extends Error {
  override readonly name = 'PermitKeysError';
  constructor(
    readonly code: 'PERMIT_KEYS_IDENTITY' | 'PERMIT_KEYS_INCOMPLETE' | 'PERMIT_KEYS_AMBIGUOUS',
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export type PermitIdentity =
  | { readonly kind: IdentityKind; readonly mmsi: number }
  | { readonly kind: 'group'; readonly groupId?: number; readonly keyId: number };

const PATTERN = /^(mmsi|pseudo-mmsi):(\d{9})$|^group:(?:([1-9]\d{0,4})\/)?(0|[1-9]\d{0,9})$/;

/** The identity string of a permit record. */
export function permitIdentity(id: PermitIdentity): string {
  if (id.kind === 'group') {
    if (!Number.isInteger(id.keyId) || id.keyId < 0 || id.keyId > 0xffff_ffff) throw new RangeError('group keyId must be a u32');
    const g = id.groupId ?? 0;
    if (!Number.isInteger(g) || g < 0 || g > MAX_GROUP_ID) throw new RangeError(`group id must be 0..${MAX_GROUP_ID}`);
    return g === 0 ? `group:${id.keyId}` : `group:${g}/${id.keyId}`;
  }
  if (!Number.isInteger(id.mmsi) || id.mmsi < 0 || id.mmsi > 999_999_999) throw new RangeError('MMSI must be 0..999999999');
  return `${id.kind}:${String(id.mmsi).padStart(9, '0')}`;
}

/** Parses a permit record identity; PermitKeysError PERMIT_KEYS_IDENTITY for anything else. */
export function parsePermitIdentity(s: string): PermitIdentity {
  const m = PATTERN.exec(s);
  if (m === null) throw new PermitKeysError('PERMIT_KEYS_IDENTITY', `unknown permit identity ${JSON.stringify(s)}`);
  if (m[4] !== undefined) {
    const keyId = Number(m[4]);
    if (keyId > 0xffff_ffff) throw new PermitKeysError('PERMIT_KEYS_IDENTITY', `group key id ${m[4]} is not a u32`);
    if (m[3] === undefined) return { kind: 'group', keyId };
    const groupId = Number(m[3]);
    if (groupId > MAX_GROUP_ID) throw new PermitKeysError('PERMIT_KEYS_IDENTITY', `group id ${m[3]} is not 1..${MAX_GROUP_ID}`);
    return { kind: 'group', groupId, keyId };
  }
  return { kind: m[1] as IdentityKind, mmsi: Number(m[2]) };
}

export interface PermitKeys {
  /** The vessel's MMSI identity (modes 2, 4), if the permit carries one. */
  readonly identity: OwnIdentity | undefined;
  /** The pseudo-MMSI identity (mode 3), if any. */
  readonly pseudo: OwnIdentity | undefined;
  readonly groupKeys: GroupKeyRing;
}

type EpochKeys = Map<number, { signing?: Uint8Array; decryption?: Uint8Array }>;

function addEpochs(into: EpochKeys, k: InstalledKey): void {
  const slot = k.kind === 'signing' ? 'signing' : 'decryption';
  const put = (epoch: number, key: Uint8Array) => into.set(epoch, { ...into.get(epoch), [slot]: key.slice() });
  put(k.epoch, k.current);
  if (k.next !== undefined) put(k.epoch + 1, k.next);
}

/**
 * The keyring of an installed key set. An appliance speaks for one vessel: two MMSI (or two pseudo-MMSI)
 * identities in one set are refused, as is an identity whose signing and decryption keys cover different epochs
 * (OwnIdentity holds both per epoch; a half key would fail later, mid-voyage, instead of at install).
 */
export function keysFromPermit(params: SystemParams, set: KeySet): PermitKeys {
  const identities = new Map<string, { kind: IdentityKind; mmsi: number; epochs: EpochKeys }>();
  const groupKeys = new GroupKeyRing({ groups: set.groups ?? [] });
  for (const k of set.keys) {
    const id = parsePermitIdentity(k.identity);
    if (id.kind === 'group') {
      if (k.kind !== 'group') throw new PermitKeysError('PERMIT_KEYS_IDENTITY', `${k.kind} key under group identity ${k.identity}`);
      groupKeys.add({ groupId: id.groupId ?? 0, keyId: id.keyId, key: k.current.slice(), notBefore: k.notBefore, notAfter: k.notAfter });
      continue;
    }
    if (k.kind === 'group') throw new PermitKeysError('PERMIT_KEYS_IDENTITY', `group key under ${k.identity}`);
    const entry = identities.get(k.identity) ?? { kind: id.kind, mmsi: id.mmsi, epochs: new Map() };
    identities.set(k.identity, entry);
    addEpochs(entry.epochs, k);
  }
  const build = (kind: IdentityKind): OwnIdentity | undefined => {
    const ofKind = [...identities.values()].filter((e) => e.kind === kind);
    if (ofKind.length > 1) {
      throw new PermitKeysError('PERMIT_KEYS_AMBIGUOUS', `${ofKind.length} ${kind} identities in one key set: ${ofKind.map((e) => e.mmsi).join(', ')}`);
    }
    const e = ofKind[0];
    if (e === undefined) return undefined;
    const keys = [...e.epochs.entries()].map(([epoch, k]) => {
      if (k.signing === undefined || k.decryption === undefined) {
        throw new PermitKeysError('PERMIT_KEYS_INCOMPLETE', `${kind} ${e.mmsi} epoch ${epoch} lacks its ${k.signing ? 'decryption' : 'signing'} key`);
      }
      return { epoch, signingKey: k.signing, decryptionKey: k.decryption };
    });
    return new OwnIdentity(params, kind, e.mmsi, keys);
  };
  return { identity: build('mmsi'), pseudo: build('pseudo-mmsi'), groupKeys };
}
