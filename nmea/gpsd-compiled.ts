/**
 * gpsd JSON text straight from a message's bits (gpsd `gpsd_json.c`; views in gpsd-views.ts, bit positions in
 * layouts.ts): for each message type, layout variant and scaling, a writer is generated once from the layout and the
 * view — every field read with its constant position and width, every legend and key pre-quoted — so decoding a log
 * builds no message object and no view object, only the output text. The text equals
 * `JSON.stringify(toGpsdJson(decodeAis(bits), options))` (test/nmea/gpsd-compiled.test.ts); messages 6 and 8 are
 * written by gpsd-compiled-asm.ts. A message a writer does not cover (type 24, `gpsdCompat` for 25/26, a tolerated
 * short message, an undecodable one, those gpsd-compiled-asm.ts declines) gets `undefined`, and the caller takes
 * the object path, which also reports any error.
 *
 * Hand-written rather than fast-json-stringify: that library serialises objects, and the point here is to have none.
 */
import { REST, type FieldSpec, type Layout } from './_layout.js';
import type { LegendName } from './_legends.js';
import { put, readCode, TEXT_JSON, u, WriterCode, type Writer } from './_gpsd-bytes.js';
import { BitReader } from './bits.js';
import { writeCompiledAsm } from './gpsd-compiled-asm.js';
import { VIEWS, type ViewItem } from './gpsd-views.js';
import { MESSAGES } from './layouts.js';

/** Longest message the codec accepts (ais.ts `MAX_MESSAGE_BITS`). */
const MAX_BITS = 1200;
/** Bytes a writer may read: the longest message, and every `zx` read past a short one, with zeros after. */
export const WRITER_BYTES = 160;

/** Message 21's name (gpsd.ts `toGpsdJson`): the extension is appended only to a full 20-character name. */
function aidName(o: Uint8Array, p: number, b: Uint8Array, len: number): number {
  let name = 0;
  while (name < 20 && u(b, 43 + 6 * name, 6) !== 0) name++;
  let ext = 0;
  if (name === 20) {
    const chars = Math.floor((len - 272) / 6);
    while (ext < chars && u(b, 272 + 6 * ext, 6) !== 0) ext++;
  }
  // Character k of name and extension together; no array, as this runs for every message 21.
  const at = (k: number): number => (k < name ? 43 + 6 * k : 272 + 6 * (k - name));
  let n = name + ext;
  while (n > 0 && u(b, at(n - 1), 6) === 32) n--;
  for (let k = 0; k < n; k++) p = put(o, p, TEXT_JSON[u(b, at(k), 6)]!);
  return p;
}

interface Ctx {
  readonly layout: Layout;
  readonly scaled: boolean;
  readonly gen: WriterCode;
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


/** Code writing one view item, or '' when the item shows nothing for this layout. */
function itemCode(ctx: Ctx, item: ViewItem): string {
  const key = item[0];
  const label = ctx.gen.literal(`,${JSON.stringify(key)}:`);
  const scaledValue = (call: string): string => `${label}p = ascii(o, p, jv(S.${call}));\n`;
  const number = (f: { code: string; spec: FieldSpec }): string => `p = ${f.spec[3] === 'i' ? 'int' : 'uint'}(o, p, ${f.code});\n`;
  const f = fieldCode(ctx, key);
  const need = (): { code: string; spec: FieldSpec } => {
    if (f === undefined) throw new Error(`view item ${key}: no such field`);
    return f;
  };
  const quote = (code: string): string => `${label}o[p++] = 34;\n${code}o[p++] = 34;\n`;
  switch (item[1]) {
    case undefined: {
      if (f === undefined) return '';
      const kind = f.spec[3];
      if (kind === 'b') return `${label}p = put(o, p, ${f.code} ? TRUE : FALSE);\n`;
      if (kind === 'u' || kind === 'e' || kind === 'i') return label + number(f);
      throw new Error(`view item ${key}: cannot show a ${kind} field as it is`);
    }
    case 'n':
      return f === undefined ? `${label}o[p++] = 48;\n` : label + number(f);
    case 'text': {
      const [, start, width] = need().spec;
      const chars = width === REST ? `Math.floor((len - ${ctx.layout.tailBits} - ${start}) / 6)` : String(width / 6);
      return quote(`p = text(o, p, b, ${start}, ${chars});\n`);
    }
    case 'aidname':
      return quote('p = aidName(o, p, b, len);\n');
    case 'legend': {
      const { code, spec } = need();
      const legend = ctx.gen.legend(item[2] ?? (key as LegendName), spec[2], 'v');
      return `{ const v = ${code};\n${label}p = uint(o, p, v);\n${ctx.gen.literal(`,${JSON.stringify(`${key}_text`)}:`)}p = put(o, p, ${legend}); }\n`;
    }
    case 'word': {
      const f = need();
      return ctx.scaled ? `${label}p = put(o, p, ${ctx.gen.legend(item[2] as LegendName, f.spec[2], f.code)});\n` : label + number(f);
    }
    case 'turn':
      return ctx.scaled ? scaledValue(`turn(${need().code})`) : label + number(need());
    case 'tenth':
      return ctx.scaled ? scaledValue(`tenth(${need().code}, ${item[2] ?? 'undefined'})`) : label + number(need());
    case 'deg':
      return ctx.scaled ? scaledValue(`deg(${need().code}, ${item[2]}, ${item[3]})`) : label + number(need());
    case 'area':
      if (f === undefined) return '';
      return ctx.scaled ? scaledValue(`area(${f.code})`) : label + number(f);
    case 'stamp': {
      let code = '';
      let last = 0;
      const template = item[2] as string;
      for (const m of template.matchAll(/\{(\w+):(\d+)\}/g)) {
        if (m.index > last) code += ctx.gen.literal(template.slice(last, m.index));
        code += `p = pad(o, p, ${fieldCodeOf(ctx, m[1]!)}, ${m[2]});\n`;
        last = m.index + m[0].length;
      }
      if (last < template.length) code += ctx.gen.literal(template.slice(last));
      return quote(code);
    }
    case 'zx': {
      const [, , at, width, after] = item as readonly [string, 'zx', number, number, number?];
      const read = readCode(at, width);
      return `${label}p = uint(o, p, ${after === undefined ? read : `(${after} < len ? ${read} : 0)`});\n`;
    }
    case 'data': {
      const spec = ctx.layout.fields.find((x) => x[0] === item[2]);
      if (spec === undefined) throw new Error(`view item ${key}: no field ${item[2]}`);
      const [, start, width] = spec;
      const count = width === REST ? `len - ${ctx.layout.tailBits} - ${start}` : String(width);
      return quote(`p = data(o, p, b, ${start}, ${count});\n`);
    }
  }
}

function fieldCodeOf(ctx: Ctx, name: string): string {
  const f = fieldCode(ctx, name);
  if (f === undefined) throw new Error(`stamp field ${name}: no such field`);
  return f.code;
}

/** Room a writer may need: the longest covered message's JSON (1200 bits of data as hex, or 6-bit text) and keys. */
export const MAX_TEXT_BYTES = 4096;

/** Generates the writer of `view` for messages of `layout`. */
export function compileWriter(layout: Layout, view: readonly ViewItem[], scaled: boolean): Writer {
  const ctx: Ctx = { layout, scaled, gen: new WriterCode(scaled) };
  let body = '';
  for (const k of ['type', 'repeat', 'mmsi']) body += ctx.gen.literal(`${k === 'type' ? '{"class":"AIS",' : ','}${JSON.stringify(k)}:`) + `p = uint(o, p, ${fieldCodeOf(ctx, k)});\n`;
  body += ctx.gen.literal(`,"scaled":${scaled}`);
  for (const item of view) body += itemCode(ctx, item);
  body += 'o[p++] = 125;\nreturn p;';
  return ctx.gen.compile(body, { aidName });
}

interface Variant {
  readonly layout: Layout;
  /** Messages shorter than this take the object path (a tolerated shortfall) or fail to decode. */
  readonly minBits: number;
  /** [unscaled, scaled], compiled on first use. */
  readonly writers: [Writer | undefined, Writer | undefined];
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
 * Writes gpsd's JSON text of the message in `b` (`len` bits; the bytes after them zero up to `WRITER_BYTES`) into
 * `o` at `p` (`MAX_TEXT_BYTES` free) and returns the position after it, or -1 when no writer covers the message.
 */
export function writeCompiledGpsd(b: Uint8Array, len: number, scaled: boolean, gpsdCompat: boolean, o: Uint8Array, p: number): number {
  if (len < 38 || len > MAX_BITS) return -1;
  const type = b[0]! >> 2;
  if (type === 6 || type === 8) return writeCompiledAsm(type, b, len, scaled, gpsdCompat, o, p);
  const t = TYPES[type];
  if (t === undefined || (gpsdCompat && COMPAT_SENSITIVE.has(type))) return -1;
  let v = t.only;
  if (v === undefined) {
    const key = t.select(new BitReader(b, len));
    if (key === undefined || !Object.hasOwn(t.variants, key)) return -1;
    v = t.variants[key]!;
  }
  if (len < v.minBits) return -1;
  const k = scaled ? 1 : 0;
  const w = v.writers[k] ?? (v.writers[k] = compileWriter(v.layout, VIEWS[type]!, scaled));
  return w(b, len, o, p);
}

const scratch = new Uint8Array(WRITER_BYTES);

/** `writeCompiledGpsd` of a message's bits, copied first, so its bytes need no room or zeros after it. */
export function writeCompiledGpsdOf(bytes: Uint8Array, bitLength: number, scaled: boolean, gpsdCompat: boolean, o: Uint8Array, p: number): number {
  if (bitLength > MAX_BITS || bytes.length < (bitLength + 7) >> 3) return -1;
  scratch.fill(0);
  scratch.set(bytes.subarray(0, (bitLength + 7) >> 3));
  const rem = bitLength & 7;
  if (rem !== 0) scratch[bitLength >> 3]! &= (0xff << (8 - rem)) & 0xff;
  return writeCompiledGpsd(scratch, bitLength, scaled, gpsdCompat, o, p);
}

const textBuffer = Buffer.alloc(MAX_TEXT_BYTES);

/** The same text as a string (gpsd.ts `gpsdJsonText`), or undefined when no writer covers the message. */
export function compiledGpsdTextOf(bytes: Uint8Array, bitLength: number, scaled: boolean, gpsdCompat = false): string | undefined {
  const end = writeCompiledGpsdOf(bytes, bitLength, scaled, gpsdCompat, textBuffer, 0);
  return end < 0 ? undefined : textBuffer.toString('utf8', 0, end);
}
