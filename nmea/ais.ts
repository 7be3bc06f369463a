/**
 * AIS message codec, ITU-R M.1371-5 Annex 8 §3: bits ⇄ plain objects with gpsd's field names and raw integers
 * (scaling to degrees/knots is a separate view). Driven entirely by the tables of `layouts.ts`, so encoding and
 * decoding cannot disagree about a bit position.
 */
import { BitReader, BitWriter } from './bits.js';
import { AisLengthError, AisTypeError, AisVariantError } from './errors.js';
import { decodeFields, encodeFields, type Fields, type Layout } from './_layout.js';
import { MESSAGES, type MessageDef } from './layouts.js';
import type { AisBits } from './sixbit.js';

/** A decoded message: `type`, `repeat`, `mmsi` plus the fields of its table. */
export interface AisMessage extends Fields {
  type: number;
  repeat: number;
  mmsi: number;
}

/** Message 6 (Table 54): the binary data is `dac` ‖ `fid` ‖ `data` (`dataBits` bits, left-aligned). */
export interface AisAddressedBinary extends AisMessage {
  type: 6;
  seqno: number;
  dest_mmsi: number;
  retransmit: boolean;
  dac: number;
  fid: number;
  data: Uint8Array;
  dataBits: number;
}

/** Message 8 (Table 57). */
export interface AisBroadcastBinary extends AisMessage {
  type: 8;
  dac: number;
  fid: number;
  data: Uint8Array;
  dataBits: number;
}

/** Longest message accepted (M.1371-6 lets message 26 reach 1064 bits; real receivers report a little more). */
export const MAX_MESSAGE_BITS = 1200;

/** Decodes one message from its bits. Throws an `NmeaError` for unknown types and impossible lengths. */
export function decodeAis(bits: AisBits): AisMessage {
  const { bytes, bitLength } = bits;
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bits.bytes: expected Uint8Array');
  let r = new BitReader(bytes, bitLength);
  if (bitLength < 38) throw new AisLengthError(bitLength >= 6 ? r.u(0, 6) : -1, bitLength, 'at least 38 bits');
  const type = r.u(0, 6);
  const def = MESSAGES[type];
  if (def === undefined) throw new AisTypeError(type);
  if (bitLength > MAX_MESSAGE_BITS) throw new AisLengthError(type, bitLength, `at most ${MAX_MESSAGE_BITS} bits`);
  const layout = pick(def, def.select.bits(r), type);
  if (bitLength < layout.minBits) throw new AisLengthError(type, bitLength, `at least ${layout.minBits} bits`);
  if (!layout.hasRest && bitLength < layout.fixedBits && layout.minBits < layout.fixedBits && isFixed(layout)) {
    // Tolerated shortfall (see the table's options): decode the standard length with the missing tail as zero.
    const padded = new Uint8Array((layout.fixedBits + 7) >> 3);
    padded.set(bytes.subarray(0, (bitLength + 7) >> 3));
    if ((bitLength & 7) !== 0) padded[bitLength >> 3]! &= (0xff << (8 - (bitLength & 7))) & 0xff;
    r = new BitReader(padded, layout.fixedBits);
  }
  const out = {} as AisMessage;
  decodeFields(layout, r, out, type);
  return out;
}

function isFixed(layout: Layout): boolean {
  return layout.fields.every((f) => f[4] !== 'opt');
}

function pick(def: MessageDef, key: string | undefined, type: number): Layout {
  const layout = key === undefined ? undefined : def.layouts[key];
  if (layout === undefined) throw new AisVariantError(type, key);
  return layout;
}

/** Encodes a message object; `TypeError`/`RangeError` name the missing or out-of-range field. */
export function encodeAis(m: Readonly<AisMessage>): AisBits {
  if (typeof m !== 'object' || m === null) throw new TypeError('message: expected object');
  const def = typeof m.type === 'number' ? MESSAGES[m.type] : undefined;
  if (def === undefined) throw new RangeError(`message.type: expected 1..27, got ${String(m.type)}`);
  const key = def.select.fields(m);
  const layout = key === undefined ? undefined : def.layouts[key];
  if (layout === undefined) throw new RangeError(`type ${m.type}: fields select no layout`);
  const w = new BitWriter(layout.fixedBits + 64);
  encodeFields(layout, m, w, `type${m.type}`);
  const out = w.finish();
  if (out.bitLength > MAX_MESSAGE_BITS) throw new RangeError(`type ${m.type}: ${out.bitLength} bits exceed ${MAX_MESSAGE_BITS}`);
  return out;
}

export function isAddressedBinary(m: AisMessage): m is AisAddressedBinary {
  return m.type === 6;
}

export function isBroadcastBinary(m: AisMessage): m is AisBroadcastBinary {
  return m.type === 8;
}

/**
 * The same message with its source MMSI (bits 8–37, common to all 27 types) replaced and every other bit kept —
 * including tails that a decode/encode round trip would normalise — so other decoders read it exactly as before.
 */
export function replaceMmsi(bits: AisBits, mmsi: number): AisBits {
  if (bits.bitLength < 38) throw new AisLengthError(-1, bits.bitLength, 'at least 38 bits');
  const r = new BitReader(bits.bytes, bits.bitLength);
  const rest = bits.bitLength - 38;
  const w = new BitWriter(bits.bitLength);
  w.bits(r.slice(0, 8), 8, 'header').u(mmsi, 30, 'mmsi').bits(r.slice(38, rest), rest, 'body');
  return w.finish();
}
