/**
 * Bounds-checked MSB-first bit access for AIS messages (ITU-R M.1371-5 Annex 8 §3.3: fields are sent MSB first).
 * The reader throws past the end instead of inventing zeros; the writer range-checks instead of masking.
 */
import { AisBitRangeError } from './errors.js';
import { TEXT_ALPHABET, TEXT_VALUE } from './sixbit.js';

export class BitReader {
  readonly bytes: Uint8Array;
  readonly bitLength: number;
  constructor(bytes: Uint8Array, bitLength: number = bytes.length * 8) {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes: expected Uint8Array');
    if (!Number.isInteger(bitLength) || bitLength < 0 || bitLength > bytes.length * 8) {
      throw new RangeError(`bitLength: expected 0..${bytes.length * 8}, got ${bitLength}`);
    }
    this.bytes = bytes;
    this.bitLength = bitLength;
  }

  /** Unsigned integer of `width` ≤ 48 bits at `start`. */
  u(start: number, width: number): number {
    const end = start + width;
    if (start < 0 || width < 0 || width > 48 || end > this.bitLength) throw new AisBitRangeError(start, width, this.bitLength);
    const bytes = this.bytes;
    let v = 0;
    let pos = start;
    while (pos < end) {
      const off = pos & 7;
      const take = Math.min(8 - off, end - pos);
      // Multiply rather than shift: widths above 31 bits would overflow JavaScript's 32-bit shifts.
      v = v * (1 << take) + ((bytes[pos >> 3]! >> (8 - off - take)) & ((1 << take) - 1));
      pos += take;
    }
    return v;
  }

  /** Two's-complement signed integer of `width` ≤ 48 bits at `start`. */
  i(start: number, width: number): number {
    const v = this.u(start, width);
    const half = 2 ** (width - 1);
    return v >= half ? v - 2 * half : v;
  }

  /** `chars` characters of ITU-R M.1371-5 Table 47 text, untrimmed. */
  text(start: number, chars: number): string {
    let s = '';
    for (let k = 0; k < chars; k++) s += TEXT_ALPHABET[this.u(start + 6 * k, 6)]!;
    return s;
  }

  /** `width` bits at `start`, left-aligned in fresh bytes (zero-padded to a whole byte). */
  slice(start: number, width: number): Uint8Array {
    if (start < 0 || width < 0 || start + width > this.bitLength) throw new AisBitRangeError(start, width, this.bitLength);
    const out = new Uint8Array((width + 7) >> 3);
    if ((start & 7) === 0) {
      out.set(this.bytes.subarray(start >> 3, (start >> 3) + out.length));
    } else {
      for (let k = 0; k < out.length; k++) {
        const bit = start + 8 * k;
        const avail = Math.min(8, this.bitLength - bit);
        out[k] = (this.u(bit, avail) << (8 - avail)) & 0xff;
      }
    }
    const rem = width & 7;
    if (rem !== 0) out[out.length - 1]! &= (0xff << (8 - rem)) & 0xff;
    return out;
  }
}

export class BitWriter {
  private buf: Uint8Array;
  private pos = 0;
  constructor(capacityBits = 1024) {
    this.buf = new Uint8Array((capacityBits + 7) >> 3);
  }

  get bitLength(): number {
    return this.pos;
  }

  /** Appends `value` as `width` unsigned bits; `RangeError` (naming `what`) if it does not fit. */
  u(value: number, width: number, what = 'value'): this {
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** width) {
      throw new RangeError(`${what}: expected integer 0..${2 ** width - 1}, got ${value}`);
    }
    this.ensure(width);
    for (let k = width - 1; k >= 0; k--) {
      const bit = Math.floor(value / 2 ** k) & 1;
      if (bit !== 0) this.buf[this.pos >> 3]! |= 0x80 >> (this.pos & 7);
      this.pos++;
    }
    return this;
  }

  /** Appends `value` as `width`-bit two's complement. */
  i(value: number, width: number, what = 'value'): this {
    const half = 2 ** (width - 1);
    if (!Number.isInteger(value) || value < -half || value >= half) {
      throw new RangeError(`${what}: expected integer ${-half}..${half - 1}, got ${value}`);
    }
    return this.u(value < 0 ? value + 2 * half : value, width, what);
  }

  /** Appends `text` as exactly `chars` Table 47 characters, padding with `@`. */
  text(text: string, chars: number, what = 'text'): this {
    if (typeof text !== 'string') throw new TypeError(`${what}: expected string`);
    if (text.length > chars) throw new RangeError(`${what}: at most ${chars} characters, got ${text.length}`);
    for (let k = 0; k < chars; k++) {
      const c = k < text.length ? text.charCodeAt(k) : 64;
      const v = c < 128 ? TEXT_VALUE[c]! : -1;
      if (v < 0) throw new RangeError(`${what}: character ${JSON.stringify(text.charAt(k))} is not in the AIS 6-bit alphabet`);
      this.u(v, 6, what);
    }
    return this;
  }

  /** Appends the first `width` bits of `bytes`. */
  bits(bytes: Uint8Array, width: number, what = 'data'): this {
    if (!(bytes instanceof Uint8Array)) throw new TypeError(`${what}: expected Uint8Array`);
    if (!Number.isInteger(width) || width < 0 || width > bytes.length * 8) {
      throw new RangeError(`${what}: bit count ${width} does not fit ${bytes.length} bytes`);
    }
    for (let k = 0; k < width; k++) this.u((bytes[k >> 3]! >> (7 - (k & 7))) & 1, 1, what);
    return this;
  }

  /** The written bits, left-aligned in a copy trimmed to whole bytes. */
  finish(): { bytes: Uint8Array; bitLength: number } {
    return { bytes: this.buf.slice(0, (this.pos + 7) >> 3), bitLength: this.pos };
  }

  private ensure(width: number): void {
    const need = (this.pos + width + 7) >> 3;
    if (need <= this.buf.length) return;
    const next = new Uint8Array(Math.max(need, this.buf.length * 2));
    next.set(this.buf);
    this.buf = next;
  }
}
