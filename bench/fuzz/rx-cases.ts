/**
 * Structure-aware fuzz cases for the receive path (docs/envelope.md §1–3, ITU-R M.1371-5 messages 6 and 8): every
 * envelope kind 1–6 (and the unassigned ones), fragmented and not, with every header and body field drawn across its
 * whole bit width — edge values (0, 1, max, the first value past an identity's range) as often as random ones — and the
 * AIS header fields too (type 6/8, repeat, 30-bit source and destination MMSI, seqno, retransmit, DAC, FI). Each case
 * is wrapped in valid NMEA with the project's own encoders, so it reaches the layers behind framing. Mutated genuine
 * messages from a pool reach the paths behind a successful verification.
 */
import { encodeAis, encodeVdm, decodeAis, parseSentence, parseVdm, unarmour, type AisMessage } from '../../nmea/index.js';
import { bodyCommitment, COMMITMENT_BYTES, ENVELOPE_VERSION, Kind } from '../../firmware/envelope.js';
import type { Rng } from '../sim/rng.js';

export interface RxFuzzConfig {
  /** DAC and FI the receiver treats as secured. */
  readonly dac: number;
  readonly fi: number;
  /** MMSIs worth naming often: the receiver's own, senders of the genuine pool. */
  readonly known: readonly number[];
  /** Genuine secured messages (each as its sentences), mutated and replayed by some cases. */
  readonly genuine: readonly (readonly string[])[];
}

export interface RxFuzzCase {
  /** What the case exercises, for the tallies: `kind<k>`, `kind<k>/frag`, `plain`, `genuine`. */
  readonly label: string;
  readonly lines: string[];
}

const MAX_30 = 2 ** 30 - 1;
const MAX_MMSI = 999_999_999;

/** A value of an n-bit field: an edge value half the time, else uniform over the whole width. */
function field(rng: Rng, bits: number, edges: readonly number[] = []): number {
  const max = 2 ** bits - 1;
  if (rng.bernoulli(0.5)) return rng.int(0, max + 1);
  return rng.choice([0, 1, max, Math.max(0, max - 1), max >>> 1, ...edges]);
}

function mmsi(rng: Rng, cfg: RxFuzzConfig): number {
  if (cfg.known.length > 0 && rng.bernoulli(0.5)) return rng.choice(cfg.known);
  if (rng.bernoulli(0.5)) return rng.int(0, MAX_MMSI + 1);
  return field(rng, 30, [MAX_MMSI, MAX_MMSI + 1, MAX_30, 100_000_000, 2_000_000]);
}

function bytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(0, 256);
  return out;
}

/** A length that is right most of the time and off (short, long, zero) otherwise. */
function len(rng: Rng, right: number): number {
  if (rng.bernoulli(0.85)) return right;
  return rng.choice([0, 1, Math.max(0, right - 1), right + 1, rng.int(0, right * 2 + 2)]);
}

/** t6 ‖ epoch parity ‖ flag: t6 near the receiver's second usually (so the body passes the freshness check). */
function timeByte(rng: Rng, nowS: number): number {
  const t6 = rng.bernoulli(0.7) ? (((nowS + rng.int(-3, 4)) % 64) + 64) % 64 : field(rng, 6);
  return (t6 << 2) | (field(rng, 1) << 1) | field(rng, 1);
}

/** A signer field: 30-bit value ‖ 2 padding bits (set now and then). */
function signerField(rng: Rng, cfg: RxFuzzConfig): Uint8Array {
  const v = mmsi(rng, cfg) * 4 + (rng.bernoulli(0.9) ? 0 : field(rng, 2));
  return Uint8Array.of(Math.floor(v / 2 ** 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

/** The bytes of an AIS message: a real one of a random type (with chosen MMSI) or random bytes. */
function aisContent(rng: Rng, cfg: RxFuzzConfig, owner: number): Uint8Array {
  const n = rng.bernoulli(0.8) ? 21 : rng.int(1, 60);
  const b = bytes(rng, n);
  const type = rng.bernoulli(0.8) ? rng.choice([1, 2, 3, 18, 5, 24, 4, 8, 6]) : field(rng, 6);
  const who = rng.bernoulli(0.7) ? owner : mmsi(rng, cfg);
  // type (6) ‖ repeat (2) ‖ mmsi (30) from bit 0.
  b[0] = (type << 2) | field(rng, 2);
  if (n >= 5) {
    b[1] = (who >>> 22) & 0xff;
    b[2] = (who >>> 14) & 0xff;
    b[3] = (who >>> 6) & 0xff;
    b[4] = ((who & 0x3f) << 2) | ((b[4] as number) & 3);
  }
  return b;
}

const sig = (rng: Rng, compact: boolean) => bytes(rng, len(rng, compact ? 64 : 80));

function body(rng: Rng, cfg: RxFuzzConfig, kind: number, ext: boolean, source: number, nowS: number): Uint8Array {
  const t = timeByte(rng, nowS);
  const compact = (t & 1) === 1;
  const signer = ext ? signerField(rng, cfg) : new Uint8Array(0);
  switch (kind) {
    case 1: {
      // time (12 bits, near the receiver's second mostly) ‖ compact ‖ fill (3).
      const time = rng.bernoulli(0.7) ? (nowS + rng.int(-3, 4)) % 4096 : field(rng, 12);
      const head = (time << 4) | ((compact ? 1 : 0) << 3) | field(rng, 3);
      const owner = ext ? ((((signer[0] ?? 0) << 24) | ((signer[1] ?? 0) << 16) | ((signer[2] ?? 0) << 8) | (signer[3] ?? 0)) >>> 2) : source;
      return cat(Uint8Array.of(head >> 8, head & 0xff), signer, aisContent(rng, cfg, owner), sig(rng, compact));
    }
    case 2: {
      // time bits 7–0, [signer], signature h ‖ S whose first two bits carry time bits 9–8 (set right mostly).
      const time = rng.bernoulli(0.7) ? (nowS + rng.int(-3, 4)) % 1024 : field(rng, 10);
      const signature = sig(rng, compact);
      const sAt = compact ? 16 : 32;
      if (signature.length > sAt && rng.bernoulli(0.9)) signature[sAt] = ((time >> 8) << 6) | ((signature[sAt] as number) & 0x3f);
      return cat(Uint8Array.of(time & 0xff), signer, signature);
    }
    case 3: {
      // time (14) ‖ key slot, counter ‖ fill, instance, ciphertext, tag.
      const time = rng.bernoulli(0.7) ? (nowS + rng.int(-3, 4)) % 16384 : field(rng, 14);
      const head = (time << 2) | field(rng, 2);
      return cat(Uint8Array.of(head >> 8, head & 0xff, (field(rng, 5) << 3) | field(rng, 3), field(rng, 8)), bytes(rng, len(rng, rng.int(1, 40))), bytes(rng, len(rng, 8)));
    }
    case 4: {
      // time (11) ‖ compact ‖ purpose − 1 ‖ fill (3), KEM ciphertext, sealed content ‖ tag, signature.
      const time = rng.bernoulli(0.7) ? (nowS + rng.int(-3, 4)) % 2048 : field(rng, 11);
      const head = (time << 5) | ((compact ? 1 : 0) << 4) | (field(rng, 1) << 3) | field(rng, 3);
      const sealed = bytes(rng, len(rng, rng.choice([38 + 8, 21 + 8, rng.int(9, 40)])));
      return cat(Uint8Array.of(head >> 8, head & 0xff), bytes(rng, len(rng, 64)), sealed, sig(rng, compact));
    }
    case 5: {
      // Anchor: t6 ‖ parity ‖ compact, then gen, key-size code, tag size, window, interval, disclosure delay, back.
      const head = Uint8Array.of(t, field(rng, 8), field(rng, 8), field(rng, 8));
      const keyBytes = [8, 10, 12, 16][((head[1] as number) >> 5) & 3] as number;
      return cat(head, bytes(rng, len(rng, 8)), bytes(rng, len(rng, keyBytes)), sig(rng, compact));
    }
    case 6: {
      // Batch or bare key: t6 ‖ gen ‖ key-only, key, then (offset ‖ tag) entries.
      const keyBytes = rng.choice([8, 10, 12, 16]);
      const tagBytes = rng.choice([1, 2, 3, 4]);
      const entries = (t & 1) === 1 ? 0 : rng.int(0, 8);
      const parts = [Uint8Array.of(t), bytes(rng, len(rng, keyBytes))];
      let offset = 0;
      for (let i = 0; i < entries; i++) {
        offset = rng.bernoulli(0.8) ? Math.min(255, offset + rng.int(0, 20)) : field(rng, 8);
        parts.push(Uint8Array.of(offset), bytes(rng, tagBytes));
      }
      return cat(...parts);
    }
    default:
      return bytes(rng, rng.int(0, 100));
  }
}

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

interface Header {
  readonly type: 6 | 8;
  readonly repeat: number;
  readonly mmsi: number;
  readonly seqno: number;
  readonly dest: number;
  readonly retransmit: boolean;
  readonly dac: number;
  readonly fi: number;
}

function header(rng: Rng, cfg: RxFuzzConfig): Header {
  return {
    type: rng.bernoulli(0.6) ? 8 : 6,
    repeat: field(rng, 2),
    mmsi: mmsi(rng, cfg),
    seqno: field(rng, 2),
    dest: mmsi(rng, cfg),
    retransmit: rng.bernoulli(0.5),
    dac: rng.bernoulli(0.9) ? cfg.dac : field(rng, 10),
    fi: rng.bernoulli(0.9) ? cfg.fi : field(rng, 6),
  };
}

const CHANNELS = ['A', 'B', '1', '2', ''] as const;

/** Valid NMEA for one message 6/8 carrying `data`; bit lengths that are not whole bytes now and then. */
function wrap(rng: Rng, h: Header, data: Uint8Array, seq: number): string[] {
  const dataBits = rng.bernoulli(0.9) || data.length === 0 ? data.length * 8 : data.length * 8 - rng.int(1, 8);
  const m: AisMessage =
    h.type === 8
      ? { type: 8, repeat: h.repeat, mmsi: h.mmsi, spare: 0, dac: h.dac, fid: h.fi, data, dataBits }
      : { type: 6, repeat: h.repeat, mmsi: h.mmsi, seqno: h.seqno, dest_mmsi: h.dest, retransmit: h.retransmit, spare: 0, dac: h.dac, fid: h.fi, data, dataBits };
  return encodeVdm(encodeAis(m), { channel: rng.choice(CHANNELS), seqId: seq % 10 });
}

/** Envelope header byte(s) for a chunk: version, kind, fragment flag, ext; group, index, count − 1. */
function envelope(rng: Rng, version: number, kind: number, ext: boolean, frag?: { group: number; index: number; countField: number; body: Uint8Array }): Uint8Array {
  const b0 = (version << 6) | ((kind & 15) << 2) | ((frag ? 1 : 0) << 1) | (ext ? 1 : 0);
  if (!frag) return Uint8Array.of(b0);
  const head = Uint8Array.of(b0, (frag.group << 4) | (frag.index << 2) | frag.countField);
  if (frag.index !== 0) return head;
  // Fragment 0 commits to the whole body: right most of the time, so the reassembled body reaches its kind's checks.
  let commitment = bytes(rng, COMMITMENT_BYTES);
  if (rng.bernoulli(0.9) && KINDS.has(kind)) commitment = bodyCommitment(kind as Kind, ext, frag.group, frag.countField + 1, frag.body);
  return cat(head, commitment);
}

const KINDS: ReadonlySet<number> = new Set(Object.values(Kind));

/** Largest application data that keeps a message within 1008 bits (five slots), so most cases stay decodable. */
const MAX_DATA = 115;

function securedCase(rng: Rng, cfg: RxFuzzConfig, nowS: number, seq: { n: number }): RxFuzzCase {
  const kind = rng.bernoulli(0.95) ? rng.int(1, 7) : field(rng, 4);
  const version = rng.bernoulli(0.95) ? ENVELOPE_VERSION : field(rng, 2);
  const ext = rng.bernoulli(kind === 1 || kind === 2 ? 0.4 : 0.1);
  const h = header(rng, cfg);
  const b = body(rng, cfg, kind, ext, h.mmsi, nowS);
  const fragmented = rng.bernoulli(0.4) || b.length + 1 > MAX_DATA;
  if (!fragmented) return { label: `kind${kind}`, lines: wrap(rng, h, cat(envelope(rng, version, kind, ext), b), seq.n++) };
  const countField = rng.bernoulli(0.9) ? rng.int(1, 4) : field(rng, 2);
  const count = countField + 1;
  const group = field(rng, 4);
  const size = Math.ceil(b.length / count);
  const chunks = Array.from({ length: count }, (_, i) => b.subarray(i * size, Math.min(b.length, (i + 1) * size)));
  const order = chunks.map((_, i) => i);
  if (rng.bernoulli(0.2)) order.sort(() => rng.next() - 0.5);
  if (rng.bernoulli(0.1)) order.pop(); // a fragment lost
  if (rng.bernoulli(0.1)) order.push(rng.int(0, count)); // a duplicate
  const lines: string[] = [];
  for (const i of order) {
    // Now and then a forged variant of this fragment, or an index the count does not allow.
    const chunk = rng.bernoulli(0.1) ? bytes(rng, rng.int(0, size + 2)) : (chunks[i] as Uint8Array);
    const index = rng.bernoulli(0.95) ? i : field(rng, 2);
    const data = cat(envelope(rng, version, kind, ext, { group, index, countField, body: b }), chunk).subarray(0, MAX_DATA);
    lines.push(...wrap(rng, rng.bernoulli(0.95) ? h : header(rng, cfg), data, seq.n++));
  }
  return { label: `kind${kind}/frag`, lines };
}

/** A plain report (held for attached signatures), a base-station report or any other type, under a chosen MMSI. */
function plainCase(rng: Rng, cfg: RxFuzzConfig, seq: { n: number }): RxFuzzCase {
  const content = aisContent(rng, cfg, mmsi(rng, cfg));
  const bits = rng.bernoulli(0.9) ? content.length * 8 : Math.max(1, content.length * 8 - rng.int(1, 8));
  return { label: 'plain', lines: encodeVdm({ bytes: content, bitLength: bits }, { channel: rng.choice(CHANNELS), seqId: seq.n++ % 10 }) };
}

/** A genuine message, replayed as is or with one AIS header field changed across its width. */
function genuineCase(rng: Rng, cfg: RxFuzzConfig, seq: { n: number }): RxFuzzCase {
  const lines = rng.choice(cfg.genuine);
  if (rng.bernoulli(0.3)) return { label: 'genuine', lines: [...lines] };
  // One of the body's messages (each of one or more sentences) is changed; the others go out as they were.
  const messages: string[][] = [];
  for (const l of lines) {
    if (parseVdm(parseSentence(l)).index === 1) messages.push([]);
    messages[messages.length - 1]?.push(l);
  }
  const k = rng.int(0, messages.length);
  const vs = (messages[k] ?? []).map((l) => parseVdm(parseSentence(l)));
  const last = vs[vs.length - 1];
  const m = { ...decodeAis(unarmour(vs.map((v) => v.payload).join(''), last?.fillBits ?? 0)) } as Record<string, unknown> & AisMessage;
  const binary = m.type === 6 || m.type === 8;
  const f = rng.choice(binary ? (['repeat', 'mmsi', 'dac', 'fid', 'seqno', 'dest_mmsi', 'retransmit', 'type'] as const) : (['repeat', 'mmsi'] as const));
  if (f === 'repeat') m.repeat = field(rng, 2);
  else if (f === 'mmsi') m.mmsi = mmsi(rng, cfg);
  else if (f === 'dac') m.dac = field(rng, 10);
  else if (f === 'fid') m.fid = field(rng, 6);
  else if (f === 'type') {
    // The same application data in the other binary message.
    if (m.type === 8) Object.assign(m, { type: 6, seqno: field(rng, 2), dest_mmsi: mmsi(rng, cfg), retransmit: false });
    else m.type = 8;
  } else if (m.type === 6) {
    if (f === 'seqno') m.seqno = field(rng, 2);
    else if (f === 'dest_mmsi') m.dest_mmsi = mmsi(rng, cfg);
    else m.retransmit = !m.retransmit;
  }
  const changed = encodeVdm(encodeAis(m), { channel: rng.choice(CHANNELS), seqId: seq.n++ % 10 });
  return { label: 'genuine', lines: messages.flatMap((msg, i) => (i === k ? changed : msg)) };
}

/** An endless stream of cases; `nowS` is the receiver's second when the case will be pushed. */
export function rxFuzzCases(rng: Rng, cfg: RxFuzzConfig): (nowS: number) => RxFuzzCase {
  const seq = { n: 0 };
  return (nowS) => {
    const r = rng.next();
    if (r < 0.08) return plainCase(rng, cfg, seq);
    if (r < 0.11 && cfg.genuine.length > 0) return genuineCase(rng, cfg, seq);
    return securedCase(rng, cfg, nowS, seq);
  };
}
