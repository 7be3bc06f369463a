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
import type { AisBits } from './sixbit.js';

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

/** Longest payload two 1024-character lines can carry, in bytes once de-armoured, with room for the writers' reads. */
const BYTES = Math.max(WRITER_BYTES, 2 * ((MAX_LINE_LENGTH * 6) >> 3)) + 8;

/** The 6-bit accumulator carried from one payload into the next (`dearmour`). */
let acc = 0;
let accBits = 0;

/**
 * De-armours `line[k, to)` into `out` from byte `o`, continuing the bits in `acc`; returns the next byte, or -1 - o
 * (o the bytes written so far) at a character outside the armour.
 */
function dearmour(line: Uint8Array, k: number, to: number, out: Uint8Array, o: number): number {
  if (accBits === 0) {
    for (; k + 4 <= to; k += 4) {
      const p = ARMOUR[line[k]!]!;
      const q = ARMOUR[line[k + 1]!]!;
      const r = ARMOUR[line[k + 2]!]!;
      const s = ARMOUR[line[k + 3]!]!;
      if ((p | q | r | s) < 0) return -1 - o;
      out[o++] = (p << 2) | (q >> 4);
      out[o++] = ((q & 15) << 4) | (r >> 2);
      out[o++] = ((r & 3) << 6) | s;
    }
  }
  for (; k < to; k++) {
    const v = ARMOUR[line[k]!]!;
    if (v < 0) return -1 - o;
    acc = ((acc << 6) | v) & 0xfff;
    accBits += 6;
    if (accBits >= 8) {
      accBits -= 8;
      out[o++] = (acc >> accBits) & 0xff;
    }
  }
  return o;
}

export class VdmScanner {
  /** The last accepted message's bits, zero after `bitLength`. */
  readonly bytes = new Uint8Array(BYTES);
  bitLength = 0;
  /** The last accepted sentence is longer than IEC 61162-1 allows (sentence.ts `overLength`); with `scanPair`, either. */
  overLength = false;
  /** With `scanPair`, how many of the two sentences are over-long. */
  overLengths = 0;
  /** Radio channel of the last accepted sentence (`A`, `B`, `1`, `2`, `C` or empty), as a character code or 0. */
  channel = 0;
  private used = 0;

  // The last framed sentence (`frame`).
  private count = 0;
  private index = 0;
  /** Talker (two characters) and formatter's last letter, as one number: the assembly key bar channel and id. */
  private address = 0;
  /** Sequential id as a character code, 0 when empty. */
  private seq = 0;
  private fill = 0;
  private payloadStart = 0;
  private payloadEnd = 0;
  private long = false;

  /** The last accepted message as `unarmour` gives it: its bytes (the payload's whole bytes) and bit length. */
  bits(): AisBits {
    return { bytes: this.bytes.subarray(0, this.used), bitLength: this.bitLength };
  }

  /** Reads `line[start, end)`; true when it is the common case and its bits are in `bytes`. */
  scan(line: Uint8Array, start: number, end: number): boolean {
    if (!this.frame(line, start, end) || this.count !== 1) return false;
    acc = 0;
    accBits = 0;
    const o = dearmour(line, this.payloadStart, this.payloadEnd, this.bytes, 0);
    if (o < 0) return this.spoilt(-1 - o);
    this.finish(o, (this.payloadEnd - this.payloadStart) * 6 - this.fill);
    this.overLength = this.long;
    this.overLengths = this.long ? 1 : 0;
    return true;
  }

  /**
   * Reads two lines that are the two sentences of one message, in order (same talker, formatter, channel and
   * sequential id; fill bits on the second only); true when both are the common case and the message's bits are in
   * `bytes`, as the assembler joins them (assembler.ts).
   */
  scanPair(line: Uint8Array, start1: number, end1: number, start2: number, end2: number): boolean {
    if (!this.frame(line, start2, end2) || this.fragment() !== 0x22) return false;
    const [address, seq, channel, fill, from2, to2, long2] = [this.address, this.seq, this.channel, this.fill, this.payloadStart, this.payloadEnd, this.long];
    if (!this.frame(line, start1, end1) || this.fragment() !== 0x21 || this.fill !== 0) return false;
    if (this.address !== address || this.seq !== seq || this.channel !== channel) return false;
    acc = 0;
    accBits = 0;
    let o = dearmour(line, this.payloadStart, this.payloadEnd, this.bytes, 0);
    if (o >= 0) o = dearmour(line, from2, to2, this.bytes, o);
    if (o < 0) return this.spoilt(-1 - o);
    this.finish(o, (this.payloadEnd - this.payloadStart + to2 - from2) * 6 - fill);
    this.overLength = this.long || long2;
    this.overLengths = (this.long ? 1 : 0) + (long2 ? 1 : 0);
    return true;
  }

  /** The last framed sentence's count and number, as hex digits (0x21: the first of two). */
  private fragment(): number {
    return (this.count << 4) | this.index;
  }

  /** Frames one sentence `!ccVDx,n,k,s,c,payload,f*hh` (n 1–9, k 1–n, payload not empty); false when it is not that. */
  private frame(line: Uint8Array, start: number, end: number): boolean {
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
    const f = line[a + 4]!;
    if ((f !== 0x4d && f !== 0x4f) || line[a + 5] !== COMMA) return false;
    // Fragment count and number, one digit each, then the sequential id (empty or one digit), the channel (empty or one of AB12C).
    let i = a + 6;
    const count = line[i]! - 0x30;
    const index = line[i + 2]! - 0x30;
    if (count < 1 || count > 9 || line[i + 1] !== COMMA || index < 1 || index > count || line[i + 3] !== COMMA) return false;
    i += 4;
    let seq = 0;
    if (line[i] !== COMMA) {
      seq = line[i]!;
      if (!isDigit(seq) || line[i + 1] !== COMMA) return false;
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
    this.count = count;
    this.index = index;
    this.address = (line[a]! << 16) | (line[a + 1]! << 8) | f;
    this.seq = seq;
    this.channel = channel;
    this.fill = fill;
    this.payloadStart = i;
    this.payloadEnd = payloadEnd;
    this.long = star + 3 - start > MAX_SENTENCE_LENGTH;
    return true;
  }

  /** `o` bytes written for a message of `bitLength` bits: fill bits, then whatever an earlier, longer message left, are zeroed. */
  private finish(o: number, bitLength: number): void {
    const out = this.bytes;
    if (accBits > 0) out[o++] = (acc << (8 - accBits)) & 0xff;
    let z = bitLength >> 3;
    const rem = bitLength & 7;
    if (rem !== 0) out[z++]! &= (0xff << (8 - rem)) & 0xff;
    for (; z < o; z++) out[z] = 0;
    if (this.used > o) out.fill(0, o, this.used);
    this.used = o;
    this.bitLength = bitLength;
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
