/**
 * A receiver of docs/wire-format.md, version 2, written from that document alone: envelope header and commitment
 * (§4), time and freshness (§5), kinds 1–6 (§6–§9) and the processing rules of §11 in their simplest form (no
 * budgets, no eviction policy). It imports nothing of the project; it exists to prove the document sufficient.
 */
import { binaryOf, bitsAt, VdmReader, type AisFrame } from './ais.js';
import {
  aeadNonce, blmqVerify, concatBytes, eaxOpen, identity, kemDecapsulate, params, same, sha256, u16, u32, u8, uN, utf8ToBytes,
  type Params,
} from './primitives.js';
import { hmac } from '@noble/hashes/hmac.js';

export interface GroupKey {
  readonly keyId: number;
  readonly key: Uint8Array;
  readonly notBefore: number;
  readonly notAfter: number;
}

export interface ReceiverConfig {
  readonly params: Uint8Array;
  readonly epochSeconds: number;
  readonly dac?: number;
  readonly fi?: number;
  readonly windowS?: number;
  /** This station's MMSI and its SK-KEM decryption keys by epoch (kind 4). */
  readonly own?: { readonly mmsi: number; readonly decryptionKeys: ReadonlyMap<number, Uint8Array> };
  readonly groupKeys?: readonly GroupKey[];
}

export interface Report {
  readonly bytes: Uint8Array;
  readonly bitLength: number;
}

export type Outcome =
  | { readonly ok: true; readonly kind: number; readonly source: number; readonly signer: number; readonly second: number; readonly report?: Report; readonly grant?: Uint8Array; readonly what?: string }
  | { readonly ok: false; readonly kind: number; readonly source: number; readonly reason: string };

class Refuse extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

const TIME_BITS: Record<number, number> = { 1: 12, 2: 10, 3: 14, 4: 11, 5: 6, 6: 6 };

/** §5 reconstruction. */
export function reconstruct(t: number, bits: number, now: number): number {
  const M = 2 ** bits;
  const H = Math.min(2 ** (bits - 1), 256);
  let d = (((t - now) % M) + M) % M;
  if (d > H) d -= M;
  return now + d;
}

const TAGS: Record<number, string> = { 1: 'mibc-ais/v2/signed', 2: 'mibc-ais/v2/attached', 4: 'mibc-ais/v2/kem' };

/** §6.1. */
function signedMessage(kind: 1 | 2 | 4, source: number, signer: number, destination: number, second: number, content: Uint8Array, bits: number): Uint8Array {
  const c = content.slice(0, Math.ceil(bits / 8));
  const pad = c.length * 8 - bits;
  if (pad > 0) c[c.length - 1]! &= 0xff << pad;
  return concatBytes(utf8ToBytes(TAGS[kind]!), u32(source), u32(signer), u32(destination), uN(second, 6), u16(bits), c);
}

function signerField(b: Uint8Array, at: number): number {
  if (b.length < at + 4) throw new Refuse('ENVELOPE_TRUNCATED');
  const v = bitsAt(b, at * 8, 30);
  if (bitsAt(b, at * 8 + 30, 2) !== 0 || v > 999_999_999) throw new Refuse('ENVELOPE_FORMAT');
  return v;
}

const reportMmsi = (r: Report) => bitsAt(r.bytes, 8, 30);

interface Tesla {
  P: number; d: number; tau: number; kb: number; Wn: number; gen: number; salt: Uint8Array;
  trusted: { index: number; key: Uint8Array };
  /** Tags waiting for their key: interval, second, tag. */
  tags: { m: number; second: number; tag: Uint8Array }[];
}

export class IndependentReceiver {
  private readonly p: Params;
  private readonly vdm = new VdmReader();
  private readonly pending = new Map<string, Map<number, Uint8Array>>();
  private readonly plain: { mmsi: number; report: Report; channel: string; second: number }[] = [];
  private readonly chains = new Map<string, Tesla>();

  constructor(readonly cfg: ReceiverConfig) {
    this.p = params(cfg.params);
  }

  /** One sentence heard at UTC second `now`; outcomes of whatever it completes. */
  push(line: string, now: number): Outcome[] {
    const f = this.vdm.push(line);
    if (f === undefined) return [];
    const bin = binaryOf(f);
    if (bin === undefined || bin.dac !== (this.cfg.dac ?? 0) || bin.fi !== (this.cfg.fi ?? 58)) {
      this.plain.push({ mmsi: bitsAt(f.bytes, 8, 30), report: { bytes: f.bytes, bitLength: f.bitLength }, channel: f.channel, second: now });
      return [];
    }
    if (bin.destination !== undefined && bin.destination !== this.cfg.own?.mmsi) return [];
    return this.secured(bin.source, bin.destination, bin.data, now, f);
  }

  private secured(source: number, destination: number | undefined, data: Uint8Array, now: number, _f: AisFrame): Outcome[] {
    const b0 = data[0] ?? 0;
    const kind = (b0 >> 2) & 15;
    const refuse = (reason: string): Outcome[] => [{ ok: false, kind, source, reason }];
    if (source > 999_999_999 || (destination ?? 0) > 999_999_999) return refuse('INVALID_MMSI');
    if (data.length === 0) return refuse('ENVELOPE_TRUNCATED');
    if (b0 >> 6 !== 2) return refuse('ENVELOPE_VERSION');
    if (kind < 1 || kind > 6) return refuse('ENVELOPE_KIND');
    const ext = b0 & 1;
    if ((b0 & 2) === 0) {
      if (data.length < 2) return refuse('ENVELOPE_TRUNCATED');
      return [this.body(kind, ext, source, destination, data.subarray(1), now)];
    }
    const b1 = data[1];
    if (b1 === undefined) return refuse('ENVELOPE_TRUNCATED');
    const group = b1 >> 4;
    const index = (b1 >> 2) & 3;
    const count = (b1 & 3) + 1;
    if (count < 2 || index >= count) return refuse('FRAGMENT_COUNT');
    const start = index === 0 ? 6 : 2;
    if (data.length <= start) return refuse('ENVELOPE_TRUNCATED');
    // Simplest §11 step 3: one candidate per index, the first heard (enough for a link without a forger).
    const key = `${source}/${destination ?? '-'}/${kind}/${group}/${count}/${ext}`;
    const parts = this.pending.get(key) ?? new Map<number, Uint8Array>();
    if (!parts.has(index)) parts.set(index, data.slice());
    this.pending.set(key, parts);
    if (parts.size < count) return [];
    this.pending.delete(key);
    const first = parts.get(0)!;
    const body = concatBytes(first.subarray(6), ...[...Array(count - 1).keys()].map((i) => parts.get(i + 1)!.subarray(2)));
    const commitment = sha256(concatBytes(utf8ToBytes('mibc-ais/v2/body'), u8(kind), u8(ext), u8(group), u8(count), body)).subarray(0, 4);
    if (!same(commitment, first.subarray(2, 6))) return refuse('FRAGMENT_CONFLICT');
    return [this.body(kind, ext, source, destination, body, now)];
  }

  private body(kind: number, ext: number, source: number, destination: number | undefined, body: Uint8Array, now: number): Outcome {
    try {
      const second = reconstruct(this.timeOf(kind, ext, body), TIME_BITS[kind]!, now);
      const w = this.cfg.windowS ?? 30;
      if (now - second > w) throw new Refuse('STALE');
      if (second - now > w) throw new Refuse('FUTURE');
      if ((kind === 5 || kind === 6) && ext === 1) throw new Refuse('MALFORMED');
      switch (kind) {
        case 1: return this.inline(ext, source, body, second);
        case 2: return this.attached(ext, source, body, second);
        case 3: return this.group(source, body, second);
        case 4: return this.kem(source, destination, body, second);
        case 5: return this.anchor(source, body, second);
        default: return this.batch(source, body, second);
      }
    } catch (e) {
      if (e instanceof Refuse) return { ok: false, kind, source, reason: e.reason };
      throw e;
    }
  }

  private timeOf(kind: number, ext: number, body: Uint8Array): number {
    const need = kind === 1 || kind === 3 || kind === 4 ? 2 : 1;
    if (body.length < need) throw new Refuse('ENVELOPE_TRUNCATED');
    const v = ((body[0] ?? 0) << 8) | (body[1] ?? 0);
    switch (kind) {
      case 1: return v >> 4;
      case 3: return v >> 2;
      case 4: return v >> 5;
      case 2: {
        // σ follows byte 0 (and the signer field); S starts 16 (compact) or 32 (full) bytes into σ.
        const sigLen = body.length - 1 - (ext ? 4 : 0);
        if (sigLen !== 64 && sigLen !== 80) throw new Refuse('ENVELOPE_FORMAT');
        const s0 = body[body.length - sigLen + (sigLen === 64 ? 16 : 32)]!;
        return ((s0 >> 6) << 8) | body[0]!;
      }
      default: return (body[0] ?? 0) >> 2;
    }
  }

  private epoch = (second: number) => Math.floor(second / this.cfg.epochSeconds);

  private inline(ext: number, source: number, body: Uint8Array, second: number): Outcome {
    const compact = (body[1]! >> 3) & 1;
    const fill = body[1]! & 7;
    const signer = ext ? signerField(body, 2) : source;
    const at = ext ? 6 : 2;
    const sigLen = compact ? 64 : 80;
    const n = body.length - at - sigLen;
    if (n < 1) throw new Refuse('ENVELOPE_TRUNCATED');
    const report = { bytes: body.slice(at, at + n), bitLength: n * 8 - fill };
    if (reportMmsi(report) !== signer) throw new Refuse('WRONG_SENDER');
    const msg = signedMessage(1, source, signer, 0, second, report.bytes, report.bitLength);
    if (!blmqVerify(this.p, identity(ext ? 2 : 1, signer, this.epoch(second)), msg, body.subarray(at + n))) throw new Refuse('BAD_SIGNATURE');
    return { ok: true, kind: 1, source, signer, second, report };
  }

  private attached(ext: number, source: number, body: Uint8Array, second: number): Outcome {
    const signer = ext ? signerField(body, 1) : source;
    const sig = body.slice(ext ? 5 : 1);
    if (sig.length !== 64 && sig.length !== 80) throw new Refuse('ENVELOPE_FORMAT');
    const sAt = sig.length === 64 ? 16 : 32;
    sig[sAt] = 0x80 | (sig[sAt]! & 0x3f);
    const held = this.plain.filter((h) => h.mmsi === signer && Math.abs(h.second - second) <= (this.cfg.windowS ?? 30)).reverse();
    if (held.length === 0) throw new Refuse('NO_MATCHING_REPORT');
    const id = identity(ext ? 2 : 1, signer, this.epoch(second));
    for (const h of held) {
      const msg = signedMessage(2, h.mmsi, signer, 0, second, h.report.bytes, h.report.bitLength);
      if (blmqVerify(this.p, id, msg, sig)) return { ok: true, kind: 2, source, signer, second, report: h.report };
    }
    throw new Refuse('BAD_SIGNATURE');
  }

  private group(source: number, body: Uint8Array, second: number): Outcome {
    if (body.length < 4 + 1 + 8) throw new Refuse('ENVELOPE_TRUNCATED');
    const slot = body[1]! & 3;
    const counter = body[2]! >> 3;
    const fill = body[2]! & 7;
    const instance = body[3]!;
    const keys = (this.cfg.groupKeys ?? []).filter((k) => k.keyId % 4 === slot && k.notBefore <= second && second < k.notAfter);
    if (keys.length === 0) throw new Refuse('NO_GROUP_KEY');
    for (const k of keys) {
      let plain: Uint8Array;
      try {
        plain = eaxOpen(k.key, aeadNonce(k.keyId, source, instance, second, counter), body.subarray(0, 4), body.subarray(4));
      } catch {
        continue;
      }
      const report = { bytes: plain, bitLength: plain.length * 8 - fill };
      if (reportMmsi(report) !== source) throw new Refuse('WRONG_SENDER');
      return { ok: true, kind: 3, source, signer: source, second, report };
    }
    throw new Refuse('BAD_TAG');
  }

  private kem(source: number, destination: number | undefined, body: Uint8Array, second: number): Outcome {
    const own = this.cfg.own;
    if (own === undefined || destination === undefined) throw new Refuse('NO_KEY');
    const v = (body[0]! << 8) | body[1]!;
    const compact = (v >> 4) & 1;
    const purpose = ((v >> 3) & 1) + 1;
    const fill = v & 7;
    const sigLen = compact ? 64 : 80;
    if (body.length <= 2 + 64 + 8 + sigLen) throw new Refuse('ENVELOPE_TRUNCATED');
    const content = body.subarray(0, body.length - sigLen);
    const msg = signedMessage(4, source, source, destination, second, content, content.length * 8);
    if (!blmqVerify(this.p, identity(1, source, this.epoch(second)), msg, body.subarray(body.length - sigLen))) throw new Refuse('BAD_SIGNATURE');
    const skd = own.decryptionKeys.get(this.epoch(second));
    if (skd === undefined) throw new Refuse('NO_KEY');
    const ct = body.subarray(2, 66);
    let key: Uint8Array;
    try {
      key = kemDecapsulate(this.p, identity(1, own.mmsi, this.epoch(second)), skd, ct);
    } catch {
      throw new Refuse('MALFORMED');
    }
    const ad = concatBytes(utf8ToBytes('mibc-ais/v2/kem-aad'), u32(source), u32(destination), uN(second, 6), u8(purpose), u8(fill), ct);
    let plain: Uint8Array;
    try {
      plain = eaxOpen(key, aeadNonce(0, destination, 0, second, 0), ad, content.subarray(66));
    } catch {
      throw new Refuse('BAD_TAG');
    }
    if (purpose === 1) {
      if (plain.length !== 38) throw new Refuse('ENVELOPE_FORMAT');
      const issuer = bitsAt(plain, 16, 32);
      const recipient = bitsAt(plain, 48, 32);
      if (issuer !== source) throw new Refuse('WRONG_ISSUER');
      if (recipient !== destination) throw new Refuse('WRONG_RECIPIENT');
      return { ok: true, kind: 4, source, signer: source, second, grant: plain };
    }
    const report = { bytes: plain, bitLength: plain.length * 8 - fill };
    if (reportMmsi(report) !== source) throw new Refuse('WRONG_SENDER');
    return { ok: true, kind: 4, source, signer: source, second, report };
  }

  private anchor(source: number, body: Uint8Array, second: number): Outcome {
    if (body.length < 4) throw new Refuse('MALFORMED');
    const [b0, b1, b2, b3] = [body[0]!, body[1]!, body[2]!, body[3]!];
    const kb = [8, 10, 12, 16][(b1 >> 5) & 3]!;
    const P = (((b1 & 1) << 5) | (b2 >> 3)) + 1;
    const d = (((b2 & 7) << 3) | (b3 >> 5)) + 1;
    const sigLen = b0 & 1 ? 64 : 80;
    if (body.length !== 12 + kb + sigLen) throw new Refuse('MALFORMED');
    const head = body.slice(0, 4);
    head[0]! &= 0xfe;
    const salt = body.slice(4, 12);
    const key = body.slice(12, 12 + kb);
    const msg = concatBytes(utf8ToBytes('mibc-ais/v1/tesla-anchor'), u32(source), u32(second), head, salt, key);
    const e = this.epoch(second);
    const epoch = (e & 1) === ((b0 >> 1) & 1) ? e : e - 1;
    if (!blmqVerify(this.p, identity(1, source, epoch), msg, body.subarray(12 + kb))) throw new Refuse('BAD_SIGNATURE');
    const gen = b1 >> 7;
    const c = Math.floor(second / P) - (b3 & 31);
    const cur = this.chains.get(`${source}/${gen}`);
    if (cur === undefined || !same(cur.salt, salt) || !this.follows(source, cur, c, key)) {
      this.chains.set(`${source}/${gen}`, { P, d, tau: ((b1 >> 3) & 3) + 1, kb, Wn: ((b1 >> 1) & 3) + 1, gen, salt, trusted: { index: c, key }, tags: [] });
    }
    return { ok: true, kind: 5, source, signer: source, second, what: `anchor K_${c}` };
  }

  /** §9: does K_index hash down to the trusted key? If so it becomes the trusted key. */
  private follows(mmsi: number, ch: Tesla, index: number, key: Uint8Array): boolean {
    if (index === ch.trusted.index) return same(key, ch.trusted.key);
    if (index < ch.trusted.index || index - ch.trusted.index > 1024) return false;
    let k = key;
    for (let i = index; i > ch.trusted.index; i--) {
      k = sha256(concatBytes(utf8ToBytes('mibc-ais/v1/tesla-chain'), u32(mmsi), u8(ch.gen), ch.salt, u32(i), k)).subarray(0, ch.kb);
    }
    if (!same(k, ch.trusted.key)) return false;
    ch.trusted = { index, key };
    return true;
  }

  private batch(source: number, body: Uint8Array, second: number): Outcome {
    const gen = (body[0]! >> 1) & 1;
    const ch = this.chains.get(`${source}/${gen}`);
    if (ch === undefined) throw new Refuse('UNANCHORED');
    const keyOnly = body[0]! & 1;
    const key = body.slice(1, 1 + ch.kb);
    if (key.length !== ch.kb) throw new Refuse('MALFORMED');
    const index = keyOnly ? Math.floor((second - ch.d) / ch.P) - 1 : Math.floor(second / ch.P) - 2;
    if (index > ch.trusted.index && !this.follows(source, ch, index, key)) throw new Refuse('KEY_REJECTED');
    if (!keyOnly) {
      const m = Math.floor(second / ch.P) - 1;
      const size = 1 + ch.tau;
      if ((body.length - 1 - ch.kb) % size !== 0) throw new Refuse('MALFORMED');
      for (let o = 1 + ch.kb; o < body.length; o += size) ch.tags.push({ m, second: (m - ch.Wn + 1) * ch.P + body[o]!, tag: body.slice(o + 1, o + size) });
    }
    return { ok: true, kind: 6, source, signer: source, second, what: keyOnly ? `key K_${index}` : `batch, K_${index}` };
  }

  /**
   * §9 tags whose key is now trusted: the plain reports of `mmsi` they authenticate (a tag matches a report heard at
   * its second on its channel).
   */
  taggedReports(mmsi: number): Report[] {
    const out: Report[] = [];
    for (const [k, ch] of this.chains) {
      if (!k.startsWith(`${mmsi}/`)) continue;
      for (const t of ch.tags) {
        if (t.m > ch.trusted.index) continue;
        let km = ch.trusted.key;
        for (let i = ch.trusted.index; i > t.m; i--) {
          km = sha256(concatBytes(utf8ToBytes('mibc-ais/v1/tesla-chain'), u32(mmsi), u8(ch.gen), ch.salt, u32(i), km)).subarray(0, ch.kb);
        }
        const macKey = sha256(concatBytes(utf8ToBytes('mibc-ais/v1/tesla-mac'), km));
        for (const h of this.plain) {
          if (h.mmsi !== mmsi || h.second !== t.second) continue;
          const type = bitsAt(h.report.bytes, 0, 6);
          const input = concatBytes(
            utf8ToBytes('mibc-ais/v1/tesla-tag'), u32(mmsi), u8(ch.gen), u32(t.m), u8(type), u8(h.channel === 'B' || h.channel === '2' ? 1 : 0),
            u32(h.second), u16(h.report.bitLength), h.report.bytes,
          );
          if (same(hmac(sha256, macKey, input).subarray(0, ch.tau), t.tag) && !out.includes(h.report)) out.push(h.report);
        }
      }
    }
    return out;
  }
}
