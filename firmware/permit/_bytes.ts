/** Internal: a bounds-checked big-endian reader and a growing writer for the permit codecs. */

import { uintBE } from '../../crypto/index.js';

// Constant-time comparison of MACs and ids: noble's.
export { equalBytes } from '@noble/ciphers/utils.js';

/** Thrown by the reader past the end; the codecs turn it into a PERMIT_FORMAT error. */
export class TruncatedError extends Error {
  override readonly name = 'TruncatedError';
}

export class Reader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}
  get offset(): number {
    return this.pos;
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }
  bytes(n: number): Uint8Array {
    if (n > this.remaining) throw new TruncatedError(`need ${n} bytes at ${this.pos}, have ${this.remaining}`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  u8(): number {
    return this.bytes(1)[0]!;
  }
  u16(): number {
    const b = this.bytes(2);
    return (b[0]! << 8) | b[1]!;
  }
  u32(): number {
    const b = this.bytes(4);
    return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  }
  /** Seconds since 1970 as u48 (enough until year 8.9 million, exact in a JS number). */
  u48(): number {
    return this.u16() * 2 ** 32 + this.u32();
  }
}

export class Writer {
  private readonly parts: Uint8Array[] = [];
  bytes(b: Uint8Array): this {
    this.parts.push(b.slice());
    return this;
  }
  u8(n: number): this {
    return this.bytes(new Uint8Array([check(n, 0xff)]));
  }
  u16(n: number): this {
    return this.bytes(uintBE(check(n, 0xffff), 2));
  }
  u32(n: number): this {
    return this.bytes(uintBE(check(n, 0xffffffff), 4));
  }
  u48(n: number): this {
    return this.bytes(uintBE(check(n, 2 ** 48 - 1), 6));
  }
  /** u8 length then bytes. */
  short(b: Uint8Array): this {
    return this.u8(b.length).bytes(b);
  }
  /** u16 length then bytes. */
  long(b: Uint8Array): this {
    return this.u16(b.length).bytes(b);
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

function check(n: number, max: number): number {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new RangeError(`integer ${n} out of range 0..${max}`);
  return n;
}

