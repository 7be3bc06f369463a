/**
 * Envelope v2 bodies of kinds 1–4 (docs/envelope.md §2). Cryptographic values are opaque bytes here; the modes
 * produce and check them. Pure codecs: decode throws EnvelopeError('ENVELOPE_FORMAT' | 'ENVELOPE_TRUNCATED').
 */
import { concatBytes } from '@noble/hashes/utils.js';
import { Kind } from './envelope.js';
import { EnvelopeError } from './errors.js';

/** BLMQ signature h ‖ S: 16-byte (compact) or 32-byte h, 48-byte compressed S. */
export const signatureBytes = (compact: boolean): number => (compact ? 64 : 80);
/** SK-KEM ciphertext: U (48 B, G1) ‖ 16 B. */
export const KEM_CIPHERTEXT_BYTES = 64;
/** Truncated AEAD tag of kinds 3 and 4. */
export const AEAD_TAG_BYTES = 8;
export const MAX_MMSI = 999_999_999;

/**
 * Bits of the sender's UTC second each kind carries (the residue modulo 2^bits): kind 1 has room for 12 (68 min),
 * kind 4 for 11 beside its purpose bit (34 min), kind 2 fills a 3-slot message to the byte and carries 10 (17 min),
 * kind 3 has room for 14 beside its key slot (a mode-5 position report has spare bytes in its 2-slot message);
 * kinds 5 and 6 carry 6.
 */
export const TIME_BITS: Readonly<Record<Kind, number>> = {
  [Kind.SignedInline]: 12,
  [Kind.SignedAttached]: 10,
  [Kind.Group]: 14,
  [Kind.Kem]: 11,
  [Kind.ChainAnchor]: 6,
  [Kind.ChainBatch]: 6,
};

/** A whole AIS message as bytes: `fill` (0–7) trailing bits of the last byte are padding. */
export interface AisBits {
  readonly bytes: Uint8Array;
  readonly fill: number;
}

export interface SignedInlineBody {
  /** UTC second modulo 2^TIME_BITS[SignedInline]. */
  readonly time: number;
  readonly compact: boolean;
  /** Present when the envelope's ext flag is set: the signer's (pseudo-)MMSI. */
  readonly signer?: number;
  readonly report: AisBits;
  readonly signature: Uint8Array;
}

export interface SignedAttachedBody {
  /** UTC second modulo 2^TIME_BITS[SignedAttached]. */
  readonly time: number;
  readonly compact: boolean;
  readonly signer?: number;
  readonly signature: Uint8Array;
}

export interface GroupBody {
  /** UTC second modulo 2^TIME_BITS[Group]. */
  readonly time: number;
  /** Which of the (up to four) group keys held during rotation. */
  readonly keySlot: number;
  /** The sender's message counter within one UTC second, 0–31. */
  readonly counter: number;
  readonly fill: number;
  /** Which appliance sent it, among those sharing the source MMSI (0–255): part of the AEAD nonce. */
  readonly instance: number;
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
}

export const KemPurpose = { GroupKey: 1, Text: 2 } as const;
export type KemPurpose = (typeof KemPurpose)[keyof typeof KemPurpose];

export interface KemBody {
  /** UTC second modulo 2^TIME_BITS[Kem]. */
  readonly time: number;
  readonly compact: boolean;
  readonly purpose: KemPurpose;
  readonly fill: number;
  readonly kemCiphertext: Uint8Array;
  /** AEAD ciphertext ‖ tag under the KEM key. */
  readonly sealed: Uint8Array;
  readonly signature: Uint8Array;
}

function uint(name: string, v: number, bits: number): number {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) throw new RangeError(`${name} must fit ${bits} bits, got ${v}`);
  return v;
}

function bytesOf(name: string, b: Uint8Array, len?: number): Uint8Array {
  if (!(b instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (len !== undefined && b.length !== len) throw new RangeError(`${name} must be ${len} bytes, got ${b.length}`);
  return b;
}

/** time (12) | compact (1) | fill (3): the first two bytes of kinds 1 and 4. */
function timeHead(time: number, compact: boolean, fill: number): Uint8Array {
  const v = (uint('time', time, 12) << 4) | ((compact ? 1 : 0) << 3) | uint('fill', fill, 3);
  return Uint8Array.of(v >> 8, v & 0xff);
}

function signerBytes(signer: number | undefined): Uint8Array {
  if (signer === undefined) return new Uint8Array(0);
  if (!Number.isInteger(signer) || signer < 0 || signer > MAX_MMSI) throw new RangeError(`signer must be an MMSI, got ${signer}`);
  const v = signer << 2;
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

/** Sequential reader that reports truncation as a typed error. */
class Cursor {
  private off = 0;
  constructor(
    private readonly data: Uint8Array,
    private readonly what: string,
  ) {}
  byte(): number {
    const b = this.data[this.off];
    if (b === undefined) throw new EnvelopeError('ENVELOPE_TRUNCATED', `${this.what} body ends early`);
    this.off++;
    return b;
  }
  take(n: number): Uint8Array {
    if (this.off + n > this.data.length) throw new EnvelopeError('ENVELOPE_TRUNCATED', `${this.what} body ends early`);
    const out = this.data.subarray(this.off, this.off + n);
    this.off += n;
    return out;
  }
  remaining(): number {
    return this.data.length - this.off;
  }
  /** time (12) | compact (1) | fill (3). */
  timeHead(): { time: number; compact: boolean; fill: number } {
    const v = (this.byte() << 8) | this.byte();
    return { time: v >> 4, compact: ((v >> 3) & 1) === 1, fill: v & 7 };
  }
  /** time (11) | compact (1) | purpose − 1 (1) | fill (3). */
  kemHead(): { time: number; compact: boolean; purpose: KemPurpose; fill: number } {
    const v = (this.byte() << 8) | this.byte();
    return { time: v >> 5, compact: ((v >> 4) & 1) === 1, purpose: ((v >> 3) & 1) === 0 ? KemPurpose.GroupKey : KemPurpose.Text, fill: v & 7 };
  }
  /** time (14) | keySlot (2). */
  groupHead(): { time: number; keySlot: number } {
    const v = (this.byte() << 8) | this.byte();
    return { time: v >> 2, keySlot: v & 3 };
  }
  signer(ext: boolean): number | undefined {
    if (!ext) return undefined;
    const b = this.take(4);
    if (((b[3] as number) & 3) !== 0) throw new EnvelopeError('ENVELOPE_FORMAT', `${this.what}: signer padding bits set`);
    const v = (((b[0] as number) << 24) | ((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number)) >>> 2;
    if (v > MAX_MMSI) throw new EnvelopeError('ENVELOPE_FORMAT', `${this.what}: signer ${v} is not an MMSI`);
    return v;
  }
}

function checkFill(what: string, fill: number, bytes: number): void {
  if (fill > 7 || (bytes === 0 && fill > 0)) throw new EnvelopeError('ENVELOPE_FORMAT', `${what}: fill ${fill} for ${bytes} bytes`);
}

export function encodeSignedInline(b: SignedInlineBody): Uint8Array {
  bytesOf('signature', b.signature, signatureBytes(b.compact));
  bytesOf('report', b.report.bytes);
  if (b.report.bytes.length === 0) throw new RangeError('report must not be empty');
  return concatBytes(timeHead(b.time, b.compact, b.report.fill), signerBytes(b.signer), b.report.bytes, b.signature);
}

export function decodeSignedInline(body: Uint8Array, ext: boolean): SignedInlineBody {
  const c = new Cursor(body, 'signed-inline');
  const { time, compact, fill } = c.timeHead();
  const signer = c.signer(ext);
  const reportLen = c.remaining() - signatureBytes(compact);
  if (reportLen < 1) throw new EnvelopeError('ENVELOPE_TRUNCATED', 'signed-inline body too short for report and signature');
  checkFill('signed-inline', fill, reportLen);
  const report = { bytes: c.take(reportLen), fill };
  const base = { time, compact, report, signature: c.take(signatureBytes(compact)) };
  return signer === undefined ? base : { ...base, signer };
}

/**
 * Offset of S's first byte in a signature. Compressed G1 points (ZCash/IETF serialisation) start with three flag
 * bits: compressed = 1, infinity = 0, sign. A valid S is never the point at infinity, so the first two are constant;
 * kind 2 carries time bits 8–9 in their place and the receiver puts the constants back.
 */
const sOffset = (compact: boolean): number => (compact ? 16 : 32);
const S_FLAGS = 0b10 << 6;

export function encodeSignedAttached(b: SignedAttachedBody): Uint8Array {
  const sig = bytesOf('signature', b.signature, signatureBytes(b.compact)).slice();
  const at = sOffset(b.compact);
  const s0 = sig[at] as number;
  if ((s0 & 0xc0) !== S_FLAGS) throw new RangeError('signature S is not a compressed finite G1 point');
  const time = uint('time', b.time, 10);
  sig[at] = ((time >> 8) << 6) | (s0 & 0x3f);
  return concatBytes(Uint8Array.of(time & 0xff), signerBytes(b.signer), sig);
}

export function decodeSignedAttached(body: Uint8Array, ext: boolean): SignedAttachedBody {
  const c = new Cursor(body, 'signed-attached');
  const low = c.byte();
  const signer = c.signer(ext);
  // The signature form follows from the length: the one byte of kind 2 has no room for a flag.
  const n = c.remaining();
  if (n !== signatureBytes(true) && n !== signatureBytes(false)) throw new EnvelopeError('ENVELOPE_FORMAT', `signed-attached: ${n} signature bytes`);
  const compact = n === signatureBytes(true);
  const sig = c.take(n).slice();
  const at = sOffset(compact);
  const s0 = sig[at] as number;
  sig[at] = S_FLAGS | (s0 & 0x3f);
  const base = { time: ((s0 >> 6) << 8) | low, compact, signature: sig };
  return signer === undefined ? base : { ...base, signer };
}

/** Bytes of a group body before the ciphertext. */
export const GROUP_HEADER_BYTES = 4;
/** Largest per-second counter a group body carries (5 bits). */
export const GROUP_MAX_COUNTER = 31;

/**
 * The four header bytes of a group body, time (14) | keySlot (2) | counter (5) | fill (3) | instance (8): the AEAD's
 * associated data (the source MMSI is in the nonce). The instance byte lets two appliances that share an MMSI draw
 * from disjoint nonce spaces; receivers rebuild the nonce from it.
 */
export function groupHeader(b: Pick<GroupBody, 'time' | 'keySlot' | 'counter' | 'fill' | 'instance'>): Uint8Array {
  const v = (uint('time', b.time, 14) << 2) | uint('keySlot', b.keySlot, 2);
  return Uint8Array.of(
    v >> 8,
    v & 0xff,
    (uint('counter', b.counter, 5) << 3) | uint('fill', b.fill, 3),
    uint('instance', b.instance, 8),
  );
}

export function encodeGroup(b: GroupBody): Uint8Array {
  bytesOf('tag', b.tag, AEAD_TAG_BYTES);
  if (bytesOf('ciphertext', b.ciphertext).length === 0) throw new RangeError('ciphertext must not be empty');
  return concatBytes(groupHeader(b), b.ciphertext, b.tag);
}

export function decodeGroup(body: Uint8Array): GroupBody {
  const c = new Cursor(body, 'group');
  const { time, keySlot } = c.groupHead();
  const b2 = c.byte();
  const instance = c.byte();
  const len = c.remaining() - AEAD_TAG_BYTES;
  if (len < 1) throw new EnvelopeError('ENVELOPE_TRUNCATED', 'group body too short for ciphertext and tag');
  checkFill('group', b2 & 7, len);
  return { time, keySlot, counter: b2 >> 3, fill: b2 & 7, instance, ciphertext: c.take(len), tag: c.take(AEAD_TAG_BYTES) };
}

/** Everything of a KEM body before the signature: what the sender signs (with destination and time). */
export function kemSignedPart(b: Omit<KemBody, 'signature'>): Uint8Array {
  bytesOf('kemCiphertext', b.kemCiphertext, KEM_CIPHERTEXT_BYTES);
  if (bytesOf('sealed', b.sealed).length <= AEAD_TAG_BYTES) throw new RangeError('sealed content must hold at least one byte and the tag');
  if (b.purpose !== KemPurpose.GroupKey && b.purpose !== KemPurpose.Text) throw new RangeError(`unknown KEM purpose ${String(b.purpose)}`);
  // One byte fewer than a separate purpose field: a group-key hand-out (177 B) then fits three messages 6, not four.
  const v = (uint('time', b.time, 11) << 5) | ((b.compact ? 1 : 0) << 4) | ((b.purpose - 1) << 3) | uint('fill', b.fill, 3);
  return concatBytes(Uint8Array.of(v >> 8, v & 0xff), b.kemCiphertext, b.sealed);
}

export function encodeKem(b: KemBody): Uint8Array {
  bytesOf('signature', b.signature, signatureBytes(b.compact));
  return concatBytes(kemSignedPart(b), b.signature);
}

export function decodeKem(body: Uint8Array): KemBody {
  const c = new Cursor(body, 'kem');
  const { time, compact, purpose, fill } = c.kemHead();
  const kemCiphertext = c.take(KEM_CIPHERTEXT_BYTES);
  const sealedLen = c.remaining() - signatureBytes(compact);
  if (sealedLen <= AEAD_TAG_BYTES) throw new EnvelopeError('ENVELOPE_TRUNCATED', 'kem body too short for content, tag and signature');
  checkFill('kem', fill, sealedLen - AEAD_TAG_BYTES);
  return { time, compact, purpose, fill, kemCiphertext, sealed: c.take(sealedLen), signature: c.take(signatureBytes(compact)) };
}

/**
 * The time residue a body carries and its width, read before anything else so that freshness is judged before any
 * pairing (or AEAD) is spent. Kinds 5 and 6 keep their t6 in the top bits of byte 0.
 */
export function bodyTime(kind: Kind, ext: boolean, body: Uint8Array): { readonly residue: number; readonly bits: number } {
  const bits = TIME_BITS[kind];
  switch (kind) {
    case Kind.SignedInline:
      return { residue: new Cursor(body, 'body').timeHead().time, bits };
    case Kind.Kem:
      return { residue: new Cursor(body, 'body').kemHead().time, bits };
    case Kind.SignedAttached:
      return { residue: decodeSignedAttached(body, ext).time, bits };
    case Kind.Group:
      return { residue: new Cursor(body, 'body').groupHead().time, bits };
    default: {
      const b0 = body[0];
      if (b0 === undefined) throw new EnvelopeError('ENVELOPE_TRUNCATED', 'empty body');
      return { residue: b0 >> 2, bits };
    }
  }
}

/**
 * What a mode-4 group-key hand-out seals (docs/group-keys.md §3): the key of one group, bound to the group, the
 * issuer that signs the mode-4 message, the one vessel it is for, its key id and its validity (UTC seconds).
 *
 *   groupId u16 | issuer u32 | recipient u32 | keyId u32 | notBefore u32 | notAfter u32 | key 16
 */
export interface GroupKeyGrant {
  readonly groupId: number;
  /** MMSI of the issuer: must be the mode-4 signer. */
  readonly issuer: number;
  /** MMSI of the vessel the key is for: must be the mode-4 destination. */
  readonly recipient: number;
  readonly keyId: number;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly key: Uint8Array;
}

export const GROUP_KEY_GRANT_BYTES = 38;
export const MAX_GROUP_ID = 0xffff;

function mmsiField(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > MAX_MMSI) throw new RangeError(`${name} must be an MMSI, got ${v}`);
  return v;
}

export function encodeGroupKeyGrant(g: GroupKeyGrant): Uint8Array {
  bytesOf('key', g.key, 16);
  if (!(g.notAfter > g.notBefore)) throw new RangeError('group-key grant must end after it begins');
  const out = new Uint8Array(GROUP_KEY_GRANT_BYTES);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, uint('groupId', g.groupId, 16));
  dv.setUint32(2, mmsiField('issuer', g.issuer));
  dv.setUint32(6, mmsiField('recipient', g.recipient));
  dv.setUint32(10, uint('keyId', g.keyId, 32));
  dv.setUint32(14, uint('notBefore', g.notBefore, 32));
  dv.setUint32(18, uint('notAfter', g.notAfter, 32));
  out.set(g.key, 22);
  return out;
}

export function decodeGroupKeyGrant(b: Uint8Array): GroupKeyGrant {
  if (b.length !== GROUP_KEY_GRANT_BYTES) throw new EnvelopeError('ENVELOPE_FORMAT', `group-key grant of ${b.length} bytes, expected ${GROUP_KEY_GRANT_BYTES}`);
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const g = {
    groupId: dv.getUint16(0), issuer: dv.getUint32(2), recipient: dv.getUint32(6), keyId: dv.getUint32(10),
    notBefore: dv.getUint32(14), notAfter: dv.getUint32(18), key: b.slice(22),
  };
  if (g.issuer > MAX_MMSI || g.recipient > MAX_MMSI) throw new EnvelopeError('ENVELOPE_FORMAT', 'group-key grant names a value that is not an MMSI');
  if (g.notAfter <= g.notBefore) throw new EnvelopeError('ENVELOPE_FORMAT', 'group-key grant ends before it begins');
  return g;
}
