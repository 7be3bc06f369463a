/**
 * Builds the wire-format test vectors of docs/wire-format.md §14 with the project's own code and fixed seeds, so the
 * same bytes come out on every run (`npm run vectors:wire` writes them; test/vectors/wire-v2.test.ts checks that the
 * code still reproduces them).
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { encapsulate, extractDecryptionKey, groupSeal, groupNonce } from '../../crypto/index.js';
import { DST, hashToFr } from '../../crypto/_hash.js';
import { frToBytes } from '../../crypto/_mcl.js';
import { chainStep, computeTag, macKeyOf, reportFromBits } from '../../firmware/amortised/index.js';
import { encodeGroupKeyGrant, KemPurpose } from '../../firmware/bodies.js';
import { bodyCommitment, ENVELOPE_VERSION, Kind } from '../../firmware/envelope.js';
import { epochOf } from '../../firmware/epoch.js';
import { GroupKeyRing, identityOf, type OwnIdentity } from '../../firmware/keyring.js';
import { SecureTx } from '../../firmware/secure-tx.js';
import { signedMessage } from '../../firmware/signed-message.js';
import { MemoryNonceStore } from '../../hal/nonce-store-sim.js';
import { encodeAis, encodeVdm, type AisMessage } from '../../nmea/index.js';
import { NOW_MS, seededRandom, testPkg } from '../firmware/_pkg.js';

export const WIRE_VECTORS_FILE = new URL('./wire-v2.json', import.meta.url);

const ALICE = 244_123_456;
const BOB = 211_000_001;
const PSEUDO = 970_000_123;
const NOW = NOW_MS / 1000;
const hex = bytesToHex;

const position = (mmsi: number, second = 12): AisMessage => ({
  type: 1, repeat: 0, mmsi, status: 0, turn: -128, speed: 123, accuracy: true, lon: 2_400_000, lat: 31_800_000,
  course: 2240, heading: 215, second, maneuver: 0, spare: 0, raim: false, radio: 34017,
});
const staticVoyage = (mmsi: number): AisMessage => ({
  type: 5, repeat: 0, mmsi, ais_version: 0, imo: 9_134_270, callsign: '3FOF8  ', shipname: 'EVER DIADEM         ',
  shiptype: 70, to_bow: 225, to_stern: 70, to_port: 1, to_starboard: 31, epfd: 1, month: 5, day: 15, hour: 14,
  minute: 0, draught: 122, destination: 'NEW YORK            ', dte: 0, spare: 0,
});

export interface MessageVector {
  readonly name: string;
  readonly kind: number;
  /** Receiver's UTC second when it hears the sentences. */
  readonly now: number;
  readonly sentences: readonly string[];
  /** ok: the authenticated report (hex, pad bits zero) or grant; otherwise the reason code. */
  readonly expect: { readonly ok: true; readonly signer: number; readonly second: number; readonly report?: string; readonly bitLength?: number; readonly grant?: string } | { readonly ok: false; readonly reason: string };
}

export function buildWireVectors() {
  const pkg = testPkg('wire vectors v2');
  const E = pkg.params.epochSeconds;
  const epoch = epochOf(NOW, E);
  const alice: OwnIdentity = pkg.identity(ALICE, [epoch]);
  const pseudo: OwnIdentity = pkg.identity(PSEUDO, [epoch], 'pseudo-mmsi');
  const bobId = identityOf('mmsi', BOB, epoch);
  const bobDk = extractDecryptionKey(pkg.params.pp, pkg.masterSecret, bobId);
  const groupKey = { keyId: 6, key: seededRandom('wire vectors group key')(16), notBefore: NOW - 60, notAfter: NOW + 3600 };
  const ring = () => {
    const r = new GroupKeyRing();
    r.add(groupKey);
    return r;
  };

  const identities = ([['mmsi', ALICE], ['mmsi', BOB], ['pseudo-mmsi', PSEUDO], ['mmsi', 2_442_000]] as const).map(([kind, mmsi]) => {
    const bytes = identityOf(kind, mmsi, epoch);
    return { type: kind, mmsi, epoch, bytes: hex(bytes), h1s: hex(frToBytes(hashToFr(bytes, DST.h1Sign))), h1d: hex(frToBytes(hashToFr(bytes, DST.h1Decrypt))) };
  });

  const report = encodeAis(position(ALICE));
  const sm = signedMessage({ kind: Kind.SignedInline, source: ALICE, signer: ALICE, destination: 0, second: NOW, content: report.bytes, contentBits: report.bitLength });
  const signatures = (['compact', 'full'] as const).map((form) => ({
    form,
    identity: hex(identityOf('mmsi', ALICE, epoch)),
    message: hex(sm),
    signature: hex(alice.signer(epoch).sign(sm, { form, random: seededRandom(`wire vectors sig ${form}`) })),
  }));

  const kemOut = encapsulate(pkg.params.pp, bobId, seededRandom('wire vectors kem'));
  const kem = { identity: hex(bobId), decryptionKey: hex(bobDk), ciphertext: hex(kemOut.ciphertext), key: hex(kemOut.key) };

  const aeadCase = (name: string, key: Uint8Array, n: Parameters<typeof groupNonce>[0], ad: Uint8Array, plaintext: Uint8Array) => ({
    name, key: hex(key), nonce: hex(groupNonce(n)), ad: hex(ad), plaintext: hex(plaintext),
    sealed: hex(groupSeal(key, n, plaintext, { aad: ad, tagLength: 8 })),
  });
  const aead = [
    aeadCase('kind 3 (mode 5)', groupKey.key, { keyId: 6, mmsi: ALICE, instance: 0xa5, utcSeconds: NOW, counter: 3 }, Uint8Array.of(0x12, 0x34, 0x18, 0xa5), report.bytes),
    aeadCase('kind 4 (mode 4)', kemOut.key, { keyId: 0, mmsi: BOB, utcSeconds: NOW, counter: 0 }, new TextEncoder().encode('mibc-ais/v2/kem-aad'), report.bytes),
  ];

  const salt = seededRandom('wire vectors salt')(8);
  const chainKey = seededRandom('wire vectors chain key')(8);
  const chainId = { mmsi: ALICE, gen: 1 as const, keyBytes: 8, salt };
  const interval = Math.floor(NOW / 30);
  const macKey = macKeyOf(chainKey);
  const tagged = reportFromBits(1, NOW + 3, 'B', report.bytes, report.bitLength);
  const tesla = {
    mmsi: ALICE, gen: 1, salt: hex(salt), index: interval, key: hex(chainKey), previousKey: hex(chainStep(chainId, interval, chainKey)),
    macKey: hex(macKey),
    tag: { interval, msgType: 1, channel: 'B', second: NOW + 3, bitLength: report.bitLength, report: hex(tagged.bits), tagBytes: 4, tag: hex(computeTag(macKey, { mmsi: ALICE, gen: 1, interval, tagBytes: 4 }, tagged)) },
  };

  const body = seededRandom('wire vectors body')(87);
  const commitment = { kind: 1, ext: 0, group: 9, count: 2, body: hex(body), commitment: hex(bodyCommitment(Kind.SignedInline, false, 9, 2, body)) };

  const tx = (o: Partial<ConstructorParameters<typeof SecureTx>[0]>, seed: string) =>
    new SecureTx({ mode: 2, emit: 'vdm', ownShip: 'any', timeTrusted: true, to: BOB, ...o }, { params: pkg.params, identity: alice, pseudo, groupKeys: ring(), nonceState: new MemoryNonceStore() }, seededRandom(seed));
  const secure = (o: Partial<ConstructorParameters<typeof SecureTx>[0]>, m: AisMessage) => tx(o, `wire vectors ${JSON.stringify(o)} ${m.type}`).secure(encodeAis(m), m.mmsi, m.type, NOW_MS);
  const okReport = (m: AisMessage, signer = m.mmsi) => {
    const b = encodeAis(m);
    return { ok: true as const, signer, second: NOW, report: hex(b.bytes.slice(0, Math.ceil(b.bitLength / 8))), bitLength: b.bitLength };
  };
  const messages: MessageVector[] = [];
  for (const m of [position(ALICE), staticVoyage(ALICE)]) {
    for (const form of ['compact', 'full'] as const) {
      messages.push({ name: `kind 1, mode 2, ${form} signature, message ${m.type}`, kind: 1, now: NOW + 1, sentences: secure({ signatureForm: form }, m), expect: okReport(m) });
      messages.push({ name: `kind 2, mode 2, ${form} signature, message ${m.type} (plain report first)`, kind: 2, now: NOW + 1, sentences: secure({ signatureForm: form, topology: 'attached' }, m), expect: okReport(m) });
      messages.push({ name: `kind 4, report, ${form} signature, message ${m.type}`, kind: 4, now: NOW + 1, sentences: secure({ mode: 4, signatureForm: form }, m), expect: okReport(m) });
    }
    messages.push({ name: `kind 3, mode 5, message ${m.type}`, kind: 3, now: NOW + 1, sentences: secure({ mode: 5 }, m), expect: okReport(m) });
  }
  const mode3 = secure({ mode: 3, signatureForm: 'compact' }, position(ALICE));
  messages.push({ name: 'kind 1, mode 3 (pseudo-MMSI), compact signature', kind: 1, now: NOW + 1, sentences: mode3, expect: { ok: true, signer: PSEUDO, second: NOW } });
  const grant = encodeGroupKeyGrant({ groupId: 7, issuer: ALICE, recipient: BOB, keyId: 9, notBefore: NOW, notAfter: NOW + 3600, key: seededRandom('wire vectors granted key')(16) });
  messages.push({
    name: 'kind 4, group-key grant, compact signature', kind: 4, now: NOW + 1,
    sentences: tx({ mode: 4, signatureForm: 'compact' }, 'wire vectors grant').sealToVessel(BOB, KemPurpose.GroupKey, { bytes: grant, fill: 0 }, ALICE, NOW),
    expect: { ok: true, signer: ALICE, second: NOW, grant: hex(grant) },
  });
  const late = messages.filter((v) => v.expect.ok && v.name.includes('compact') && v.name.includes('message 1')).concat(messages.filter((v) => v.kind === 3).slice(0, 1));
  for (const v of late) {
    messages.push({ ...v, name: `${v.name}, heard 40 s late`, now: NOW + 40, expect: { ok: false, reason: 'STALE' } });
    messages.push({ ...v, name: `${v.name}, heard 40 s early`, now: NOW - 40, expect: { ok: false, reason: 'FUTURE' } });
  }

  // Kinds 5 and 6: an amortised sender's traffic over 150 s, as (second, sentence) pairs.
  const amortisedTx = new SecureTx({ mode: 2, auth: 'amortised', emit: 'vdm', ownShip: 'any' }, { params: pkg.params, identity: alice }, seededRandom('wire vectors amortised'));
  const traffic: { now: number; sentence: string }[] = [];
  const reports: string[] = [];
  for (let t = NOW; t < NOW + 150; t++) {
    const heard = (lines: readonly string[]) => traffic.push(...lines.map((sentence) => ({ now: t, sentence })));
    if ((t - NOW) % 10 === 0) {
      const m = position(ALICE, (t - NOW) % 60);
      reports.push(hex(encodeAis(m).bytes));
      heard(encodeVdm(m, { channel: 'A' }).flatMap((l) => amortisedTx.push(l, t * 1000).map((x) => x.line)));
    }
    heard(amortisedTx.tick(t * 1000).map((x) => x.line));
  }

  return {
    description: 'mibc-ais wire format test vectors (docs/wire-format.md §14). All byte strings are hex. Regenerate with npm run vectors:wire.',
    version: ENVELOPE_VERSION,
    params: hex(pkg.paramsBytes),
    epochSeconds: E,
    dac: 0,
    fi: 58,
    identities,
    signatures,
    kem,
    aead,
    tesla,
    commitment,
    receiver: { mmsi: BOB, epoch, decryptionKey: hex(bobDk), groupKeys: [{ ...groupKey, key: hex(groupKey.key) }] },
    messages,
    amortised: { mmsi: ALICE, traffic, reports },
  };
}
