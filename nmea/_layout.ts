/**
 * The interpreter for declarative AIS field tables (STYLE.md guideline 6). A table lists
 * `[name, start, width, kind, flag?]` with gpsd's field kinds:
 *   u unsigned · i signed (two's complement) · b boolean (1 bit) · e enumeration (unsigned, legend in a view)
 *   x spare (not exposed; zero on encode) · t 6-bit text (ITU-R M.1371-5 Table 47) · d raw bits
 * A `t` or `d` field of width `REST` takes what is left of the message; fields after it are anchored to the end
 * (negative start). `opt` fields are present only if the message is long enough; once one is absent the rest are.
 * Starts are checked contiguous when a table is compiled, so a typo in a table fails at load, not on air.
 */
import { BitReader, BitWriter } from './bits.js';
import { AisLengthError } from './errors.js';

export type FieldKind = 'u' | 'i' | 'b' | 'e' | 'x' | 't' | 'd';
export const REST = -1;
export type FieldSpec = readonly [name: string, start: number, width: number, kind: FieldKind, flag?: 'opt'];

/** Values a decoded field can take. `d` fields yield `name` (bytes) and `nameBits` (their bit count). */
export type FieldValue = number | boolean | string | Uint8Array;
export type Fields = Record<string, FieldValue>;

export interface Layout {
  readonly fields: readonly FieldSpec[];
  /** Bits of the fixed fields (all fields when there is no REST field); also the encoded length for fixed layouts. */
  readonly fixedBits: number;
  /** Shortest message accepted: fixed part minus the tolerated shortfall, or up to the first optional field. */
  readonly minBits: number;
  readonly hasRest: boolean;
  /** Bits of the fields anchored to the end of the message, after a REST field. */
  readonly tailBits: number;
  /** Pad encoded messages to a byte boundary (M.1371-5 defines trailing spares for this in variable messages). */
  readonly padToByte: boolean;
}

export interface LayoutOptions {
  /**
   * Bits a received message may fall short of the fixed length and still decode, the missing tail read as zero.
   * Only for documented transmitter faults (gpsd AIVDM.adoc "Interaction with AIVDM padding").
   */
  readonly shortfall?: number;
  readonly padToByte?: boolean;
}

export function compileLayout(what: string, fields: readonly FieldSpec[], options: LayoutOptions = {}): Layout {
  let pos = 0;
  let restAt = -1;
  let firstOpt = -1;
  let tailBits = 0;
  fields.forEach(([name, start, width, kind, flag], idx) => {
    const where = `${what}.${name}`;
    if (width === REST) {
      if (kind !== 't' && kind !== 'd') throw new Error(`${where}: only t and d fields may take the rest`);
      if (restAt >= 0) throw new Error(`${where}: second REST field`);
      if (start !== pos) throw new Error(`${where}: starts at ${start}, previous field ends at ${pos}`);
      restAt = idx;
      return;
    }
    if (!Number.isInteger(width) || width <= 0) throw new Error(`${where}: bad width ${width}`);
    if ((kind === 'u' || kind === 'i' || kind === 'e') && width > 48) throw new Error(`${where}: integer of ${width} bits`);
    if (kind === 'b' && width !== 1) throw new Error(`${where}: boolean of width ${width}`);
    if (kind === 't' && width % 6 !== 0) throw new Error(`${where}: text width ${width} not a multiple of 6`);
    if (restAt >= 0) {
      if (start >= 0) throw new Error(`${where}: field after REST must be anchored to the end`);
      tailBits += width;
      return;
    }
    if (start !== pos) throw new Error(`${where}: starts at ${start}, previous field ends at ${pos}`);
    if (flag === 'opt' && firstOpt < 0) firstOpt = pos;
    if (flag !== 'opt' && firstOpt >= 0 && kind !== 'x') throw new Error(`${where}: required field after an optional one`);
    pos += width;
  });
  if (restAt >= 0) {
    // The tail fields must end exactly at the end of the message.
    let end = 0;
    for (let k = fields.length - 1; k > restAt; k--) {
      const [name, start, width] = fields[k]!;
      end -= width;
      if (start !== end) throw new Error(`${what}.${name}: tail field starts at ${start}, expected ${end}`);
    }
  }
  const fixedBits = pos + tailBits;
  const shortfall = options.shortfall ?? 0;
  return {
    fields,
    fixedBits,
    minBits: firstOpt >= 0 ? firstOpt : fixedBits - shortfall,
    hasRest: restAt >= 0,
    tailBits,
    padToByte: options.padToByte ?? false,
  };
}

/**
 * Decodes `layout` from `r` into `out`, the table's starts shifted by `offset` bits (for repeated elements).
 * The caller has checked `r.bitLength >= layout.minBits`.
 */
export function decodeFields(layout: Layout, r: BitReader, out: Fields, type: number, offset = 0): void {
  const len = r.bitLength;
  const tail = layout.tailBits;
  for (const [name, start, width, kind, flag] of layout.fields) {
    const at = start < 0 ? len + start : start + offset;
    if (width === REST) {
      const w = len - tail - start;
      if (w < 0) throw new AisLengthError(type, len, `at least ${start + tail} bits`);
      if (kind === 't') out[name] = r.text(start, Math.floor(w / 6));
      else {
        out[name] = r.slice(start, w);
        out[`${name}Bits`] = w;
      }
      continue;
    }
    if (at + width > len) {
      if (flag === 'opt') break;
      throw new AisLengthError(type, len, `at least ${at + width} bits`);
    }
    switch (kind) {
      case 'u':
      case 'e':
        out[name] = r.u(at, width);
        break;
      case 'i':
        out[name] = r.i(at, width);
        break;
      case 'b':
        out[name] = r.u(at, 1) === 1;
        break;
      case 't':
        out[name] = r.text(at, width / 6);
        break;
      case 'd':
        out[name] = r.slice(at, width);
        out[`${name}Bits`] = width;
        break;
      case 'x':
        break;
    }
  }
}

/** Encodes `layout` from `m` onto `w`; `RangeError`/`TypeError` name the offending field. */
export function encodeFields(layout: Layout, m: Readonly<Record<string, unknown>>, w: BitWriter, what: string): void {
  const fields = layout.fields;
  let stopped = false;
  for (let k = 0; k < fields.length; k++) {
    const [name, , width, kind, flag] = fields[k]!;
    const where = `${what}.${name}`;
    if (kind === 'x') {
      // A spare is sent when the field after it is, or when it closes the layout.
      const next = fields.slice(k + 1).find((f) => f[3] !== 'x');
      if (!stopped && (next === undefined || m[next[0]] !== undefined || next[4] !== 'opt')) w.u(0, width, where);
      continue;
    }
    const v = m[name];
    if (v === undefined) {
      if (flag === 'opt') {
        stopped = true;
        continue;
      }
      throw new TypeError(`${where}: missing`);
    }
    if (stopped) throw new RangeError(`${where}: present after an absent optional field`);
    switch (kind) {
      case 'u':
      case 'e':
        w.u(num(v, where), width, where);
        break;
      case 'i':
        w.i(num(v, where), width, where);
        break;
      case 'b':
        if (typeof v !== 'boolean') throw new TypeError(`${where}: expected boolean`);
        w.u(v ? 1 : 0, 1, where);
        break;
      case 't':
        if (typeof v !== 'string') throw new TypeError(`${where}: expected string`);
        w.text(v, width === REST ? v.length : width / 6, where);
        break;
      case 'd': {
        if (!(v instanceof Uint8Array)) throw new TypeError(`${where}: expected Uint8Array`);
        const bits = m[`${name}Bits`];
        const n = bits === undefined ? v.length * 8 : num(bits, `${where}Bits`);
        if (width !== REST && n !== width) throw new RangeError(`${where}Bits: expected ${width}, got ${n}`);
        w.bits(v, n, where);
        break;
      }
    }
  }
  if (layout.padToByte && (w.bitLength & 7) !== 0) w.u(0, 8 - (w.bitLength & 7), `${what} padding`);
}

function num(v: unknown, where: string): number {
  if (typeof v !== 'number') throw new TypeError(`${where}: expected number, got ${typeof v}`);
  return v;
}
