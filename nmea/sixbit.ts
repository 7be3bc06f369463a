/**
 * The two 6-bit alphabets of AIS, each defined once:
 * - payload armour, IEC 61162-1 §8.3.x / ITU-R M.1371-5 (AIVDM.adoc "Payload Armoring"): value v is sent as
 *   character v+48 if v < 40, else v+56 — valid characters `0`–`W` and `` ` ``–`w`;
 * - the text alphabet of ITU-R M.1371-5 Table 47 used inside messages (`@` = 0 pads names).
 * Bits are MSB first; the last payload character may carry up to 5 fill bits that are not part of the message.
 */
import { AisArmourError, AisFillBitsError } from './errors.js';

export const ARMOUR_ALPHABET = '0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw';
export const TEXT_ALPHABET = "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?";

/** Character code → 6-bit value, -1 for characters that are not armour. */
const ARMOUR_VALUE = /* @__PURE__ */ reverse(ARMOUR_ALPHABET);
/** Character code → 6-bit text value, -1 for characters outside Table 47. */
export const TEXT_VALUE: Int8Array = /* @__PURE__ */ reverse(TEXT_ALPHABET);

function reverse(alphabet: string): Int8Array {
  const t = new Int8Array(128).fill(-1);
  for (let v = 0; v < 64; v++) t[alphabet.charCodeAt(v)] = v;
  return t;
}

export const MAX_FILL_BITS = 5;

/** Message bits left-aligned in `bytes`; bits past `bitLength` are zero. */
export interface AisBits {
  readonly bytes: Uint8Array;
  readonly bitLength: number;
}

/** De-armours `payload` and drops `fillBits` trailing bits. */
export function unarmour(payload: string, fillBits: number): AisBits {
  if (!Number.isInteger(fillBits) || fillBits < 0 || fillBits > MAX_FILL_BITS) {
    throw new AisFillBitsError(`fill bits ${fillBits}: expected 0..${MAX_FILL_BITS}`);
  }
  const n = payload.length;
  const total = n * 6;
  if (fillBits > total) throw new AisFillBitsError(`${fillBits} fill bits in an empty payload`);
  const bytes = new Uint8Array((total + 7) >> 3);
  // Four characters are exactly three bytes: decode in groups, then the tail.
  let o = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a = value(payload, i);
    const b = value(payload, i + 1);
    const c = value(payload, i + 2);
    const d = value(payload, i + 3);
    bytes[o++] = (a << 2) | (b >> 4);
    bytes[o++] = ((b & 15) << 4) | (c >> 2);
    bytes[o++] = ((c & 3) << 6) | d;
  }
  let acc = 0;
  let accBits = 0;
  for (; i < n; i++) {
    acc = (acc << 6) | value(payload, i);
    accBits += 6;
    if (accBits >= 8) {
      accBits -= 8;
      bytes[o++] = (acc >> accBits) & 0xff;
    }
  }
  if (accBits > 0) bytes[o] = (acc << (8 - accBits)) & 0xff;
  const bitLength = total - fillBits;
  clearFrom(bytes, bitLength);
  return { bytes, bitLength };
}

function value(payload: string, i: number): number {
  const c = payload.charCodeAt(i);
  const v = c < 128 ? ARMOUR_VALUE[c]! : -1;
  if (v < 0) throw new AisArmourError(i, payload.charAt(i));
  return v;
}

/** Zeroes the bits at and after `bitLength` so equal messages have equal bytes. */
function clearFrom(bytes: Uint8Array, bitLength: number): void {
  const rem = bitLength & 7;
  let i = bitLength >> 3;
  if (rem !== 0 && i < bytes.length) bytes[i++]! &= (0xff << (8 - rem)) & 0xff;
  for (; i < bytes.length; i++) bytes[i] = 0;
}

/** Armours the first `bitLength` bits of `bytes`; `fillBits` pads the last character. */
export function armour(bytes: Uint8Array, bitLength: number): { payload: string; fillBits: number } {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes: expected Uint8Array');
  if (!Number.isInteger(bitLength) || bitLength < 0 || bitLength > bytes.length * 8) {
    throw new RangeError(`bitLength: expected 0..${bytes.length * 8}, got ${bitLength}`);
  }
  const chars = Math.ceil(bitLength / 6);
  let out = '';
  for (let k = 0; k < chars; k++) {
    const bit = k * 6;
    const byte = bit >> 3;
    const shift = bit & 7;
    // Two bytes always cover a 6-bit window; bits past bitLength are taken as zero.
    const window = ((bytes[byte] ?? 0) << 8) | (bytes[byte + 1] ?? 0);
    let v = (window >> (10 - shift)) & 63;
    const over = bit + 6 - bitLength;
    if (over > 0) v &= (63 << over) & 63;
    out += ARMOUR_ALPHABET[v]!;
  }
  return { payload: out, fillBits: chars * 6 - bitLength };
}
