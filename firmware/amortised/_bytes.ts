/** Small byte helpers shared by the amortised codecs; nobody outside firmware/amortised imports them. */
// Concatenation, UTF-8 and the constant-time comparison (tags are secrets until their key is out) come from noble.
export { equalBytes } from '@noble/ciphers/utils.js';
export { concatBytes, utf8ToBytes as utf8 } from '@noble/hashes/utils.js';

export function u32be(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`u32 out of range: ${n}`);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, false);
  return out;
}

export function abytes(value: unknown, name: string, ...lengths: number[]): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name}: expected Uint8Array`);
  if (lengths.length > 0 && !lengths.includes(value.length)) {
    throw new RangeError(`${name}: expected length ${lengths.join('|')}, got ${value.length}`);
  }
  return value;
}

export function aint(value: number, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name}: expected integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}
