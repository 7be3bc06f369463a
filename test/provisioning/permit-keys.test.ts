import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InstalledKey, KeySet } from '../../firmware/permit/index.js';
import { PermitKeysError, keysFromPermit, parsePermitIdentity, permitIdentity } from '../../firmware/permit-keys.js';
import { testPkg } from '../firmware/_pkg.js';

const pkg = testPkg('permit-keys');
const T = 1_795_521_600;
const EPOCH = 692;

function key(kind: InstalledKey['kind'], identity: string, fill: number, next?: number): InstalledKey {
  const length = kind === 'signing' ? 48 : kind === 'decryption' ? 96 : 16;
  return {
    kind, identity, epoch: EPOCH, notBefore: T - 10, notAfter: T + 3600, issuerId: 'PKG-1',
    current: new Uint8Array(length).fill(fill), next: next === undefined ? undefined : new Uint8Array(length).fill(next),
  };
}
const set = (...keys: InstalledKey[]): KeySet => ({ keys, groups: [], sequences: { 'PKG-1': 1 } });
const codeOf = (f: () => unknown) => {
  try {
    f();
    return 'OK';
  } catch (e) {
    if (e instanceof PermitKeysError) return e.code;
    throw e;
  }
};

describe('permit identities', () => {
  it('round-trip for MMSIs, pseudo-MMSIs and group key ids', () => {
    fc.assert(
      fc.property(fc.constantFrom('mmsi' as const, 'pseudo-mmsi' as const), fc.integer({ min: 0, max: 999_999_999 }), (kind, mmsi) => {
        expect(parsePermitIdentity(permitIdentity({ kind, mmsi }))).toEqual({ kind, mmsi });
      }),
    );
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (keyId) => {
      expect(parsePermitIdentity(permitIdentity({ kind: 'group', keyId }))).toEqual({ kind: 'group', keyId });
    }));
    expect(permitIdentity({ kind: 'mmsi', mmsi: 2_371_000 })).toBe('mmsi:002371000');
  });

  it('group keys of a numbered group round-trip as group:<group>/<key id>; group 0 keeps the form without it', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 0xffff }), fc.integer({ min: 0, max: 0xffff_ffff }), (groupId, keyId) => {
      expect(parsePermitIdentity(permitIdentity({ kind: 'group', groupId, keyId }))).toEqual({ kind: 'group', groupId, keyId });
    }));
    expect(permitIdentity({ kind: 'group', groupId: 0, keyId: 4 })).toBe('group:4');
    expect(permitIdentity({ kind: 'group', groupId: 12, keyId: 4 })).toBe('group:12/4');
  });

  it.each(['group:0/4', 'group:65536/4', 'group:01/4', 'group:/4'])('refuses %s', (s) => expect(codeOf(() => parsePermitIdentity(s))).toBe('PERMIT_KEYS_IDENTITY'));

  it.each(['mmsi:23700000', 'mmsi:2370000011', 'urn:mrn:mcp:vessel:gr:imo:9074729', 'group:01', 'group:4294967296', 'MMSI:237000001'])(
    'refuses %s',
    (s) => expect(codeOf(() => parsePermitIdentity(s))).toBe('PERMIT_KEYS_IDENTITY'),
  );
});

describe('keysFromPermit', () => {
  it('pairs signing and decryption keys per epoch (current and next) and fills the group ring', () => {
    const k = keysFromPermit(pkg.params, set(
      key('signing', 'mmsi:237000001', 1, 2),
      key('decryption', 'mmsi:237000001', 3, 4),
      key('signing', 'pseudo-mmsi:104000000', 5),
      key('decryption', 'pseudo-mmsi:104000000', 6),
      key('group', 'group:9', 7),
    ));
    expect(k.identity?.mmsi).toBe(237_000_001);
    expect(k.identity?.epochs).toEqual([EPOCH, EPOCH + 1]);
    expect(k.pseudo?.kind).toBe('pseudo-mmsi');
    expect(k.pseudo?.epochs).toEqual([EPOCH]);
    expect(k.groupKeys.forSending(T)).toMatchObject({ keyId: 9, notBefore: T - 10, notAfter: T + 3600 });
  });

  it('copies the key bytes: wiping the installed set leaves the keyring intact', () => {
    const g = key('group', 'group:1', 7);
    const k = keysFromPermit(pkg.params, set(g));
    g.current.fill(0);
    expect(k.groupKeys.forSending(T)?.key).toEqual(new Uint8Array(16).fill(7));
  });

  it('refuses two vessels in one set, half identities, and kinds under the wrong identity', () => {
    expect(codeOf(() => keysFromPermit(pkg.params, set(
      key('signing', 'mmsi:237000001', 1), key('decryption', 'mmsi:237000001', 1),
      key('signing', 'mmsi:237000002', 1), key('decryption', 'mmsi:237000002', 1),
    )))).toBe('PERMIT_KEYS_AMBIGUOUS');
    expect(codeOf(() => keysFromPermit(pkg.params, set(key('signing', 'mmsi:237000001', 1, 2), key('decryption', 'mmsi:237000001', 3))))).toBe('PERMIT_KEYS_INCOMPLETE');
    expect(codeOf(() => keysFromPermit(pkg.params, set(key('signing', 'group:1', 1))))).toBe('PERMIT_KEYS_IDENTITY');
    expect(codeOf(() => keysFromPermit(pkg.params, set(key('group', 'mmsi:237000001', 1))))).toBe('PERMIT_KEYS_IDENTITY');
  });

  it("hands the permit's group policy to the ring: keys of a group it makes this appliance only a reader of are not sent with", () => {
    const term = { notBefore: T - 100, notAfter: T + 86_400 };
    const k = keysFromPermit(pkg.params, {
      ...set(key('group', 'group:3/9', 7), key('group', 'group:4/8', 6)),
      groups: [{ groupId: 3, member: false, ...term, issuers: [] }, { groupId: 4, member: true, ...term, issuers: [{ mmsi: 244_100_001, ...term }] }],
    });
    expect(k.groupKeys.policy.groups.map((g) => g.groupId)).toEqual([3, 4]);
    expect(k.groupKeys.forSending(T)).toMatchObject({ groupId: 4, keyId: 8 });
    expect(k.groupKeys.forSlot(9 % 4, T).map((x) => x.keyId)).toEqual([9]);
  });

  it('an empty set gives no identities and an empty ring', () => {
    const k = keysFromPermit(pkg.params, set());
    expect(k.identity).toBeUndefined();
    expect(k.pseudo).toBeUndefined();
    expect(k.groupKeys.size).toBe(0);
  });
});
