/**
 * The common case of IEC 61162-1 §7 framing and §8.3.91/92 VDM/VDO, read from raw bytes: a one-sentence message
 * `!ccVDM,1,1,s,c,payload,f*hh`, printable ASCII, checksum right (printable fields after it are passed over). Its payload is
 * de-armoured (AIVDM.adoc "Payload Armoring") into a reused buffer without making a string or an object, which is
 * what lets `decode` keep pace with gpsdecode. Anything else — TAG blocks, fragments, other sentences, any fault —
 * is declined, and the caller hands the line to sentence.ts/vdm.ts, which parse it in full and name the fault. Only
 * sentences those parsers accept unchanged are accepted here (test/nmea/vdm-scan.test.ts).
 */
import { MAX_LINE_LENGTH, MAX_SENTENCE_LENGTH } from './sentence.js';
import { WRITER_BYTES } from './gpsd-compiled.js';

const ARMOUR = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let c = 48; c < 88; c++) t[c] = c - 48;
  for (let c = 96; c < 120; c++) t[c] = c - 56;
  return t;
})();

/** A hex digit's value, -1 for anything else. */
const HEX_VALUE = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let c = 0; c < 16; c++) {
    t['0123456789ABCDEF'.charCodeAt(c)] = c;
    t['0123456789abcdef'.charCodeAt(c)] = c;
  }
  return t;
})();

const BANG = 0x21;
const STAR = 0x2a;
const COMMA = 0x2c;

/** Longest payload a 1024-character line can carry, in bytes once de-armoured, with room for the writers' reads. */
const BYTES = Math.max(WRITER_BYTES, (MAX_LINE_LENGTH * 6) >> 3) + 8;

export class VdmScanner {
  /** The last accepted message's bits, zero after `bitLength`. */
  readonly bytes = new Uint8Array(BYTES);
  bitLength = 0;
  /** The last accepted sentence is longer than IEC 61162-1 allows (sentence.ts `overLength`). */
  overLength = false;
  /** Radio channel of the last accepted sentence (`A`, `B`, `1`, `2`, `C` or empty), as a character code or 0. */
  channel = 0;
  private used = 0;

  /** Reads `line[start, end)`; true when it is the common case and its bits are in `bytes`. */
  scan(line: Uint8Array, start: number, end: number): boolean {
    const n = end - start;
    if (n < 20 || n > MAX_LINE_LENGTH || line[start] !== BANG) return false;
    // Checksum and character check, up to the first `*`, which must leave exactly two hex digits.
    let sum = 0;
    let star = -1;
    for (let i = start + 1; i < end; i++) {
      const c = line[i]!;
      if (c === STAR) {
        star = i;
        break;
      }
      if (c < 0x20 || c > 0x7e) return false;
      sum ^= c;
    }
    if (star < 0 || star + 3 > end) return false;
    // Fields after the checksum (USCG receivers) are passed over, as sentence.ts keeps them aside uninterpreted.
    for (let i = star + 3; i < end; i++) if (line[i]! < 0x20 || line[i]! > 0x7e) return false;
    const hi = HEX_VALUE[line[star + 1]!]!;
    const lo = HEX_VALUE[line[star + 2]!]!;
    if (hi < 0 || lo < 0 || ((hi << 4) | lo) !== sum) return false;
    // Address: two talker characters and VDM or VDO.
    const a = start + 1;
    if (!isAlnum(line[a]!) || !isAlnum(line[a + 1]!) || line[a + 2] !== 0x56 || line[a + 3] !== 0x44) return false;
    const f = line[a + 4];
    if ((f !== 0x4d && f !== 0x4f) || line[a + 5] !== COMMA) return false;
    // `1,1,` then the sequential id (empty or one digit), the channel (empty or one of AB12C).
    let i = a + 6;
    if (line[i] !== 0x31 || line[i + 1] !== COMMA || line[i + 2] !== 0x31 || line[i + 3] !== COMMA) return false;
    i += 4;
    if (line[i] !== COMMA) {
      if (!isDigit(line[i]!) || line[i + 1] !== COMMA) return false;
      i++;
    }
    i++;
    let channel = 0;
    if (line[i] !== COMMA) {
      channel = line[i]!;
      if ((channel !== 0x41 && channel !== 0x42 && channel !== 0x31 && channel !== 0x32 && channel !== 0x43) || line[i + 1] !== COMMA) return false;
      i++;
    }
    i++;
    // Payload up to `,f*`: fill bits one digit 0–5, the payload not empty.
    const payloadEnd = star - 2;
    const fill = line[star - 1]! - 0x30;
    if (line[payloadEnd] !== COMMA || fill < 0 || fill > 5 || payloadEnd <= i) return false;
    const out = this.bytes;
    let o = 0;
    let k = i;
    for (; k + 4 <= payloadEnd; k += 4) {
      const p = ARMOUR[line[k]!]!;
      const q = ARMOUR[line[k + 1]!]!;
      const r = ARMOUR[line[k + 2]!]!;
      const s = ARMOUR[line[k + 3]!]!;
      if ((p | q | r | s) < 0) return this.spoilt(o);
      out[o++] = (p << 2) | (q >> 4);
      out[o++] = ((q & 15) << 4) | (r >> 2);
      out[o++] = ((r & 3) << 6) | s;
    }
    let acc = 0;
    let accBits = 0;
    for (; k < payloadEnd; k++) {
      const v = ARMOUR[line[k]!]!;
      if (v < 0) return this.spoilt(o);
      acc = (acc << 6) | v;
      accBits += 6;
      if (accBits >= 8) {
        accBits -= 8;
        out[o++] = (acc >> accBits) & 0xff;
      }
    }
    if (accBits > 0) out[o++] = (acc << (8 - accBits)) & 0xff;
    const bitLength = (payloadEnd - i) * 6 - fill;
    // Fill bits, then whatever an earlier, longer message left, are zeroed.
    let z = bitLength >> 3;
    const rem = bitLength & 7;
    if (rem !== 0) out[z++]! &= (0xff << (8 - rem)) & 0xff;
    for (; z < o; z++) out[z] = 0;
    if (this.used > o) out.fill(0, o, this.used);
    this.used = o;
    this.bitLength = bitLength;
    this.overLength = star + 3 - start > MAX_SENTENCE_LENGTH;
    this.channel = channel;
    return true;
  }

  /** A payload found bad part way: the bytes written so far are zeroed before the next message. */
  private spoilt(written: number): false {
    if (written > this.used) this.used = written;
    return false;
  }
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
