import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DAY,
  EMPTY_KEY_SET,
  decodePermitFile,
  deviceKeyFromSecret,
  encodePermitBody,
  encodePermitFile,
  installPermit,
  keySetAlarms,
  type InstallContext,
  type InstallResult,
  type KeySet,
} from '../../firmware/permit/index.js';
import { issueIssuerCertificate, issuePermit, type PermitKey } from '../../provisioning/index.js';

/** Deterministic "randomness" so fixtures are reproducible. */
function seeded(seed: number): (n: number) => Uint8Array {
  let s = seed;
  return (n) => Uint8Array.from({ length: n }, () => (s = (s * 1103515245 + 12345) >>> 0) >>> 24);
}
const rnd = seeded(7);
const bytes = (n: number, v: number) => new Uint8Array(n).fill(v);

const T0 = 1_790_000_000; // 2026-09-21, UTC seconds
const root = ed25519.keygen(rnd(32));
const otherRoot = ed25519.keygen(rnd(32));
const issuerKey = ed25519.keygen(rnd(32));
const certFields = { issuerId: 'GR-PKG-1', publicKey: issuerKey.publicKey, notBefore: T0 - 365 * DAY, notAfter: T0 + 3 * 365 * DAY };
const issuer = { certificate: issueIssuerCertificate(certFields, root.secretKey), secretKey: issuerKey.secretKey };
const device = deviceKeyFromSecret(rnd(32));
const otherDevice = deviceKeyFromSecret(rnd(32));

const EXPIRY = T0 + 90 * DAY;
const signing: PermitKey = {
  kind: 'signing', identity: 'mmsi:237000001', epoch: 42, notBefore: T0 - DAY, notAfter: EXPIRY,
  current: bytes(48, 1), next: bytes(48, 2),
};
const group: PermitKey = {
  kind: 'group', identity: 'group:1', epoch: 7, notBefore: T0 - DAY, notAfter: EXPIRY, current: bytes(16, 3),
};
const decryption: PermitKey = {
  kind: 'decryption', identity: 'mmsi:237000001', epoch: 42, notBefore: T0 - DAY, notAfter: EXPIRY, current: bytes(96, 4),
};

function permit(over: Partial<Parameters<typeof issuePermit>[0]> = {}): Uint8Array {
  return issuePermit(
    { issuer, devicePublicKey: device.publicKey, issuedAt: T0, sequence: 5, keys: [signing, decryption, group], ...over },
    rnd,
  );
}
const ctx = (over: Partial<InstallContext> = {}): InstallContext => ({ device, rootPublicKey: root.publicKey, now: T0, ...over });

function code(r: InstallResult): string {
  return r.ok ? 'OK' : r.error.code;
}

/** An installed set that a failed install must leave exactly as it was. */
function installedBefore(): KeySet {
  const r = installPermit(
    issuePermit({ issuer, devicePublicKey: device.publicKey, issuedAt: T0 - DAY, sequence: 4, keys: [{ ...group, current: bytes(16, 9) }] }, rnd),
    EMPTY_KEY_SET,
    ctx(),
  );
  if (!r.ok) throw r.error;
  return r.keys;
}

function resign(file: Uint8Array, edit: (p: ReturnType<typeof decodePermitFile>) => ReturnType<typeof decodePermitFile>): Uint8Array {
  const p = edit(decodePermitFile(file));
  const body = encodePermitBody(p, encodeIssuer(), p.records);
  return encodePermitFile(body, ed25519.sign(body, issuerKey.secretKey));
}
const encodeIssuer = () => issuer.certificate;

describe('key permit: issue and install', () => {
  it('installs every key with its next key and issuer id, no warnings at 90 days', () => {
    const r = installPermit(permit(), EMPTY_KEY_SET, ctx());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings).toEqual([]);
    expect(r.keys.sequences).toEqual({ 'GR-PKG-1': 5 });
    const s = r.keys.keys.find((k) => k.kind === 'signing')!;
    expect([s.identity, s.epoch, s.issuerId, s.current, s.next]).toEqual(['mmsi:237000001', 42, 'GR-PKG-1', bytes(48, 1), bytes(48, 2)]);
    expect(r.keys.keys.find((k) => k.kind === 'decryption')!.current).toEqual(bytes(96, 4));
    expect(r.keys.keys.find((k) => k.kind === 'group')!.next).toBeUndefined();
  });

  it('keeps keys of other identities and replaces those of the same kind and identity (S-63 merge)', () => {
    const before = installedBefore();
    const r = installPermit(permit({ keys: [signing] }), before, ctx());
    expect(r.ok && r.keys.keys.map((k) => k.identity)).toEqual(['group:1', 'mmsi:237000001']);
    // The new set shares no buffer with the old one, so wiping the old set after persisting is safe.
    if (!r.ok) throw r.error;
    before.keys[0]!.current.fill(0);
    expect(r.keys.keys[0]!.current).toEqual(bytes(16, 9));
    const r2 = installPermit(permit({ keys: [group] }), installedBefore(), ctx());
    expect(r2.ok && r2.keys.keys.map((k) => k.current)).toEqual([bytes(16, 3)]);
  });

  it('check 1, missing: PERMIT_MISSING', () => {
    expect(code(installPermit(undefined, EMPTY_KEY_SET, ctx()))).toBe('PERMIT_MISSING');
    expect(code(installPermit(new Uint8Array(0), EMPTY_KEY_SET, ctx()))).toBe('PERMIT_MISSING');
  });

  it('check 1, an empty permit file says it is empty, not that there is none', () => {
    const empty = installPermit(new Uint8Array(0), EMPTY_KEY_SET, ctx());
    expect(!empty.ok && empty.error.message).toMatch(/permit file is empty/);
    const none = installPermit(undefined, EMPTY_KEY_SET, ctx());
    expect(!none.ok && none.error.message).toMatch(/no permit file/);
  });

  it('check 2, format: garbage, truncation, trailing bytes → PERMIT_FORMAT', () => {
    const f = permit();
    expect(code(installPermit(new TextEncoder().encode(':DATE 20030909 09:02'), EMPTY_KEY_SET, ctx()))).toBe('PERMIT_FORMAT');
    expect(code(installPermit(f.subarray(0, f.length - 1), EMPTY_KEY_SET, ctx()))).toBe('PERMIT_FORMAT');
    expect(code(installPermit(f.subarray(0, 40), EMPTY_KEY_SET, ctx()))).toBe('PERMIT_FORMAT');
    expect(code(installPermit(new Uint8Array([...f, 0]), EMPTY_KEY_SET, ctx()))).toBe('PERMIT_FORMAT');
  });

  it('check 3, a permit for another appliance: PERMIT_NOT_FOR_DEVICE', () => {
    const r = installPermit(permit({ devicePublicKey: otherDevice.publicKey }), EMPTY_KEY_SET, ctx());
    expect(code(r)).toBe('PERMIT_NOT_FOR_DEVICE');
  });

  it('check 4, integrity: issuer not certified by our root, bad file signature, altered wrapped key', () => {
    const foreign = { ...issuer, certificate: issueIssuerCertificate(certFields, otherRoot.secretKey) };
    expect(code(installPermit(permit({ issuer: foreign }), EMPTY_KEY_SET, ctx()))).toBe('PERMIT_INTEGRITY');
    const f = permit();
    f[f.length - 1]! ^= 0x80;
    expect(code(installPermit(f, EMPTY_KEY_SET, ctx()))).toBe('PERMIT_INTEGRITY');
    // A correctly signed file whose wrapped key does not authenticate (an issuer bug or a moved record).
    const moved = resign(permit(), (p) => ({ ...p, records: p.records.map((r, i) => (i === 0 ? { ...r, epoch: 43 } : r)) }));
    const r = installPermit(moved, EMPTY_KEY_SET, ctx());
    expect(code(r)).toBe('PERMIT_INTEGRITY');
    expect(!r.ok && r.error.detail).toMatch(/does not authenticate/);
  });

  it('flipping any bit of the file is refused and leaves the installed keys untouched', () => {
    const f = permit();
    const before = installedBefore();
    const snapshot = structuredClone(before);
    // Bytes that an earlier check in S-63's order looks at first: magic (format), and the device id.
    const deviceId = { from: 6 + 6 + 4, to: 6 + 6 + 4 + 16 };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: f.length - 1 }), fc.integer({ min: 0, max: 7 }), (i, bit) => {
        const g = f.slice();
        g[i]! ^= 1 << bit;
        const r = installPermit(g, before, ctx());
        expect(r.ok).toBe(false);
        const expected = i < 6 ? ['PERMIT_FORMAT'] : i >= deviceId.from && i < deviceId.to ? ['PERMIT_NOT_FOR_DEVICE'] : ['PERMIT_INTEGRITY', 'PERMIT_FORMAT'];
        expect(expected).toContain(code(r));
      }),
      { numRuns: 400 },
    );
    expect(before).toEqual(snapshot);
  });

  it('a flipped byte in a signed field (a date, a key, the issuer id) is PERMIT_INTEGRITY, not a format error', () => {
    const f = permit();
    for (const i of [7, 20 + 16, f.length - 70, f.length - 200]) {
      const g = f.slice();
      g[i]! ^= 0x01;
      expect(code(installPermit(g, EMPTY_KEY_SET, ctx()))).toBe('PERMIT_INTEGRITY');
    }
  });

  it('check 5, issuer certificate out of its validity: ISSUER_CERTIFICATE_EXPIRED', () => {
    const r = installPermit(permit(), EMPTY_KEY_SET, ctx({ now: certFields.notAfter }));
    expect(code(r)).toBe('ISSUER_CERTIFICATE_EXPIRED');
  });

  it('check 6, system clock vs GNSS/AIS UTC: CLOCK_DISAGREES beyond the tolerance', () => {
    expect(code(installPermit(permit(), EMPTY_KEY_SET, ctx({ reference: T0 + 301 })))).toBe('CLOCK_DISAGREES');
    expect(code(installPermit(permit(), EMPTY_KEY_SET, ctx({ reference: T0 - 300 })))).toBe('OK');
    expect(code(installPermit(permit(), EMPTY_KEY_SET, ctx({ reference: T0 + 10, maxClockSkew: 5 })))).toBe('CLOCK_DISAGREES');
  });

  it('check 7, an older permit from the same issuer: PERMIT_ROLLBACK; the same one again installs', () => {
    const before = installedBefore();
    expect(code(installPermit(permit({ sequence: 3 }), before, ctx()))).toBe('PERMIT_ROLLBACK');
    expect(code(installPermit(permit({ sequence: 4 }), before, ctx()))).toBe('OK');
  });

  it('check 8, not yet valid: PERMIT_NOT_YET_VALID until notBefore', () => {
    const later = { ...group, notBefore: T0 + 10 };
    expect(code(installPermit(permit({ keys: [later] }), EMPTY_KEY_SET, ctx()))).toBe('PERMIT_NOT_YET_VALID');
    expect(code(installPermit(permit({ keys: [later] }), EMPTY_KEY_SET, ctx({ now: T0 + 10 })))).toBe('OK');
  });

  it('check 9, expiry: valid one second before notAfter (warning, 0 days), PERMIT_EXPIRED at notAfter', () => {
    const last = installPermit(permit(), EMPTY_KEY_SET, ctx({ now: EXPIRY - 1 }));
    expect(last.ok && last.warnings.map((w) => [w.code, w.daysLeft])).toEqual([
      ['PERMIT_EXPIRES_SOON', 0], ['PERMIT_EXPIRES_SOON', 0], ['PERMIT_EXPIRES_SOON', 0],
    ]);
    expect(code(installPermit(permit(), EMPTY_KEY_SET, ctx({ now: EXPIRY })))).toBe('PERMIT_EXPIRED');
  });

  it('check 9, one expired record: the valid records install, the expired one is left out with KEY_EXPIRED', () => {
    const shortGroup = { ...group, notBefore: T0 - 7 * 3600, notAfter: T0 - 3600 }; // a 6-hour group key, run out
    const before = installedBefore(); // holds group:1 from an earlier permit
    const r = installPermit(permit({ keys: [signing, decryption, shortGroup] }), before, ctx());
    if (!r.ok) throw r.error;
    expect(r.keys.keys.map((k) => `${k.kind} ${k.identity}`).sort()).toEqual(['decryption mmsi:237000001', 'group group:1', 'signing mmsi:237000001']);
    // The expired record never replaces the installed key of the same identity.
    expect(r.keys.keys.find((k) => k.kind === 'group')!.current).toEqual(bytes(16, 9));
    expect(r.warnings.map((w) => `${w.code} ${w.kind} ${w.identity}`)).toEqual(['KEY_EXPIRED group group:1']);
    expect(r.keys.sequences['GR-PKG-1']).toBe(5);
  });

  it('check 10, 30 days or less left: installs with PERMIT_EXPIRES_SOON at 30 and 29 days, silent at 31', () => {
    const warn = (days: number) => {
      const r = installPermit(permit({ keys: [group] }), EMPTY_KEY_SET, ctx({ now: EXPIRY - days * DAY }));
      if (!r.ok) throw r.error;
      return r.warnings.map((w) => `${w.code}:${w.daysLeft}`);
    };
    expect(warn(31)).toEqual([]);
    expect(warn(30)).toEqual(['PERMIT_EXPIRES_SOON:30']);
    expect(warn(29)).toEqual(['PERMIT_EXPIRES_SOON:29']);
  });

  it('every refusal leaves the previously installed keys exactly as they were', () => {
    const before = installedBefore();
    const snapshot = structuredClone(before);
    const refusals = [
      installPermit(undefined, before, ctx()),
      installPermit(permit({ devicePublicKey: otherDevice.publicKey }), before, ctx()),
      installPermit(permit(), before, ctx({ now: EXPIRY })),
      installPermit(permit(), before, ctx({ reference: T0 + 3600 })),
      installPermit(permit({ sequence: 1 }), before, ctx()),
    ];
    expect(refusals.map(code)).toEqual(['PERMIT_MISSING', 'PERMIT_NOT_FOR_DEVICE', 'PERMIT_EXPIRED', 'CLOCK_DISAGREES', 'PERMIT_ROLLBACK']);
    expect(before).toEqual(snapshot);
    expect(before.keys[0]!.current).toEqual(bytes(16, 9));
  });

  it('KEY_EXPIRED is a state of the installed set: it holds from notAfter on, until a new permit replaces the key', () => {
    const r = installPermit(permit({ keys: [group] }), EMPTY_KEY_SET, ctx());
    if (!r.ok) throw r.error;
    expect(keySetAlarms(r.keys, EXPIRY - 31 * DAY)).toEqual([]);
    expect(keySetAlarms(r.keys, EXPIRY).map((a) => a.code)).toEqual(['KEY_EXPIRED']);
    expect(keySetAlarms(r.keys, EXPIRY + 400 * DAY).map((a) => a.code)).toEqual(['KEY_EXPIRED']);
    const renewed = installPermit(
      permit({ keys: [{ ...group, notAfter: EXPIRY + 90 * DAY }], sequence: 6 }),
      r.keys,
      ctx({ now: EXPIRY + DAY }),
    );
    expect(renewed.ok && keySetAlarms(renewed.keys, EXPIRY + DAY)).toEqual([]);
  });

  it('the issuer refuses keys of the wrong length for their kind', () => {
    expect(() => permit({ keys: [{ ...signing, current: bytes(47, 1) }] })).toThrow(RangeError);
  });
});

describe('key permit: group policy', () => {
  const term = { notBefore: T0 - DAY, notAfter: T0 + 30 * DAY };
  const fleet = { groupId: 7, member: true, ...term, issuers: [{ mmsi: 244_100_001, ...term }, { mmsi: 244_100_002, notBefore: T0 - DAY, notAfter: T0 }] };
  const watch = { groupId: 9, member: false, ...term, issuers: [] };

  it('carries the signed group policy to the installed set; a later permit replaces the entries of the groups it names', () => {
    const r1 = installPermit(permit({ groups: [fleet, watch] }), EMPTY_KEY_SET, ctx());
    if (!r1.ok) throw r1.error;
    expect(r1.keys.groups).toEqual([fleet, watch]);
    const ended = { ...fleet, member: false, issuers: [] };
    const r2 = installPermit(permit({ sequence: 6, groups: [ended] }), r1.keys, ctx());
    if (!r2.ok) throw r2.error;
    expect(r2.keys.groups).toEqual([watch, ended]);
    // A permit naming no group leaves the policy as it was.
    const r3 = installPermit(permit({ sequence: 7 }), r2.keys, ctx());
    expect(r3.ok && r3.keys.groups).toEqual([watch, ended]);
  });

  it('a changed bit in the group policy is refused: it is signed with the keys', () => {
    const f = permit({ groups: [fleet] });
    const policyBytes = 1 + (2 + 1 + 6 + 6 + 1) + 2 * (4 + 6 + 6);
    for (let i = f.length - 64 - policyBytes; i < f.length - 64; i++) {
      const g = f.slice();
      g[i]! ^= 0x10;
      expect(['PERMIT_INTEGRITY', 'PERMIT_FORMAT']).toContain(code(installPermit(g, EMPTY_KEY_SET, ctx())));
    }
  });

  it('reads a version-1 permit (no policy) as an empty policy', () => {
    const v2 = decodePermitFile(permit());
    const body = encodePermitBody(v2, issuer.certificate, v2.records);
    // Version 1 is the same without the policy's count byte.
    const v1 = body.slice(0, body.length - 1);
    v1[5] = 1;
    const r = installPermit(encodePermitFile(v1, ed25519.sign(v1, issuerKey.secretKey)), EMPTY_KEY_SET, ctx());
    if (!r.ok) throw r.error;
    expect(r.keys.groups).toEqual([]);
    expect(r.keys.keys).toHaveLength(3);
  });

  it('the issuer refuses a malformed policy', () => {
    expect(() => permit({ groups: [fleet, fleet] })).toThrow(/listed twice/);
    expect(() => permit({ groups: [{ ...fleet, notAfter: fleet.notBefore }] })).toThrow(RangeError);
    expect(() => permit({ groups: [{ ...fleet, issuers: [{ mmsi: 1_000_000_000, ...term }] }] })).toThrow(/not an MMSI/);
  });
});
