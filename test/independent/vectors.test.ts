/**
 * The receiver written from docs/wire-format.md alone (this folder) against test/vectors/wire-v2.json: every
 * primitive vector, every message vector, the amortised traffic, and mutated copies that it must refuse.
 */
import { readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { hmac } from '@noble/hashes/hmac.js';
import { describe, expect, it } from 'vitest';
import {
  aeadNonce, blmqVerify, concatBytes, eaxOpen, h1d, h1s, identity, kemDecapsulate, params, sha256, u16, u32, u8, utf8ToBytes,
} from './primitives.js';
import { IndependentReceiver, type Outcome } from './receiver.js';

interface Vectors {
  version: number; params: string; epochSeconds: number;
  identities: { type: string; mmsi: number; epoch: number; bytes: string; h1s: string; h1d: string }[];
  signatures: { form: string; identity: string; message: string; signature: string }[];
  kem: { identity: string; decryptionKey: string; ciphertext: string; key: string };
  aead: { name: string; key: string; nonce: string; ad: string; plaintext: string; sealed: string }[];
  tesla: { mmsi: number; gen: number; salt: string; index: number; key: string; previousKey: string; macKey: string;
    tag: { interval: number; msgType: number; channel: string; second: number; bitLength: number; report: string; tagBytes: number; tag: string } };
  commitment: { kind: number; ext: number; group: number; count: number; body: string; commitment: string };
  receiver: { mmsi: number; epoch: number; decryptionKey: string; groupKeys: { keyId: number; key: string; notBefore: number; notAfter: number }[] };
  messages: { name: string; kind: number; now: number; sentences: string[]; expect: { ok: boolean; signer?: number; report?: string; bitLength?: number; grant?: string; reason?: string } }[];
  amortised: { mmsi: number; traffic: { now: number; sentence: string }[]; reports: string[] };
}

const v = JSON.parse(readFileSync(new URL('../vectors/wire-v2.json', import.meta.url), 'utf8')) as Vectors;
const P = params(hexToBytes(v.params));
const hex = bytesToHex;
const scalar = (n: bigint) => n.toString(16).padStart(64, '0');

const receiver = () =>
  new IndependentReceiver({
    params: hexToBytes(v.params),
    epochSeconds: v.epochSeconds,
    own: { mmsi: v.receiver.mmsi, decryptionKeys: new Map([[v.receiver.epoch, hexToBytes(v.receiver.decryptionKey)]]) },
    groupKeys: v.receiver.groupKeys.map((k) => ({ ...k, key: hexToBytes(k.key) })),
  });

describe('independent implementation on the wire-v2 vectors', () => {
  it('version 2', () => expect(v.version).toBe(2));

  it('identity strings, H1s and H1d', () => {
    for (const id of v.identities) {
      const bytes = identity(id.type === 'pseudo-mmsi' ? 2 : 1, id.mmsi, id.epoch);
      expect(hex(bytes)).toBe(id.bytes);
      expect(scalar(h1s(bytes))).toBe(id.h1s);
      expect(scalar(h1d(bytes))).toBe(id.h1d);
    }
  });

  it('BLMQ signatures in both forms verify, and not for another message or identity', () => {
    expect(v.signatures.map((s) => s.form).sort()).toEqual(['compact', 'full']);
    for (const s of v.signatures) {
      const msg = hexToBytes(s.message);
      expect(blmqVerify(P, hexToBytes(s.identity), msg, hexToBytes(s.signature))).toBe(true);
      expect(blmqVerify(P, hexToBytes(v.identities[1]!.bytes), msg, hexToBytes(s.signature))).toBe(false);
      expect(blmqVerify(P, hexToBytes(s.identity), msg.map((b, i) => (i === msg.length - 1 ? b ^ 1 : b)), hexToBytes(s.signature))).toBe(false);
    }
  });

  it('SK-KEM decapsulates to the key, and refuses a changed ciphertext', () => {
    const ct = hexToBytes(v.kem.ciphertext);
    expect(hex(kemDecapsulate(P, hexToBytes(v.kem.identity), hexToBytes(v.kem.decryptionKey), ct))).toBe(v.kem.key);
    ct[63]! ^= 1;
    expect(() => kemDecapsulate(P, hexToBytes(v.kem.identity), hexToBytes(v.kem.decryptionKey), ct)).toThrow();
  });

  it('AES-128-EAX opens the AEAD vectors and refuses a flipped tag bit', () => {
    for (const a of v.aead) {
      expect(hex(eaxOpen(hexToBytes(a.key), hexToBytes(a.nonce), hexToBytes(a.ad), hexToBytes(a.sealed)))).toBe(a.plaintext);
      const bad = hexToBytes(a.sealed);
      bad[bad.length - 1]! ^= 0x80;
      expect(() => eaxOpen(hexToBytes(a.key), hexToBytes(a.nonce), hexToBytes(a.ad), bad)).toThrow();
    }
    expect(hex(aeadNonce(6, 244_123_456, 0xa5, v.tesla.tag.second - 3, 3))).toBe(v.aead[0]!.nonce);
  });

  it('TESLA chain step, MAC key and tag', () => {
    const t = v.tesla;
    const step = sha256(concatBytes(utf8ToBytes('mibc-ais/v1/tesla-chain'), u32(t.mmsi), u8(t.gen), hexToBytes(t.salt), u32(t.index), hexToBytes(t.key))).subarray(0, 8);
    expect(hex(step)).toBe(t.previousKey);
    const macKey = sha256(concatBytes(utf8ToBytes('mibc-ais/v1/tesla-mac'), hexToBytes(t.key)));
    expect(hex(macKey)).toBe(t.macKey);
    const g = t.tag;
    const input = concatBytes(utf8ToBytes('mibc-ais/v1/tesla-tag'), u32(t.mmsi), u8(t.gen), u32(g.interval), u8(g.msgType), u8(g.channel === 'B' ? 1 : 0), u32(g.second), u16(g.bitLength), hexToBytes(g.report));
    expect(hex(hmac(sha256, macKey, input).subarray(0, g.tagBytes))).toBe(g.tag);
  });

  it('fragment-0 commitment', () => {
    const c = v.commitment;
    const got = sha256(concatBytes(utf8ToBytes('mibc-ais/v2/body'), u8(c.kind), u8(c.ext), u8(c.group), u8(c.count), hexToBytes(c.body))).subarray(0, 4);
    expect(hex(got)).toBe(c.commitment);
  });

  it.each(v.messages.map((m) => [m.name, m] as const))('message: %s', (_n, m) => {
    const rx = receiver();
    const got = m.sentences.flatMap((l) => rx.push(l, m.now));
    expect(got.length).toBe(1);
    const o = got[0]!;
    if (!m.expect.ok) {
      expect(o.ok ? 'ok' : o.reason).toBe(m.expect.reason);
      return;
    }
    expect(o.ok && o.kind === m.kind && o.signer === m.expect.signer).toBe(true);
    if (!o.ok) return;
    if (m.expect.report !== undefined) expect([hex(o.report!.bytes), o.report!.bitLength]).toEqual([m.expect.report, m.expect.bitLength]);
    if (m.expect.grant !== undefined) expect(hex(o.grant!)).toBe(m.expect.grant);
  });

  it.each(v.messages.filter((m) => m.expect.ok).map((m) => [m.name, m] as const))('mutated: %s, every secured sentence with a payload bit flipped', (_n, m) => {
    m.sentences.forEach((line, at) => {
      const fields = line.slice(1, line.indexOf('*')).split(',');
      const payload = fields[5]!;
      // Past the armour of the AIS header (bit 56 of message 8, 88 of message 6) in a first sentence.
      const from = fields[2] === '1' ? (payload.startsWith('6') ? 15 : 10) : 0;
      if (!['6', '8'].includes(m.sentences[at - Number(fields[2]) + 1]!.split(',')[5]![0]!)) return;
      for (const pos of [from, Math.floor((from + payload.length - 1) / 2), payload.length - 2]) {
        const c = payload.charCodeAt(pos) - 48;
        const val = (c > 40 ? c - 8 : c) ^ 1;
        fields[5] = payload.slice(0, pos) + String.fromCharCode(val + 48 + (val > 39 ? 8 : 0)) + payload.slice(pos + 1);
        const body = fields.join(',');
        let cs = 0;
        for (const ch of body) cs ^= ch.charCodeAt(0);
        const mutated = [...m.sentences];
        mutated[at] = `!${body}*${cs.toString(16).toUpperCase().padStart(2, '0')}`;
        const rx = receiver();
        const got: Outcome[] = mutated.flatMap((l) => rx.push(l, m.now));
        expect({ pos, at, accepted: got.filter((o) => o.ok).length }).toEqual({ pos, at, accepted: 0 });
        // A flip in the fragment header may leave the body incomplete (the project reports FRAGMENT_EXPIRED later);
        // a flip in the body is refused at once.
        if (pos !== from) expect(got.length).toBe(1);
      }
    });
  });

  it('amortised traffic: anchors and batches verify and the tags authenticate the plain reports', () => {
    const rx = receiver();
    const got = v.amortised.traffic.flatMap((t) => rx.push(t.sentence, t.now));
    expect(got.filter((o) => !o.ok)).toEqual([]);
    expect(new Set(got.map((o) => o.kind))).toEqual(new Set([5, 6]));
    const tagged = rx.taggedReports(v.amortised.mmsi).map((r) => hex(r.bytes));
    expect(tagged.length).toBeGreaterThanOrEqual(v.amortised.reports.length - 6);
    for (const r of tagged) expect(v.amortised.reports).toContain(r);
  });

  it('amortised traffic with the last tag of every batch flipped authenticates fewer reports', () => {
    const rx = receiver();
    for (const t of v.amortised.traffic) {
      const fields = t.sentence.slice(1, t.sentence.indexOf('*')).split(',');
      const payload = fields[5]!;
      // A single-sentence kind-6 batch: flip the last armour character before the fill (inside the last tag).
      const isBatch = fields[1] === '1' && payload.startsWith('8') && payload.length > 16;
      let line = t.sentence;
      if (isBatch) {
        const pos = payload.length - 2;
        const c = payload.charCodeAt(pos) - 48;
        const val = (c > 40 ? c - 8 : c) ^ 1;
        fields[5] = payload.slice(0, pos) + String.fromCharCode(val + 48 + (val > 39 ? 8 : 0)) + payload.slice(pos + 1);
        const body = fields.join(',');
        let cs = 0;
        for (const ch of body) cs ^= ch.charCodeAt(0);
        line = `!${body}*${cs.toString(16).toUpperCase().padStart(2, '0')}`;
      }
      rx.push(line, t.now);
    }
    const good = receiver();
    for (const t of v.amortised.traffic) good.push(t.sentence, t.now);
    expect(good.taggedReports(v.amortised.mmsi).length).toBeGreaterThan(0);
    expect(rx.taggedReports(v.amortised.mmsi).length).toBeLessThan(good.taggedReports(v.amortised.mmsi).length);
  });
});
