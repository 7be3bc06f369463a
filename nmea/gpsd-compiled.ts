/**
 * gpsd JSON text straight from a message's bits (gpsd `gpsd_json.c`; views in gpsd-views.ts, bit positions in
 * layouts.ts): for each message type, layout variant and scaling, a writer is generated once from the layout and the
 * view — every field read with its constant position and width, every legend and key pre-quoted — so decoding a log
 * builds no message object and no view object, only the output text. The text equals
 * `JSON.stringify(toGpsdJson(decodeAis(bits), options))` (test/nmea/gpsd-compiled.test.ts); a message a writer
 * does not cover (types 6, 8 and 24, `gpsdCompat` for 25/26, a tolerated short message, an undecodable one) gets
 * `undefined`, and the caller takes the object path, which also reports any error.
 *
 * Hand-written rather than fast-json-stringify: that library serialises objects, and the point here is to have none.
 */
import { REST, type FieldSpec, type Layout } from './_layout.js';
import { LEGENDS, type LegendName } from './_legends.js';
import { BitReader } from './bits.js';
import { jsonValue } from './gpsd-writer.js';
import { Scaler } from './gpsd-units.js';
import { VIEWS, type ViewItem } from './gpsd-views.js';
import { MESSAGES } from './layouts.js';
import { TEXT_ALPHABET } from './sixbit.js';

/** Longest message the codec accepts (ais.ts `MAX_MESSAGE_BITS`). */
const MAX_BITS = 1200;
/** Bytes a writer may read: the longest message, and every `zx` read past a short one, with zeros after. */
export const WRITER_BYTES = 160;

export type GpsdWriter = (b: Uint8Array, len: number) => string;

/** `width` bits at a variable `at` (tail fields, anchored to the message end). */
function u(b: Uint8Array, at: number, width: number): number {
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

/** Each text character as it appears inside a JSON string (Table 47 has `"` and `\`). */
const TEXT_JSON = [...TEXT_ALPHABET].map((c) => JSON.stringify(c).slice(1, -1));

/** gpsd.ts `gpsdText` of `chars` characters at `at`, JSON-escaped, without quotes. */
function text(b: Uint8Array, at: number, chars: number): string {
  let n = 0;
  while (n < chars && u(b, at + 6 * n, 6) !== 0) n++;
  while (n > 0 && u(b, at + 6 * (n - 1), 6) === 32) n--;
  let s = '';
  for (let k = 0; k < n; k++) s += TEXT_JSON[u(b, at + 6 * k, 6)];
  return s;
}

/** Message 21's name (gpsd.ts `toGpsdJson`): the extension is appended only to a full 20-character name. */
function aidName(b: Uint8Array, len: number): string {
  const values: number[] = [];
  for (let k = 0; k < 20; k++) {
    const v = u(b, 43 + 6 * k, 6);
    if (v === 0) break;
    values.push(v);
  }
  if (values.length === 20) {
    const chars = Math.floor((len - 272) / 6);
    for (let k = 0; k < chars; k++) {
      const v = u(b, 272 + 6 * k, 6);
      if (v === 0) break;
      values.push(v);
    }
  }
  let n = values.length;
  while (n > 0 && values[n - 1] === 32) n--;
  let s = '';
  for (let k = 0; k < n; k++) s += TEXT_JSON[values[k]!];
  return s;
}

const HEX = Array.from({ length: 256 }, (_, v) => v.toString(16).padStart(2, '0'));

/** gpsd's `"bits:hex"` of `count` bits at `at`, left-aligned in whole bytes, the bits after them zero. */
function data(b: Uint8Array, at: number, count: number): string {
  let s = `${count}:`;
  for (let k = 0; k < count; k += 8) {
    const take = Math.min(8, count - k);
    s += HEX[(u(b, at + k, take) << (8 - take)) & 0xff];
  }
  return s;
}

/** Code for the unsigned `width` bits at constant `start`: one term per byte touched, exact up to 48 bits. */
function readCode(start: number, width: number): string {
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

interface Ctx {
  readonly layout: Layout;
  readonly scaled: boolean;
  /** Values handed to the generated code by name. */
  readonly env: Map<string, unknown>;
}

function constant(ctx: Ctx, value: unknown): string {
  const name = `c${ctx.env.size}`;
  ctx.env.set(name, value);
  return name;
}

/** Code for a field's raw value (number, or boolean for `b`), or undefined when the layout lacks it. */
function fieldCode(ctx: Ctx, name: string): { code: string; spec: FieldSpec } | undefined {
  const spec = ctx.layout.fields.find((f) => f[0] === name);
  if (spec === undefined) return undefined;
  const [, start, width, kind] = spec;
  if (width === REST || start < 0) {
    if (kind === 't' || kind === 'd') return { code: '', spec };
    const at = `len - ${-start}`;
    return { code: kind === 'i' ? `signed(u(b, ${at}, ${width}), ${width})` : `u(b, ${at}, ${width})`, spec };
  }
  const raw = readCode(start, width);
  if (kind === 'b') return { code: `(${raw} === 1)`, spec };
  if (kind === 'i') return { code: `signed(${raw}, ${width})`, spec };
  return { code: raw, spec };
}

function signed(v: number, width: number): number {
  const half = 2 ** (width - 1);
  return v >= half ? v - 2 * half : v;
}

function legendTable(name: LegendName, width: number): string[] {
  const { values, otherwise } = LEGENDS[name];
  return Array.from({ length: 2 ** width }, (_, v) => JSON.stringify(values[v] ?? otherwise));
}

/** Code appending one view item to `s`, or '' when the item shows nothing for this layout. */
function itemCode(ctx: Ctx, item: ViewItem): string {
  const key = item[0];
  const put = (valueCode: string): string => `s += ${JSON.stringify(`,${JSON.stringify(key)}:`)} + ${valueCode};\n`;
  const scaledValue = (call: string): string => put(`jv(S.${call})`);
  const f = fieldCode(ctx, key);
  const need = (): { code: string; spec: FieldSpec } => {
    if (f === undefined) throw new Error(`view item ${key}: no such field`);
    return f;
  };
  switch (item[1]) {
    case undefined: {
      if (f === undefined) return '';
      const kind = f.spec[3];
      if (kind === 'b') return put(`(${f.code} ? 'true' : 'false')`);
      if (kind === 'u' || kind === 'e' || kind === 'i') return put(f.code);
      throw new Error(`view item ${key}: cannot show a ${kind} field as it is`);
    }
    case 'n':
      return put(f === undefined ? '0' : f.code);
    case 'text': {
      const [, start, width] = need().spec;
      const chars = width === REST ? `Math.floor((len - ${ctx.layout.tailBits} - ${start}) / 6)` : String(width / 6);
      return put(`'"' + text(b, ${start}, ${chars}) + '"'`);
    }
    case 'aidname':
      return put(`'"' + aidName(b, len) + '"'`);
    case 'legend': {
      const { code, spec } = need();
      const table = constant(ctx, legendTable(item[2] ?? (key as LegendName), spec[2]));
      return `{ const v = ${code}; s += ${JSON.stringify(`,${JSON.stringify(key)}:`)} + v + ${JSON.stringify(`,${JSON.stringify(`${key}_text`)}:`)} + ${table}[v]; }\n`;
    }
    case 'word': {
      const { code, spec } = need();
      return put(ctx.scaled ? `${constant(ctx, legendTable(item[2] as LegendName, spec[2]))}[${code}]` : code);
    }
    case 'turn':
      return ctx.scaled ? scaledValue(`turn(${need().code})`) : put(need().code);
    case 'tenth':
      return ctx.scaled ? scaledValue(`tenth(${need().code}, ${item[2] ?? 'undefined'})`) : put(need().code);
    case 'deg':
      return ctx.scaled ? scaledValue(`deg(${need().code}, ${item[2]}, ${item[3]})`) : put(need().code);
    case 'area':
      if (f === undefined) return '';
      return ctx.scaled ? scaledValue(`area(${f.code})`) : put(f.code);
    case 'stamp': {
      let code = `'"'`;
      let last = 0;
      const template = item[2] as string;
      for (const m of template.matchAll(/\{(\w+):(\d+)\}/g)) {
        code += ` + ${JSON.stringify(template.slice(last, m.index))} + String(${fieldCodeOf(ctx, m[1]!)}).padStart(${m[2]}, '0')`;
        last = m.index + m[0].length;
      }
      return put(`${code} + ${JSON.stringify(`${template.slice(last)}"`)}`);
    }
    case 'zx': {
      const [, , at, width, after] = item as readonly [string, 'zx', number, number, number?];
      const read = readCode(at, width);
      return put(after === undefined ? read : `(${after} < len ? ${read} : 0)`);
    }
    case 'data': {
      const spec = ctx.layout.fields.find((x) => x[0] === item[2]);
      if (spec === undefined) throw new Error(`view item ${key}: no field ${item[2]}`);
      const [, start, width] = spec;
      const count = width === REST ? `len - ${ctx.layout.tailBits} - ${start}` : String(width);
      return put(`'"' + data(b, ${start}, ${count}) + '"'`);
    }
  }
}

function fieldCodeOf(ctx: Ctx, name: string): string {
  const f = fieldCode(ctx, name);
  if (f === undefined) throw new Error(`stamp field ${name}: no such field`);
  return f.code;
}

/** Generates the writer of `view` for messages of `layout`. */
export function compileWriter(layout: Layout, view: readonly ViewItem[], scaled: boolean): GpsdWriter {
  const ctx: Ctx = { layout, scaled, env: new Map() };
  const header = ['type', 'repeat', 'mmsi'].map((k) => `${JSON.stringify(`${k === 'type' ? '{"class":"AIS",' : ','}${JSON.stringify(k)}:`)} + ${fieldCodeOf(ctx, k)}`);
  let body = `let s = ${header.join(' + ')} + ${JSON.stringify(`,"scaled":${scaled}`)};\n`;
  for (const item of view) body += itemCode(ctx, item);
  body += `return s + '}';`;
  const names = ['u', 'signed', 'text', 'aidName', 'data', 'jv', 'S', ...ctx.env.keys()];
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point of the module: a writer per layout
  const make = new Function(...names, `return function write(b, len) {\n${body}\n};`) as (...args: unknown[]) => GpsdWriter;
  return make(u, signed, text, aidName, data, jsonValue, new Scaler(scaled), ...ctx.env.values());
}

interface Variant {
  readonly layout: Layout;
  /** Messages shorter than this take the object path (a tolerated shortfall) or fail to decode. */
  readonly minBits: number;
  /** [unscaled, scaled], compiled on first use. */
  readonly writers: [GpsdWriter | undefined, GpsdWriter | undefined];
}

interface TypeWriters {
  /** The only layout, or undefined when a selector picks among variants. */
  readonly only: Variant | undefined;
  readonly select: (r: BitReader) => string | undefined;
  readonly variants: Readonly<Record<string, Variant>>;
}

const TYPES: (TypeWriters | undefined)[] = MESSAGES.map((def) => {
  if (def === undefined || VIEWS[def.type] === undefined) return undefined;
  const variants: Record<string, Variant> = {};
  for (const [key, layout] of Object.entries(def.layouts)) {
    const optional = layout.fields.some((f) => f[4] === 'opt');
    variants[key] = { layout, minBits: layout.hasRest || optional ? layout.minBits : layout.fixedBits, writers: [undefined, undefined] };
  }
  const keys = Object.keys(variants);
  return { only: keys.length === 1 ? variants[keys[0]!] : undefined, select: def.select.bits, variants };
});

/** Types whose view reads differently under gpsd 3.22's compatibility (gpsd.ts `gpsdCompat`). */
const COMPAT_SENSITIVE = new Set([25, 26]);

/**
 * gpsd's JSON text of the message in `b` (`len` bits; the bytes after them zero up to `WRITER_BYTES`), or undefined
 * when no writer covers it.
 */
export function compiledGpsdText(b: Uint8Array, len: number, scaled: boolean, gpsdCompat = false): string | undefined {
  if (len < 38 || len > MAX_BITS) return undefined;
  const type = b[0]! >> 2;
  const t = TYPES[type];
  if (t === undefined || (gpsdCompat && COMPAT_SENSITIVE.has(type))) return undefined;
  let v = t.only;
  if (v === undefined) {
    const key = t.select(new BitReader(b, len));
    if (key === undefined || !Object.hasOwn(t.variants, key)) return undefined;
    v = t.variants[key]!;
  }
  if (len < v.minBits) return undefined;
  const k = scaled ? 1 : 0;
  const w = v.writers[k] ?? (v.writers[k] = compileWriter(v.layout, VIEWS[type]!, scaled));
  return w(b, len);
}

const scratch = new Uint8Array(WRITER_BYTES);

/** `compiledGpsdText` of a message's bits (copied, so its bytes need no room or zeros after it). */
export function compiledGpsdTextOf(bytes: Uint8Array, bitLength: number, scaled: boolean, gpsdCompat = false): string | undefined {
  if (bitLength > MAX_BITS || bytes.length < (bitLength + 7) >> 3) return undefined;
  scratch.fill(0);
  scratch.set(bytes.subarray(0, (bitLength + 7) >> 3));
  const rem = bitLength & 7;
  if (rem !== 0) scratch[bitLength >> 3]! &= (0xff << (8 - rem)) & 0xff;
  return compiledGpsdText(scratch, bitLength, scaled, gpsdCompat);
}
