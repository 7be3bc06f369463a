/**
 * The byte-level pieces of the generated gpsd JSON writers (gpsd-compiled.ts, gpsd-compiled-asm.ts): bit reads,
 * decimal digits, 6-bit text and raw data written straight into the output bytes; the code for a constant bit read;
 * and the assembly of a writer from its code and constants (`WriterCode`). Hand-written: no library writes JSON text from bit fields without building objects first.
 */
import { LEGENDS, type LegendName } from './_legends.js';
import { jsonValue } from './gpsd-writer.js';
import { round, Scaler } from './gpsd-units.js';
import { TEXT_ALPHABET } from './sixbit.js';

/** `width` bits at a variable `at` (tail fields, anchored to the message end). */
export function u(b: Uint8Array, at: number, width: number): number {
  let v = 0;
  const end = at + width;
  for (let pos = at; pos < end; ) {
    const off = pos & 7;
    const take = Math.min(8 - off, end - pos);
    v = v * (1 << take) + ((b[pos >> 3]! >> (8 - off - take)) & ((1 << take) - 1));
    pos += take;
  }
  return v;
}

export const enc = (text: string): Uint8Array => Buffer.from(text, 'utf8');

/** Each text character as it appears inside a JSON string (Table 47 has `"` and `\\`), as bytes. */
export const TEXT_JSON = [...TEXT_ALPHABET].map((c) => enc(JSON.stringify(c).slice(1, -1)));

/** Copies `src` to `o` at `p`; returns the position after it. A loop: the constants are a few bytes long. */
export function put(o: Uint8Array, p: number, src: Uint8Array): number {
  for (let k = 0; k < src.length; k++) o[p + k] = src[k]!;
  return p + src.length;
}

/** Decimal digits of a non-negative integer below 2^53. */
export function uint(o: Uint8Array, p: number, v: number): number {
  let digits = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
  let e = p + digits;
  const end = e;
  do {
    const q = Math.floor(v / 10);
    o[--e] = 48 + v - 10 * q;
    v = q;
  } while (v > 0);
  return end;
}

/** Decimal digits of an integer, with `-` when negative. */
export function int(o: Uint8Array, p: number, v: number): number {
  if (v >= 0) return uint(o, p, v);
  o[p] = 45;
  return uint(o, p + 1, -v);
}

/** `v` zero-padded to `width` digits. */
export function pad(o: Uint8Array, p: number, v: number, width: number): number {
  let digits = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
  for (; digits < width; digits++) o[p++] = 48;
  return uint(o, p, v);
}

/** An ASCII string (a scaled value's JSON). */
export function ascii(o: Uint8Array, p: number, s: string): number {
  for (let k = 0; k < s.length; k++) o[p + k] = s.charCodeAt(k);
  return p + s.length;
}

/** gpsd.ts `gpsdText` of `chars` characters at `at`, JSON-escaped, without quotes. */
export function text(o: Uint8Array, p: number, b: Uint8Array, at: number, chars: number): number {
  let n = 0;
  while (n < chars && u(b, at + 6 * n, 6) !== 0) n++;
  while (n > 0 && u(b, at + 6 * (n - 1), 6) === 32) n--;
  for (let k = 0; k < n; k++) p = put(o, p, TEXT_JSON[u(b, at + 6 * k, 6)]!);
  return p;
}

export const HEX = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));

/** gpsd's `bits:hex` of `count` bits at `at`, left-aligned in whole bytes, the bits after them zero. */
export function data(o: Uint8Array, p: number, b: Uint8Array, at: number, count: number): number {
  p = uint(o, p, count);
  o[p++] = 58;
  for (let k = 0; k < count; k += 8) {
    const take = Math.min(8, count - k);
    const byte = (u(b, at + k, take) << (8 - take)) & 0xff;
    o[p++] = HEX[byte >> 4]!;
    o[p++] = HEX[byte & 15]!;
  }
  return p;
}

/** Code for the unsigned `width` bits at constant `start`: one term per byte touched, exact up to 48 bits. */
export function readCode(start: number, width: number): string {
  let code = '0';
  for (let pos = start, end = start + width; pos < end; ) {
    const off = pos & 7;
    const take = Math.min(8 - off, end - pos);
    const shift = 8 - off - take;
    const mask = (1 << take) - 1;
    const byte = `b[${pos >> 3}]`;
    const term = shift === 0 ? (mask === 255 ? byte : `(${byte} & ${mask})`) : `((${byte} >> ${shift}) & ${mask})`;
    code = code === '0' ? term : `(${code} * ${1 << take} + ${term})`;
    pos += take;
  }
  return code;
}

export function signed(v: number, width: number): number {
  const half = 2 ** (width - 1);
  return v >= half ? v - 2 * half : v;
}

/**
 * What one generated writer is made of: the constants it closes over, by name, and the code that uses them. Both
 * generators (gpsd-compiled.ts for the message layouts, gpsd-compiled-asm.ts for the payload tables) build on it.
 */
export class WriterCode {
  private readonly env = new Map<string, unknown>();
  constructor(readonly scaled: boolean) {}

  /** A name in the writer for `value`. */
  constant(value: unknown): string {
    const name = `c${this.env.size}`;
    this.env.set(name, value);
    return name;
  }

  /** Code writing the constant `text` at `p`. */
  literal(text: string): string {
    return `p = put(o, p, ${this.constant(enc(text))});\n`;
  }

  /**
   * Code for the JSON text (bytes) of the legend `name` of the value `v` (code) of a `width`-bit field: a table of
   * every value where the field is narrow; where it is wide (a 30-bit signal status) a table of the named values,
   * the rest `otherwise`.
   */
  legend(name: LegendName, width: number, v: string): string {
    const { values, otherwise } = LEGENDS[name];
    if (width <= DENSE_LEGEND_BITS) return `${this.constant(Array.from({ length: 2 ** width }, (_, k) => enc(JSON.stringify(values[k] ?? otherwise))))}[${v}]`;
    const size = Math.max(-1, ...Object.keys(values).map(Number)) + 1;
    const table = this.constant(Array.from({ length: size }, (_, k) => enc(JSON.stringify(values[k] ?? otherwise))));
    return `(${table}[${v}] ?? ${this.constant(enc(JSON.stringify(otherwise)))})`;
  }

  /** The writer: `body` over the message bits `b` (`len` bits) into `o` from `p`, the shared helpers and `extra` in scope. */
  compile(body: string, extra: Readonly<Record<string, unknown>> = {}): Writer {
    const helpers = { u, signed, put, uint, int, pad, ascii, text, data, round, jv: jsonValue, S: new Scaler(this.scaled), TRUE, FALSE, ...extra };
    const names = [...Object.keys(helpers), ...this.env.keys()];
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point of the generators: a writer per layout
    const make = new Function(...names, `return function write(b, len, o, p) {\n${body}\n};`) as (...args: unknown[]) => Writer;
    return make(...Object.values(helpers), ...this.env.values());
  }
}

/** Writes one message's JSON (without line break) into `o` from `p`, the bits in `b`; returns the position after it. */
export type Writer = (b: Uint8Array, len: number, o: Uint8Array, p: number) => number;

/** Fields up to this width get a legend table of every value (256 entries at most). */
const DENSE_LEGEND_BITS = 8;
const TRUE = enc('true');
const FALSE = enc('false');
