/**
 * Issue 4 acceptance, attacks: none accepted, none crashes, each reported with a reason (`$PMIBV,F,…,<reason>`).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAis, encodeAis, encodeVdm, parseSentence, parseVdm, unarmour, type AisMessage } from '../../nmea/index.js';
import { decodeKem, encodeGroupKeyGrant, encodeKem } from '../../firmware/bodies.js';
import { decodeEnvelopeMessage, encodeEnvelopeMessage, Kind } from '../../firmware/envelope.js';
import { epochOf } from '../../firmware/epoch.js';
import { fragmentBody } from '../../firmware/fragmenter.js';
import { GroupKeyRing, type OwnIdentity } from '../../firmware/keyring.js';
import { signedMessage } from '../../firmware/signed-message.js';
import { SecureRx } from '../../firmware/secure-rx.js';
import { SecureTx } from '../../firmware/secure-tx.js';
import { parseStatus, type Status } from '../../firmware/status.js';
import { reportDigest } from '../../firmware/rx/report-digest.js';
import { NOW_MS, epochAt, groupRing, seededRandom, testPkg, type TestPkg } from './_pkg.js';
import { MemoryNonceStore } from '../../hal/nonce-store-sim.js';

const ALICE = 244_123_456;
const MALLORY = 244_666_666;
const BOB = 211_000_001;

const report = (mmsi: number, second = 12): AisMessage => ({
  type: 1, repeat: 0, mmsi, status: 0, turn: -128, speed: 123, accuracy: true, lon: 2_400_000, lat: 31_800_000,
  course: 2240, heading: 215, second, maneuver: 0, spare: 0, raim: false, radio: 34017,
});

let pkg: TestPkg;
let alice: OwnIdentity;
let mallory: OwnIdentity;
let bob: OwnIdentity;

beforeAll(() => {
  pkg = testPkg('attacks');
  const e = epochAt(NOW_MS, pkg.params);
  alice = pkg.identity(ALICE, [e]);
  mallory = pkg.identity(MALLORY, [e]);
  bob = pkg.identity(BOB, [e]);
});

function txFor(id: OwnIdentity, extra: Partial<ConstructorParameters<typeof SecureTx>[0]> = {}) {
  return new SecureTx({ mode: 2, emit: 'vdm', ownShip: 'any', ...extra }, { params: pkg.params, identity: id }, seededRandom(`tx ${id.mmsi}`));
}

function rxNew() {
  return new SecureRx({}, { params: pkg.params, identity: bob });
}

function feed(rx: SecureRx, lines: readonly string[], now = NOW_MS): { statuses: Status[]; vdm: string[] } {
  const out = lines.flatMap((l) => rx.push(l, now));
  return { statuses: out.filter((l) => l.startsWith('$PMIBV')).map((l) => parseStatus(l)!), vdm: out.filter((l) => l.startsWith('!')) };
}

function secured(id: OwnIdentity, m: AisMessage, now = NOW_MS, extra = {}): string[] {
  return txFor(id, extra).secure(encodeAis(m), m.mmsi, m.type, now);
}

/** The sentences of each AIS message in `lines`, in order. */
function byMessage(lines: readonly string[]): string[][] {
  const out: string[][] = [];
  for (const l of lines) {
    const v = parseVdm(parseSentence(l));
    if (v.index === 1) out.push([]);
    out[out.length - 1]!.push(l);
  }
  return out;
}

let seq = 0;
function aisOf(sentences: readonly string[]): AisMessage & { data: Uint8Array } {
  const vs = sentences.map((l) => parseVdm(parseSentence(l)));
  return decodeAis(unarmour(vs.map((v) => v.payload).join(''), vs[vs.length - 1]!.fillBits)) as AisMessage & { data: Uint8Array };
}
/** The envelope group number of a secured message given as its sentences. */
function groupOf(sentences: readonly string[]): number {
  return (aisOf(sentences).data[1] as number) >> 4;
}
/** Rewrites the group number of a fragment's header. */
const setGroup = (g: number) => (d: Uint8Array) => ((d[1] = ((d[1] as number) & 0x0f) | (g << 4)), d);
/** The whole envelope body carried by the messages of one secured transmission. */
function bodyOf(lines: readonly string[]): Uint8Array {
  const parts = byMessage(lines).map((m) => decodeEnvelopeMessage(aisOf(m).data));
  parts.sort((a, b) => (a.fragment?.index ?? 0) - (b.fragment?.index ?? 0));
  return Uint8Array.from(parts.flatMap((p) => Array.from(p.chunk)));
}
/** A body sent as messages 6 from `source` to `dest` (what a transmitter of the attacker's own emits). */
function sendAs6(kind: Kind, body: Uint8Array, source: number, dest: number): string[] {
  return fragmentBody(kind, false, body, 4, { messageType: 6 }).flatMap((data) =>
    encodeVdm(encodeAis({ type: 6, repeat: 0, mmsi: source, seqno: 0, dest_mmsi: dest, retransmit: false, dac: 0, fid: 58, data, dataBits: data.length * 8 }), { channel: 'A', seqId: seq++ % 10 }),
  );
}
/** Rewrites the application data (and optionally the header) of one secured message given as its sentences. */
function mutateData(sentences: readonly string[], f: (data: Uint8Array) => Uint8Array, g: (m: AisMessage) => AisMessage = (m) => m): string[] {
  const vs = sentences.map((l) => parseVdm(parseSentence(l)));
  const m = decodeAis(unarmour(vs.map((v) => v.payload).join(''), vs[vs.length - 1]!.fillBits)) as AisMessage & { data: Uint8Array; dataBits: number };
  const data = f(m.data.slice());
  return encodeVdm(encodeAis(g({ ...m, data, dataBits: data.length * 8 })), { channel: 'A', seqId: seq++ % 10 });
}

describe('attacks on the secure envelope', () => {
  it('accepts the genuine message (baseline)', () => {
    const { statuses, vdm } = feed(rxNew(), secured(alice, report(ALICE)));
    expect(statuses.map((s) => s.result)).toEqual(['V']);
    expect(vdm.length).toBe(1);
  });

  it('rejects a forged signature: a flipped bit anywhere in the body', () => {
    const msgs = byMessage(secured(alice, report(ALICE)));
    expect(msgs.length).toBe(2); // a signed position report travels as two messages 8
    let checked = 0;
    for (let k = 0; k < msgs.length; k++) {
      const vs = msgs[k]!.map((l) => parseVdm(parseSentence(l)));
      const size = decodeAis(unarmour(vs.map((v) => v.payload).join(''), vs[vs.length - 1]!.fillBits)).dataBits as number;
      for (let bit = 16; bit < size; bit += 5) {
        const forged = msgs.map((m, i) => (i === k ? mutateData(m, (d) => ((d[bit >> 3] = (d[bit >> 3] as number) ^ (0x80 >> (bit & 7))), d)) : m));
        const rx = rxNew();
        const { statuses, vdm } = feed(rx, forged.flat());
        // A tampered chunk matches no fragment 0 and waits for one; it is reported when its group expires.
        statuses.push(...rx.tick(NOW_MS + 31_000).map((l) => parseStatus(l)!));
        expect(vdm).toEqual([]);
        expect(statuses.length).toBeGreaterThan(0);
        expect(statuses.every((s) => s.result === 'F')).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('rejects a report of one ship signed by another', () => {
    // Mallory signs a report claiming to be Alice and sends it as Alice: Alice's identity does not verify it.
    expect(feed(rxNew(), secured(mallory, report(ALICE))).statuses.map((s) => [s.result, s.reason])).toEqual([['F', 'BAD_SIGNATURE']]);
    // Sent under his own MMSI with a valid signature of his own, the report still names Alice.
    const own = txFor(mallory).secure(encodeAis(report(ALICE)), MALLORY, 1, NOW_MS);
    expect(feed(rxNew(), own).statuses.map((s) => [s.result, s.reason])).toEqual([['F', 'WRONG_SENDER']]);
  });

  it('rejects a genuine signature replayed under another source MMSI', () => {
    const lines = secured(alice, report(ALICE));
    const moved = byMessage(lines).flatMap((m) => mutateData(m, (d) => d, (x) => ({ ...x, mmsi: MALLORY })));
    const { statuses, vdm } = feed(rxNew(), moved);
    expect(vdm).toEqual([]);
    expect(statuses.map((s) => s.result)).toEqual(['F']);
    expect(['WRONG_SENDER', 'BAD_SIGNATURE']).toContain(statuses[0]!.reason);
  });

  it('rejects a replay of an old valid message, and a second copy of a fresh one', () => {
    const lines = secured(alice, report(ALICE));
    const rx = rxNew();
    expect(feed(rx, lines).statuses.map((s) => s.result)).toEqual(['V']);
    expect(feed(rx, lines, NOW_MS + 5_000).statuses.map((s) => [s.result, s.reason])).toEqual([['F', 'REPLAY']]);
    expect(feed(rxNew(), lines, NOW_MS + 31_000).statuses.map((s) => [s.result, s.reason])).toEqual([['F', 'STALE']]);
    // 64 s later a 6-bit residue repeated and the replay showed as BAD_SIGNATURE; 12 bits name it STALE.
    expect(feed(rxNew(), lines, NOW_MS + 64_000).statuses.map((s) => [s.result, s.reason])).toEqual([['F', 'STALE']]);
  });

  it('genuine traffic checked 40 s, 5 min or 1 h late is STALE, 40 s early FUTURE, never BAD_SIGNATURE', () => {
    const inline = secured(alice, report(ALICE));
    const attached = secured(alice, report(ALICE), NOW_MS, { topology: 'attached' });
    const sealed = txFor(alice, { mode: 4, to: BOB }).secure(encodeAis(report(ALICE)), ALICE, 1, NOW_MS);
    for (const [name, lines] of [['inline', inline], ['attached', attached], ['mode 4', sealed]] as const) {
      for (const [at, reason] of [[40_000, 'STALE'], [300_000, 'STALE'], [3_600_000, 'STALE'], [-40_000, 'FUTURE']] as const) {
        const { statuses, vdm } = feed(rxNew(), lines, NOW_MS + at);
        expect({ name, at, got: statuses.filter((s) => s.result !== 'U').map((s) => [s.result, s.reason]) }).toEqual({ name, at, got: [['F', reason]] });
        expect(vdm.length).toBe(name === 'attached' ? 1 : 0); // only the plain report, shown as U
      }
      expect(feed(rxNew(), lines).statuses.filter((s) => s.result !== 'U').map((s) => s.result)).toEqual([name === 'mode 4' ? 'D' : 'V']);
    }
  });

  it('mode 5 traffic checked 40 s, 5 min, 1 h late is STALE, 40 s early FUTURE, never BAD_TAG', () => {
    const second = NOW_MS / 1000;
    const ring = groupRing(5, 'fleet', second - 7200, second + 7200);
    const tx = new SecureTx({ mode: 5, emit: 'vdm', ownShip: 'any', timeTrusted: true }, { params: pkg.params, groupKeys: ring, nonceState: new MemoryNonceStore() });
    const lines = tx.secure(encodeAis(report(ALICE)), ALICE, 1, NOW_MS);
    for (const [at, reason] of [[40_000, 'STALE'], [300_000, 'STALE'], [3_600_000, 'STALE'], [-40_000, 'FUTURE']] as const) {
      const { statuses, vdm } = feed(new SecureRx({}, { params: pkg.params, groupKeys: ring }), lines, NOW_MS + at);
      expect({ at, got: statuses.map((s) => [s.result, s.reason]) }).toEqual({ at, got: [['F', reason]] });
      expect(vdm).toEqual([]);
    }
    expect(feed(new SecureRx({}, { params: pkg.params, groupKeys: ring }), lines).statuses.map((s) => s.result)).toEqual(['D']);
  });

  it('reassembles reordered and duplicated fragments once; a missing fragment is released and reported', () => {
    const msgs = byMessage(secured(alice, report(ALICE)));
    const rx = rxNew();
    const reordered = [...msgs].reverse();
    const { statuses } = feed(rx, [...reordered, ...reordered.slice(0, 1)].flat());
    expect(statuses.map((s) => s.result)).toEqual(['V']);
    const rx2 = rxNew();
    expect(feed(rx2, msgs[0]!).statuses).toEqual([]);
    const later = rx2.tick(NOW_MS + 31_000).map((l) => parseStatus(l)!);
    expect(later.map((s) => [s.result, s.reason])).toEqual([['F', 'FRAGMENT_EXPIRED']]);
    expect(rx2.tick(NOW_MS + 62_000)).toEqual([]);
  });

  it('keeps fragments of two senders apart when they interleave', () => {
    const a = byMessage(secured(alice, report(ALICE)));
    const m = byMessage(secured(mallory, report(MALLORY)));
    const { statuses, vdm } = feed(rxNew(), [a[0]!, m[0]!, a[1]!, m[1]!].flat());
    expect(statuses.map((s) => [s.result, s.identity])).toEqual([
      ['V', ALICE],
      ['V', MALLORY],
    ]);
    expect(vdm.length).toBe(2);
  });

  it('a spoofer injecting fragments into a victim\'s group cannot stop the genuine report from verifying', () => {
    const genuine = byMessage(secured(alice, report(ALICE)));
    // Mallory transmits as Alice, with Alice's group number, a different body (his own valid-looking fragments).
    const g = groupOf(genuine[0]!);
    const forged = byMessage(secured(mallory, report(ALICE))).map((m) => mutateData(m, setGroup(g)));
    for (const order of [
      [forged[0]!, genuine[0]!, forged[1]!, genuine[1]!],
      [genuine[0]!, forged[1]!, forged[0]!, genuine[1]!],
      [forged[1]!, forged[0]!, genuine[1]!, genuine[0]!],
    ]) {
      const { statuses, vdm } = feed(rxNew(), order.flat());
      expect(statuses.filter((s) => s.result === 'V').map((s) => s.identity)).toEqual([ALICE]);
      expect(vdm).toHaveLength(1);
    }
  });

  it('rejects impossible fragment counts and foreign application data with typed reasons', () => {
    const msgs = byMessage(secured(alice, report(ALICE)));
    // Claim index 3 of a 2-fragment group: header byte 1 = group|index|last.
    const bad = mutateData(msgs[0]!, (d) => ((d[1] = ((d[1] as number) & 0xf0) | (3 << 2) | 1), d));
    const { statuses } = feed(rxNew(), bad);
    expect(statuses.map((s) => [s.result, s.reason])).toEqual([['F', 'FRAGMENT_COUNT']]);
    const junk = mutateData(msgs[0]!, () => Uint8Array.of(0xbc, 0xff, 0xff));
    expect(feed(rxNew(), junk).statuses.map((s) => [s.result, s.reason])).toEqual([['F', 'ENVELOPE_KIND']]);
    // An envelope of version 1 is refused: there is no v1 fleet to keep.
    const v1 = mutateData(msgs[0]!, (d) => ((d[0] = ((d[0] as number) & 0x3f) | 0x40), d));
    expect(feed(rxNew(), v1).statuses.map((s) => [s.result, s.reason])).toEqual([['F', 'ENVELOPE_VERSION']]);
  });

  it('never lets a flood of incomplete groups grow memory past the cap', () => {
    const rx = new SecureRx({ reassembler: { maxPendingGroups: 32 } }, { params: pkg.params });
    const first = byMessage(secured(alice, report(ALICE)))[0]!;
    const env = decodeEnvelopeMessage(decodeAis(unarmour(first.map((l) => parseVdm(parseSentence(l)).payload).join(''), 0)).data as Uint8Array);
    let failures = 0;
    for (let i = 0; i < 2000; i++) {
      const data = encodeEnvelopeMessage({ ...env, fragment: { ...env.fragment!, group: i % 16 } });
      const lines = encodeVdm(encodeAis({ type: 8, repeat: 0, mmsi: 200_000_000 + i, dac: 0, fid: 58, data, dataBits: data.length * 8 }), { channel: 'A', seqId: 1 });
      failures += feed(rx, lines).statuses.filter((s) => s.result === 'F').length;
    }
    expect((rx as unknown as { reassembler: { pendingGroups: number } }).reassembler.pendingGroups).toBeLessThanOrEqual(32);
    expect(failures).toBe(2000 - 32);
    expect(rx.counters.rejected['FRAGMENT_EVICTED']).toBe(2000 - 32);
  });

  it('mode 5: rejects a report encrypted under an unknown key, a tampered tag and a member posing as another', () => {
    const second = NOW_MS / 1000;
    const ring = groupRing(5, 'fleet', second - 60, second + 3600);
    const other = groupRing(5, 'not the fleet', second - 60, second + 3600);
    const rx = new SecureRx({}, { params: pkg.params, groupKeys: ring });
    const txOther = new SecureTx({ mode: 5, emit: 'vdm', ownShip: 'any', timeTrusted: true }, { params: pkg.params, groupKeys: other, nonceState: new MemoryNonceStore() });
    const m = report(ALICE);
    expect(feed(rx, txOther.secure(encodeAis(m), ALICE, 1, NOW_MS)).statuses.map((s) => s.reason)).toEqual(['BAD_TAG']);
    const tx = new SecureTx({ mode: 5, emit: 'vdm', ownShip: 'any', timeTrusted: true }, { params: pkg.params, groupKeys: ring, nonceState: new MemoryNonceStore() });
    const good = tx.secure(encodeAis(m), ALICE, 1, NOW_MS);
    const tampered = mutateData(good, (d) => ((d[d.length - 1] = (d[d.length - 1] as number) ^ 1), d));
    expect(feed(rx, tampered).statuses.map((s) => s.reason)).toEqual(['BAD_TAG']);
    const posing = mutateData(good, (d) => d, (x) => ({ ...x, mmsi: MALLORY }));
    expect(feed(rx, posing).statuses.map((s) => s.reason)).toEqual(['BAD_TAG']);
    expect(feed(rx, good).statuses.map((s) => s.result)).toEqual(['D']);
  });

  it('mode 4: a group key hand-out from an untrusted or forged sender is refused', () => {
    const s = NOW_MS / 1000;
    const term = { notBefore: s - 60, notAfter: s + 86_400 };
    const policy = { groups: [{ groupId: 3, member: true, ...term, issuers: [{ mmsi: ALICE, ...term }] }] };
    const rx = new SecureRx({}, { params: pkg.params, identity: bob, groupKeys: new GroupKeyRing(policy) });
    const grantOf = (issuer: number) => encodeGroupKeyGrant({ groupId: 3, issuer, recipient: BOB, keyId: 1, notBefore: s, notAfter: s + 3600, key: new Uint8Array(16) });
    const txM = txFor(mallory, { mode: 4, to: BOB });
    const fromMallory = txM.sealToVessel(BOB, 1, { bytes: grantOf(MALLORY), fill: 0 }, MALLORY, NOW_MS / 1000);
    expect(feed(rx, fromMallory).statuses.map((s) => s.reason)).toEqual(['UNTRUSTED_KEY_ISSUER']);
    const txA = txFor(alice, { mode: 4, to: BOB });
    const fromAlice = txA.sealToVessel(BOB, 1, { bytes: grantOf(ALICE), fill: 0 }, ALICE, NOW_MS / 1000);
    const spoofed = byMessage(fromAlice).flatMap((m) => mutateData(m, (d) => d, (x) => ({ ...x, mmsi: MALLORY })));
    expect(feed(new SecureRx({}, { params: pkg.params, identity: bob }), spoofed).statuses.map((s) => s.reason)).toEqual(['BAD_SIGNATURE']);
    expect(feed(rx, fromAlice).statuses.map((s) => s.result)).toEqual(['K']);
  });

  it('forged fragment variants sent ahead of and between the genuine ones do not stop it from verifying', () => {
    const genuine = byMessage(secured(alice, report(ALICE)));
    const g = groupOf(genuine[0]!);
    // Variants of both fragments, in Alice's group: Mallory's own consistent bodies and bare bit-flipped chunks.
    const variants = [report(ALICE, 1), report(ALICE, 2), report(ALICE, 3)].flatMap((r, k) =>
      byMessage(txFor(mallory).secure(encodeAis(r), ALICE, 1, NOW_MS + k)).map((m) => mutateData(m, setGroup(g))),
    );
    const flipped = [1, 2, 3].map((k) => mutateData(genuine[1]!, (d) => ((d[d.length - k] = (d[d.length - k] as number) ^ 0x55), d)));
    const rx = rxNew();
    const { statuses, vdm } = feed(rx, [...variants, genuine[0]!, ...flipped, ...variants, genuine[1]!].flat());
    expect(statuses.filter((s) => s.result === 'V').map((s) => s.identity)).toEqual([ALICE]);
    expect(vdm).toHaveLength(1);
    // Each of Mallory's consistent bodies is one candidate that fails; none of the flipped chunks costs a pairing.
    expect(statuses.filter((s) => s.reason === 'BAD_SIGNATURE').length).toBeLessThanOrEqual(3);
  });

  it('a flood of incomplete groups from many MMSIs and under the victim\'s does not stop its report from verifying', () => {
    const rx = rxNew();
    const genuine = byMessage(secured(alice, report(ALICE)));
    const junkFrom = (source: number, i: number) => {
      const data = fragmentBody(Kind.SignedInline, false, Uint8Array.from({ length: 90 }, (_, k) => (k * 7 + i) & 0xff), (i * 37) % 16, { messageType: 8 })[i % 2]!;
      return encodeVdm(encodeAis({ type: 8, repeat: 0, mmsi: source, dac: 0, fid: 58, data, dataBits: data.length * 8 }), { channel: 'B', seqId: seq++ % 10 });
    };
    const flood = (n: number, offset: number) => Array.from({ length: n }, (_, i) => junkFrom(i % 2 === 0 ? ALICE : 201_000_000 + offset + i, offset + i)).flat();
    // 1000 before the genuine fragment 0, and 200 between its fragments: several seconds of both channels saturated.
    const { statuses, vdm } = feed(rx, [...flood(1000, 0), ...genuine[0]!, ...flood(200, 5000), ...genuine[1]!]);
    expect(statuses.filter((s) => s.result === 'V').map((s) => s.identity)).toEqual([ALICE]);
    expect(vdm).toHaveLength(1);
  });

  it('mode 4: another key holder re-signing a ciphertext as its own gets it refused (BAD_TAG)', () => {
    const second = NOW_MS / 1000;
    const fromAlice = txFor(alice, { mode: 4, to: BOB }).secure(encodeAis(report(ALICE)), ALICE, 1, NOW_MS);
    expect(feed(rxNew(), fromAlice).statuses.map((s) => s.result)).toEqual(['D']);
    // Mallory keeps Alice's KEM ciphertext and sealed content and signs them as his own mode-4 message to Bob.
    const b = decodeKem(bodyOf(fromAlice));
    const part = bodyOf(fromAlice).subarray(0, bodyOf(fromAlice).length - b.signature.length);
    const msg = signedMessage({ kind: Kind.Kem, source: MALLORY, signer: MALLORY, destination: BOB, second, content: part, contentBits: part.length * 8 });
    const signature = mallory.signer(epochOf(second, pkg.params.epochSeconds)).sign(msg, { form: 'compact' });
    const resigned = sendAs6(Kind.Kem, encodeKem({ ...b, signature }), MALLORY, BOB);
    const { statuses, vdm } = feed(rxNew(), resigned);
    expect(statuses.map((s) => [s.result, s.reason])).toEqual([['F', 'BAD_TAG']]);
    expect(vdm).toEqual([]);
  });

  it('mode 4: a key holder cannot make a victim plot another ship\'s position as D (WRONG_SENDER)', () => {
    const lie = txFor(mallory, { mode: 4, to: BOB }).secure(encodeAis(report(ALICE)), MALLORY, 1, NOW_MS);
    const { statuses, vdm } = feed(rxNew(), lie);
    expect(statuses.map((s) => [s.result, s.reason])).toEqual([['F', 'WRONG_SENDER']]);
    expect(vdm).toEqual([]);
  });

  describe('attached topology', () => {
    /** Alice's plain report and, separately, the messages of its attached signature. */
    function attached(m: AisMessage) {
      const [plain, ...signature] = byMessage(secured(alice, m, NOW_MS, { topology: 'attached' }));
      return { plain: plain!, signature: signature.flat() };
    }
    const digestOf = (lines: readonly string[]) => {
      const vs = lines.map((l) => parseVdm(parseSentence(l)));
      return reportDigest(unarmour(vs.map((v) => v.payload).join(''), vs[vs.length - 1]!.fillBits));
    };

    it('the V names the report it vouches for and directly follows it; a forged copy shown before it is told apart', () => {
      const { plain, signature } = attached(report(ALICE));
      const forged = encodeVdm(encodeAis({ ...report(ALICE), lat: 31_900_000 }), { channel: 'A' });
      const rx = rxNew();
      const out = [plain, forged, signature].flatMap((lines) => lines.flatMap((l) => rx.push(l, NOW_MS)));
      const statuses = out.filter((l) => l.startsWith('$PMIBV')).map((l) => parseStatus(l)!);
      expect(statuses.map((s) => [s.result, s.report])).toEqual([
        ['U', digestOf(plain)],
        ['U', digestOf(forged)],
        ['V', digestOf(plain)],
      ]);
      expect(digestOf(forged)).not.toBe(digestOf(plain));
      // The sentences directly before the V are the genuine report, not the forged copy that arrived last.
      const v = out.findIndex((l) => l.startsWith('$PMIBV,V'));
      expect(out.slice(v - plain.length, v)).toEqual(plain);
    });

    it('a flood of plain reports under the victim\'s MMSI does not evict its genuine report: the signature still verifies', () => {
      const { plain, signature } = attached(report(ALICE));
      const rx = rxNew();
      feed(rx, plain);
      for (let i = 0; i < 24; i++) feed(rx, encodeVdm(encodeAis({ ...report(ALICE), lat: 31_000_000 + i }), { channel: 'A' }));
      const { statuses } = feed(rx, signature);
      expect(statuses.map((s) => [s.result, s.identity, s.report])).toEqual([['V', ALICE, digestOf(plain)]]);
    });
  });
});

