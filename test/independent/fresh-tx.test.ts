/**
 * The receiver written from docs/wire-format.md alone (this folder) verifies and opens fresh output of the project's
 * SecureTx in every mode and kind, and refuses every mutated copy. Only this test file imports the project: to make
 * the traffic and the keys.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeGroupKeyGrant, KemPurpose } from '../../firmware/bodies.js';
import { epochOf } from '../../firmware/epoch.js';
import { GroupKeyRing, type OwnIdentity } from '../../firmware/keyring.js';
import { SecureTx } from '../../firmware/secure-tx.js';
import { MemoryNonceStore } from '../../hal/nonce-store-sim.js';
import { encodeAis, encodeVdm, type AisMessage } from '../../nmea/index.js';
import { NOW_MS, seededRandom, testPkg, type TestPkg } from '../firmware/_pkg.js';
import { bitsAt } from './ais.js';
import { IndependentReceiver, type Outcome } from './receiver.js';

const ALICE = 244_123_456;
const BOB = 211_000_001;
const PSEUDO = 970_000_123;
const NOW = NOW_MS / 1000;

const position = (mmsi: number, second = 12): AisMessage => ({
  type: 1, repeat: 0, mmsi, status: 0, turn: -128, speed: 123, accuracy: true, lon: 2_400_000, lat: 31_800_000,
  course: 2240, heading: 215, second, maneuver: 0, spare: 0, raim: false, radio: 34017,
});
const staticVoyage = (mmsi: number): AisMessage => ({
  type: 5, repeat: 0, mmsi, ais_version: 0, imo: 9_134_270, callsign: '3FOF8  ', shipname: 'EVER DIADEM         ',
  shiptype: 70, to_bow: 225, to_stern: 70, to_port: 1, to_starboard: 31, epfd: 1, month: 5, day: 15, hour: 14,
  minute: 0, draught: 122, destination: 'NEW YORK            ', dte: 0, spare: 0,
});

let pkg: TestPkg;
let alice: OwnIdentity;
let alicePseudo: OwnIdentity;
let bobDk: Uint8Array;
const groupKey = { keyId: 6, key: seededRandom('fleet')(16), notBefore: NOW - 60, notAfter: NOW + 3600 };

beforeAll(() => {
  pkg = testPkg('independent');
  const e = epochOf(NOW, pkg.params.epochSeconds);
  alice = pkg.identity(ALICE, [e]);
  alicePseudo = pkg.identity(PSEUDO, [e], 'pseudo-mmsi');
  const bob = pkg.identity(BOB, [e]) as unknown as { keys: Map<number, { decryptionKey: Uint8Array }> };
  bobDk = bob.keys.get(e)!.decryptionKey;
});

function receiver(): IndependentReceiver {
  return new IndependentReceiver({
    params: pkg.paramsBytes,
    epochSeconds: pkg.params.epochSeconds,
    own: { mmsi: BOB, decryptionKeys: new Map([[epochOf(NOW, pkg.params.epochSeconds), bobDk]]) },
    groupKeys: [groupKey],
  });
}

const hear = (lines: readonly string[], now = NOW, rx = receiver()): Outcome[] => lines.flatMap((l) => rx.push(l, now));

function ring(): GroupKeyRing {
  const r = new GroupKeyRing();
  r.add(groupKey);
  return r;
}

type Case = readonly [name: string, lines: () => string[], report?: AisMessage];

function cases(): Case[] {
  const tx = (o: Partial<ConstructorParameters<typeof SecureTx>[0]>, seed: string) =>
    new SecureTx({ mode: 2, emit: 'vdm', ownShip: 'any', timeTrusted: true, to: BOB, ...o }, { params: pkg.params, identity: alice, pseudo: alicePseudo, groupKeys: ring(), nonceState: new MemoryNonceStore() }, seededRandom(seed));
  const secure = (o: Partial<ConstructorParameters<typeof SecureTx>[0]>, m: AisMessage) => () => tx(o, JSON.stringify(o)).secure(encodeAis(m), m.mmsi, m.type, NOW_MS);
  const out: Case[] = [];
  for (const m of [position(ALICE), staticVoyage(ALICE)]) {
    for (const form of ['compact', 'full'] as const) {
      out.push([`kind 1, mode 2, ${form}, type ${m.type}`, secure({ signatureForm: form }, m), m]);
      out.push([`kind 2, mode 2, ${form}, type ${m.type}`, secure({ signatureForm: form, topology: 'attached' }, m), m]);
      out.push([`kind 4, report, ${form}, type ${m.type}`, secure({ mode: 4, signatureForm: form }, m), m]);
    }
    out.push([`kind 1, mode 3 (pseudo-MMSI), type ${m.type}`, secure({ mode: 3, signatureForm: 'compact' }, m)]);
    out.push([`kind 3, mode 5, type ${m.type}`, secure({ mode: 5 }, m), m]);
  }
  const grant = encodeGroupKeyGrant({ groupId: 7, issuer: ALICE, recipient: BOB, keyId: 9, notBefore: NOW, notAfter: NOW + 3600, key: new Uint8Array(16).fill(0x5a) });
  out.push(['kind 4, group-key grant', () => tx({ mode: 4, signatureForm: 'compact' }, 'grant').sealToVessel(BOB, KemPurpose.GroupKey, { bytes: grant, fill: 0 }, ALICE, NOW)]);
  return out;
}

describe('independent receiver on fresh SecureTx output', () => {
  it.each(cases().map((c) => [c[0], c] as const))('%s: verifies or opens it', (_name, [name, lines, m]) => {
    const got = hear(lines());
    expect(got.map((o) => [o.kind, o.ok, o.ok ? '' : o.reason])).toEqual([[Number(name.slice(5, 6)), true, '']]);
    const o = got[0]!;
    if (!o.ok) return;
    if (m !== undefined) {
      const bits = encodeAis(m);
      expect(o.report?.bitLength).toBe(bits.bitLength);
      expect(o.report?.bytes).toEqual(bits.bytes.slice(0, Math.ceil(bits.bitLength / 8)));
    } else if (name.includes('grant')) {
      expect(o.grant?.subarray(22)).toEqual(new Uint8Array(16).fill(0x5a));
    } else {
      expect(o.signer).toBe(PSEUDO);
    }
  });

  it.each(cases().map((c) => [c[0], c] as const))('%s: a copy with one bit flipped is refused', (_name, [, lines]) => {
    const original = lines();
    const secured = original.map((l, i) => [l, i] as const).filter(([l]) => {
      const payload = l.split(',')[5]!;
      const first = payload.charCodeAt(0) - 48;
      return first === 6 || first === 8;
    });
    const random = seededRandom(`flip ${_name}`);
    let refused = 0;
    for (let trial = 0; trial < 6; trial++) {
      const [line, at] = secured[trial % secured.length]!;
      const fields = line.slice(0, line.indexOf('*')).split(',');
      const payload = fields[5]!;
      const fill = Number(fields[6]);
      // A bit of the application data (past the AIS header: 56 or 88 bits in the first sentence of a message).
      const skip = Number(fields[2]) === 1 ? Math.ceil((payload.charCodeAt(0) - 48 === 6 ? 88 : 56) / 6) : 0;
      const r = random(2);
      const pos = skip + (r[0]! % (payload.length - skip - (fill > 0 ? 1 : 0)));
      const v = payload.charCodeAt(pos) - 48 - (payload.charCodeAt(pos) - 48 > 40 ? 8 : 0);
      const flipped = v ^ (1 << (r[1]! % 6));
      const ch = String.fromCharCode(flipped + 48 + (flipped > 39 ? 8 : 0));
      fields[5] = payload.slice(0, pos) + ch + payload.slice(pos + 1);
      const body = fields.join(',').slice(1);
      let cs = 0;
      for (const c of body) cs ^= c.charCodeAt(0);
      const mutated = [...original];
      mutated[at] = `!${body}*${cs.toString(16).toUpperCase().padStart(2, '0')}`;
      const got = hear(mutated);
      expect(got.filter((o) => o.ok)).toEqual([]);
      if (got.length > 0) refused++;
    }
    expect(refused).toBeGreaterThan(0);
  });

  it('kind 3 heard 40 s late is STALE, 40 s early FUTURE', () => {
    const tx = new SecureTx({ mode: 5, emit: 'vdm', ownShip: 'any', timeTrusted: true }, { params: pkg.params, groupKeys: ring(), nonceState: new MemoryNonceStore() });
    const lines = tx.secure(encodeAis(position(ALICE)), ALICE, 1, NOW_MS);
    expect(hear(lines, NOW + 40).map((o) => (o.ok ? 'ok' : o.reason))).toEqual(['STALE']);
    expect(hear(lines, NOW + 3600).map((o) => (o.ok ? 'ok' : o.reason))).toEqual(['STALE']);
    expect(hear(lines, NOW - 40).map((o) => (o.ok ? 'ok' : o.reason))).toEqual(['FUTURE']);
  });

  it('kinds 5 and 6: anchors verify, keys hash down to them and the tags authenticate the plain reports', () => {
    const tx = new SecureTx({ mode: 2, auth: 'amortised', emit: 'vdm', ownShip: 'any' }, { params: pkg.params, identity: alice }, seededRandom('amortised'));
    const rx = receiver();
    const outcomes: Outcome[] = [];
    const sent: Uint8Array[] = [];
    const t0 = NOW;
    for (let t = t0; t < t0 + 150; t++) {
      const heard = (lines: readonly string[]) => outcomes.push(...lines.flatMap((l) => rx.push(l, t)));
      if ((t - t0) % 10 === 0) {
        const m = position(ALICE, (t - t0) % 60);
        sent.push(encodeAis(m).bytes);
        heard(encodeVdm(m, { channel: 'A' }).flatMap((l) => tx.push(l, t * 1000).map((x) => x.line)));
      }
      heard(tx.tick(t * 1000).map((x) => x.line));
    }
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(outcomes.filter((o) => o.kind === 5).length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.kind === 6).length).toBeGreaterThan(0);
    const tagged = rx.taggedReports(ALICE);
    // Reports of the last interval or two still wait for their key; the others are authenticated.
    expect(tagged.length).toBeGreaterThanOrEqual(sent.length - 6);
    for (const r of tagged) expect(bitsAt(r.bytes, 8, 30)).toBe(ALICE);
  });
});
