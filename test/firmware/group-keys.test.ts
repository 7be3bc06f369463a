/**
 * Mode-5 group keys under attack (docs/group-keys.md): hand-outs install only from an issuer the authority's group
 * policy names for that group, to a vessel the policy makes a member, bound to group, issuer, recipient and
 * validity; and a received key becomes the key an appliance sends with only where the policy makes it a member.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAis, encodeAis, encodeVdm, parseSentence, parseVdm, unarmour, type AisMessage } from '../../nmea/index.js';
import { AppliancePipeline } from '../../firmware/appliance-pipeline.js';
import { encodeGroupKeyGrant, KemPurpose, type GroupKeyGrant } from '../../firmware/bodies.js';
import { GroupKeyRing, type OwnIdentity } from '../../firmware/keyring.js';
import type { GroupPolicy } from '../../firmware/group-policy.js';
import { SecureRx } from '../../firmware/secure-rx.js';
import { SecureTx } from '../../firmware/secure-tx.js';
import { parseStatus, type Status } from '../../firmware/status.js';
import { NOW_MS, epochAt, seededRandom, testPkg, type TestPkg } from './_pkg.js';
import { MemoryNonceStore } from '../../hal/nonce-store-sim.js';

const LEADER = 244_100_001; // the authorised issuer of group 1
const FLEET = 244_100_002; // holds a valid key, not an issuer
const FORMER = 244_100_003; // was an issuer of group 1; its term has ended
const OUTSIDER = 244_100_004; // holds no key of this authority
const SHIP_A = 211_000_001; // group members
const SHIP_B = 211_000_002;
const READER = 211_000_003; // may read group 1, never sends in it
const STRANGER = 211_000_004; // no group policy at all

const S = NOW_MS / 1000;
const GROUP = 1;
const TERM = { notBefore: S - 86_400, notAfter: S + 86_400 };

let pkg: TestPkg;
const ids = new Map<number, OwnIdentity>();

beforeAll(() => {
  pkg = testPkg('group keys');
  const e = epochAt(NOW_MS, pkg.params);
  for (const m of [LEADER, FLEET, FORMER, SHIP_A, SHIP_B, READER, STRANGER]) ids.set(m, pkg.identity(m, [e]));
  // The outsider has a key, but from another authority: to our receivers it has none.
  ids.set(OUTSIDER, testPkg('another authority').identity(OUTSIDER, [e]));
});

function policy(member: boolean): GroupPolicy {
  return {
    groups: [{
      groupId: GROUP, member, ...TERM,
      issuers: [{ mmsi: LEADER, ...TERM }, { mmsi: FORMER, notBefore: S - 86_400, notAfter: S - 60 }],
    }],
  };
}

/** The rings of every receiving vessel, as their permits would configure them. */
function fleet(): Map<number, GroupKeyRing> {
  return new Map([
    [SHIP_A, new GroupKeyRing(policy(true))],
    [SHIP_B, new GroupKeyRing(policy(true))],
    [READER, new GroupKeyRing(policy(false))],
    [STRANGER, new GroupKeyRing()],
  ]);
}

const grant = (over: Partial<GroupKeyGrant> & { recipient: number }): GroupKeyGrant => ({
  groupId: GROUP, issuer: LEADER, keyId: 10, notBefore: S - 10, notAfter: S + 3600, key: seededRandom(`key ${over.keyId ?? 10}`)(16), ...over,
});

/** Each signer's appliance: one per signer, so that its envelope group numbers advance as on the air. */
const senders = new Map<number, SecureTx>();

/** A mode-4 hand-out as the signer's appliance sends it (VDM, as heard on the air). */
function handOut(signer: number, to: number, g: GroupKeyGrant, second = S): string[] {
  let tx = senders.get(signer);
  if (tx === undefined) {
    tx = new SecureTx({ mode: 4, emit: 'vdm', ownShip: 'any', to }, { params: pkg.params, identity: ids.get(signer)! }, seededRandom(`tx ${signer}`));
    senders.set(signer, tx);
  }
  return tx.sealToVessel(to, KemPurpose.GroupKey, { bytes: encodeGroupKeyGrant(g), fill: 0 }, signer, second);
}

function rxFor(mmsi: number, ring: GroupKeyRing): SecureRx {
  return new SecureRx({}, { params: pkg.params, identity: ids.get(mmsi)!, groupKeys: ring });
}

function statuses(rx: SecureRx, lines: readonly string[], nowMs = NOW_MS + 500): Status[] {
  return lines.flatMap((l) => rx.push(l, nowMs)).filter((l) => l.startsWith('$PMIBV')).map((l) => parseStatus(l)!);
}

const outcome = (ss: readonly Status[]) => ss.map((s) => (s.result === 'K' ? 'K' : s.reason));

/** Every receiving vessel is sent the hand-out `make(recipient)`; returns what each made of it. */
function tryEverywhere(signer: number, make: (recipient: number) => GroupKeyGrant): Map<number, { outcome: (string | undefined)[]; ring: GroupKeyRing; rx: SecureRx }> {
  const out = new Map<number, { outcome: (string | undefined)[]; ring: GroupKeyRing; rx: SecureRx }>();
  for (const [mmsi, ring] of fleet()) {
    const rx = rxFor(mmsi, ring);
    out.set(mmsi, { outcome: outcome(statuses(rx, handOut(signer, mmsi, make(mmsi)))), ring, rx });
  }
  return out;
}

/** Re-addresses one secured message 6 (given as its sentences) to another destination, data unchanged. */
function readdress(lines: readonly string[], to: number): string[] {
  const out: string[] = [];
  let group: string[] = [];
  for (const l of lines) {
    group.push(l);
    const v = parseVdm(parseSentence(l));
    if (v.index !== v.count) continue;
    const vs = group.map((x) => parseVdm(parseSentence(x)));
    const m = decodeAis(unarmour(vs.map((x) => x.payload).join(''), vs[vs.length - 1]!.fillBits)) as AisMessage;
    out.push(...encodeVdm(encodeAis({ ...m, dest_mmsi: to }), { channel: 'A', seqId: out.length % 10 }));
    group = [];
  }
  return out;
}

describe('who may install a group key', () => {
  it('an authorised issuer: members and readers install its hand-out; a vessel without a policy does not', () => {
    const r = tryEverywhere(LEADER, (recipient) => grant({ recipient }));
    expect(r.get(SHIP_A)!.outcome).toEqual(['K']);
    expect(r.get(SHIP_B)!.outcome).toEqual(['K']);
    expect(r.get(READER)!.outcome).toEqual(['K']);
    expect(r.get(STRANGER)!.outcome).toEqual(['NOT_A_MEMBER']);
    expect(r.get(STRANGER)!.ring.size).toBe(0);
    expect(r.get(SHIP_A)!.rx.counters.keysInstalled).toBe(1);
    expect(r.get(STRANGER)!.rx.counters.rejected['NOT_A_MEMBER']).toBe(1);
  });

  it('a fleet member (valid key, not an issuer) cannot install a key anywhere, naming itself or the issuer', () => {
    for (const issuer of [FLEET, LEADER]) {
      const r = tryEverywhere(FLEET, (recipient) => grant({ recipient, issuer }));
      for (const [mmsi, { outcome: o, ring, rx }] of r) {
        const expected = issuer === LEADER ? 'WRONG_ISSUER' : mmsi === STRANGER ? 'NOT_A_MEMBER' : 'UNTRUSTED_KEY_ISSUER';
        expect(o, `${mmsi} from a fleet member naming ${issuer}`).toEqual([expected]);
        expect(ring.size).toBe(0);
        expect(ring.forSending(S)).toBeUndefined();
        expect(rx.counters.rejected[expected]).toBe(1);
        expect(rx.counters.keysInstalled).toBe(0);
      }
    }
  });

  it('a group member that is not an issuer cannot install a key in its own group', () => {
    const r = tryEverywhere(SHIP_B, (recipient) => grant({ recipient, issuer: SHIP_B }));
    for (const [mmsi, { outcome: o, ring }] of r) {
      expect(o, String(mmsi)).toEqual([mmsi === STRANGER ? 'NOT_A_MEMBER' : 'UNTRUSTED_KEY_ISSUER']);
      expect(ring.size).toBe(0);
    }
  });

  it('a former member (its term as issuer ended) cannot install a key anywhere', () => {
    const r = tryEverywhere(FORMER, (recipient) => grant({ recipient, issuer: FORMER }));
    for (const [mmsi, { outcome: o, ring }] of r) {
      expect(o, String(mmsi)).toEqual([mmsi === STRANGER ? 'NOT_A_MEMBER' : 'UNTRUSTED_KEY_ISSUER']);
      expect(ring.size).toBe(0);
    }
    // Before its term ended the same issuer was accepted: the refusal is the policy's validity, not its key.
    const before = rxFor(SHIP_A, new GroupKeyRing(policy(true)));
    expect(outcome(statuses(before, handOut(FORMER, SHIP_A, grant({ recipient: SHIP_A, issuer: FORMER }), S - 120), NOW_MS - 120_000))).toEqual(['K']);
  });

  it('a former member (its membership ended) installs nothing more and stops sending with the keys it holds', () => {
    const ended = { groups: [{ ...policy(true).groups[0]!, notBefore: S - 86_400, notAfter: S - 60 }] };
    const ring = new GroupKeyRing(ended);
    ring.add({ groupId: GROUP, keyId: 9, key: seededRandom('old')(16), notBefore: S - 3600, notAfter: S + 3600 });
    expect(ring.forSending(S - 120)?.keyId).toBe(9);
    expect(ring.forSending(S)).toBeUndefined();
    expect(outcome(statuses(rxFor(SHIP_A, ring), handOut(LEADER, SHIP_A, grant({ recipient: SHIP_A }))))).toEqual(['NOT_A_MEMBER']);
  });

  it('an outsider (no key of this authority) cannot install a key anywhere, even claiming to be the issuer', () => {
    const own = tryEverywhere(OUTSIDER, (recipient) => grant({ recipient, issuer: OUTSIDER }));
    for (const [, { outcome: o, ring }] of own) {
      expect(o).toEqual(['BAD_SIGNATURE']);
      expect(ring.size).toBe(0);
    }
    // Its radio sends under the leader's MMSI, signed with the only key it has.
    for (const [mmsi, ring] of fleet()) {
      const tx = new SecureTx({ mode: 4, emit: 'vdm', ownShip: 'any', to: mmsi }, { params: pkg.params, identity: ids.get(OUTSIDER)! }, seededRandom('outsider'));
      const lines = tx.sealToVessel(mmsi, KemPurpose.GroupKey, { bytes: encodeGroupKeyGrant(grant({ recipient: mmsi })), fill: 0 }, LEADER, S);
      expect(outcome(statuses(rxFor(mmsi, ring), lines))).toEqual(['BAD_SIGNATURE']);
      expect(ring.size).toBe(0);
    }
  });
});

describe('hand-outs are bound to recipient and validity', () => {
  it('a hand-out addressed to one ship and re-sent to another is refused', () => {
    const toA = handOut(LEADER, SHIP_A, grant({ recipient: SHIP_A }));
    const ringB = new GroupKeyRing(policy(true));
    const rxB = rxFor(SHIP_B, ringB);
    // As sent, it is not for B at all; re-addressed to B, its signature (which covers the destination) fails.
    expect(statuses(rxB, toA)).toEqual([]);
    expect(rxB.counters.notForUs).toBeGreaterThan(0);
    expect(outcome(statuses(rxB, readdress(toA, SHIP_B)))).toEqual(['BAD_SIGNATURE']);
    // The grant names its recipient: the issuer's own signed message to B carrying A's grant is refused too.
    expect(outcome(statuses(rxB, handOut(LEADER, SHIP_B, grant({ recipient: SHIP_A }))))).toEqual(['WRONG_RECIPIENT']);
    expect(ringB.size).toBe(0);
    expect(rxB.counters.rejected).toMatchObject({ BAD_SIGNATURE: 1, WRONG_RECIPIENT: 1 });
  });

  it('refuses a grant outside the policy or already over, and a replayed older key', () => {
    const ring = new GroupKeyRing(policy(true));
    const installed: number[] = [];
    // A receiver per hand-out around one key ring: the ring, not the receive path, is what remembers.
    const send = (g: Partial<GroupKeyGrant>, second = S) => {
      const rx = rxFor(SHIP_A, ring);
      const o = outcome(statuses(rx, handOut(LEADER, SHIP_A, grant({ recipient: SHIP_A, ...g }), second), second * 1000 + 500));
      installed.push(rx.counters.keysInstalled);
      return o;
    };
    expect(send({ keyId: 1, notAfter: TERM.notAfter + 1 })).toEqual(['GRANT_OUTSIDE_VALIDITY']);
    expect(send({ keyId: 2, notBefore: S - 7200, notAfter: S - 3600 })).toEqual(['GRANT_OUTSIDE_VALIDITY']);
    expect(send({ groupId: 2, keyId: 3 })).toEqual(['NOT_A_MEMBER']);
    expect(send({ keyId: 20, notBefore: S - 10 })).toEqual(['K']);
    // The same hand-out again (the issuer repeats it until it hears the member): accepted, nothing changes.
    expect(send({ keyId: 20, notBefore: S - 10 }, S + 1)).toEqual(['K']);
    expect(installed.slice(-2)).toEqual([1, 0]);
    // Older key ids, a reused id with another key, or older validity: a replay of a superseded hand-out.
    expect(send({ keyId: 19 }, S + 2)).toEqual(['KEY_SUPERSEDED']);
    expect(send({ keyId: 20, notBefore: S - 10, key: new Uint8Array(16).fill(1) }, S + 3)).toEqual(['KEY_SUPERSEDED']);
    expect(send({ keyId: 21, notBefore: S - 20 }, S + 4)).toEqual(['KEY_SUPERSEDED']);
    expect(send({ keyId: 21, notBefore: S }, S + 5)).toEqual(['K']);
    expect(ring.forSending(S + 6)?.keyId).toBe(21);
  });
});

describe('sending keys', () => {
  it('a received key becomes the sending key of a member, never of a non-member', () => {
    const r = tryEverywhere(LEADER, (recipient) => grant({ recipient }));
    expect(r.get(SHIP_A)!.ring.forSending(S)?.keyId).toBe(10);
    expect(r.get(READER)!.ring.forSending(S)).toBeUndefined();
    expect(r.get(READER)!.ring.forSlot(10 % 4, S).map((k) => k.keyId)).toEqual([10]);
    expect(r.get(STRANGER)!.ring.forSending(S)).toBeUndefined();
  });

  it("an attacker's key never replaces the key a member sends with; the member's traffic stays readable to its group", () => {
    const key = (seed: string) => ({ groupId: GROUP, keyId: 4, key: seededRandom(seed)(16), notBefore: S - 3600, notAfter: S + 3600 });
    const victimRing = new GroupKeyRing(policy(true));
    victimRing.add(key('fleet key'));
    const victim = new AppliancePipeline(
      { tx: { mode: 5, emit: 'vdm', ownShip: 'any', timeTrusted: true }, rx: {} },
      { params: pkg.params, identity: ids.get(SHIP_A)!, groupKeys: victimRing, nonceState: new MemoryNonceStore() },
      seededRandom('victim'),
    );
    // The fleet member hands the victim a newer key of its own making.
    const attack = handOut(FLEET, SHIP_A, grant({ recipient: SHIP_A, issuer: FLEET, keyId: 99, notBefore: S - 1 }));
    expect(attack.flatMap((l) => victim.fromRadio(l, NOW_MS + 500)).map((o) => parseStatus(o.line)?.reason)).toEqual(['UNTRUSTED_KEY_ISSUER']);
    const report = encodeAis({
      type: 1, repeat: 0, mmsi: SHIP_A, status: 0, turn: -128, speed: 123, accuracy: true, lon: 2_400_000, lat: 31_800_000,
      course: 2240, heading: 215, second: 12, maneuver: 0, spare: 0, raim: false, radio: 0,
    } as AisMessage);
    const sent = encodeVdm(report, { channel: 'A', seqId: 1 }).flatMap((l) => victim.fromShip(l, NOW_MS + 1000)).map((o) => o.line);
    const groupRing = new GroupKeyRing();
    groupRing.add(key('fleet key'));
    const groupMate = new SecureRx({}, { params: pkg.params, groupKeys: groupRing });
    expect(statuses(groupMate, sent, NOW_MS + 1000).map((s) => s.result)).toEqual(['D']);
  });

  it('a configured key of a group the policy makes this appliance only a reader of is not sent with', () => {
    const ring = new GroupKeyRing(policy(false));
    ring.add({ groupId: GROUP, keyId: 4, key: seededRandom('k')(16), notBefore: S - 3600, notAfter: S + 3600 });
    ring.add({ groupId: 2, keyId: 5, key: seededRandom('k2')(16), notBefore: S - 7200, notAfter: S + 3600 });
    // Group 2 has no entry: the configuration itself (the key file, the permit record) makes it a member.
    expect(ring.forSending(S)?.groupId).toBe(2);
    const readOnly = new GroupKeyRing();
    readOnly.add({ keyId: 6, key: seededRandom('k3')(16), notBefore: S - 3600, notAfter: S + 3600 }, { send: false });
    expect(readOnly.forSending(S)).toBeUndefined();
    expect(readOnly.forSlot(6 % 4, S)).toHaveLength(1);
  });
});
