/**
 * gpsd JSON text of messages 6 and 8 straight from their bits: the header, then either the payload table's view
 * (asm.ts `JsonSpec`) or the raw data as gpsd prints it. As gpsd-compiled.ts does for the other types, a writer is
 * generated once per table and scaling, every field read at its constant position; the text equals gpsd.ts's object
 * path (`binary`, `jsonView`) byte for byte (test/nmea/gpsd-compiled-asm.test.ts). A message the writers would
 * have to guess at is declined (-1) and takes the object path: gpsd 3.22's count of tidal windows under
 * `gpsdCompat`, and a counted group that runs past the end of the message.
 */
import { BitReader } from './bits.js';
import { REST, decodeFields, type FieldSpec, type Fields, type Layout } from './_layout.js';
import { LEGENDS, type LegendName } from './_legends.js';
import { findAsm, type AsmDef, type JsonSpec } from './asm.js';
import { enc, readCode, u, WriterCode, type Writer } from './_gpsd-bytes.js';

/** Where the application data begins, after DAC and FI. */
const DATA_AT = { 6: 88, 8: 56 } as const;



/** The header gpsd prints for a message 6 or 8 (gpsd.ts `toGpsdJson`). */
function headerCode(ctx: WriterCode, type: 6 | 8): string {
  let code = ctx.literal(`{"class":"AIS","type":${type},"repeat":`) + `p = uint(o, p, ${readCode(6, 2)});\n`;
  code += ctx.literal(',"mmsi":') + `p = uint(o, p, ${readCode(8, 30)});\n`;
  code += ctx.literal(`,"scaled":${ctx.scaled}`);
  if (type === 6) {
    code += ctx.literal(',"seqno":') + `p = uint(o, p, ${readCode(38, 2)});\n`;
    code += ctx.literal(',"dest_mmsi":') + `p = uint(o, p, ${readCode(40, 30)});\n`;
    code += ctx.literal(',"retransmit":') + `p = put(o, p, ${readCode(70, 1)} === 1 ? TRUE : FALSE);\n`;
  }
  const at = DATA_AT[type];
  code += ctx.literal(',"dac":') + `p = uint(o, p, ${readCode(at - 16, 10)});\n`;
  code += ctx.literal(',"fid":') + `p = uint(o, p, ${readCode(at - 6, 6)});\n`;
  return code;
}

/**
 * Code writing one JsonSpec item of `layout`; `first` leaves out the comma before the key. Top-level fields are
 * read at constant positions; an element's (`element`) by `u` at `at`, the element's offset, plus their start.
 */
function itemCode(ctx: WriterCode, def: AsmDef, layout: Layout, item: JsonSpec, first: boolean, element: boolean): string {
  const key = item[0];
  const where = `asm${def.type}.${def.dac}.${def.fid} ${key}`;
  const label = ctx.literal(`${first ? '' : ','}${JSON.stringify(key)}:`);
  const spec = (name: string): FieldSpec => {
    const f = layout.fields.find((x) => x[0] === name);
    if (f === undefined || f[4] === 'opt' || f[1] < 0) throw new Error(`${where}: ${name} is not a field the writers read`);
    return f;
  };
  const pos = (start: number): string => (element ? `at + ${start}` : String(start));
  const read = (name: string): string => {
    const [, start, width, kind] = spec(name);
    if (width === REST) throw new Error(`${where}: ${name} has no fixed width`);
    const raw = element ? `u(b, at + ${start}, ${width})` : readCode(start, width);
    return kind === 'i' ? `signed(${raw}, ${width})` : raw;
  };
  const number = (name: string): string => `${label}p = ${spec(name)[3] === 'i' ? 'int' : 'uint'}(o, p, ${read(name)});\n`;
  const scaledValue = (call: string): string => `${label}p = ascii(o, p, jv(${call}));\n`;
  const legendText = (legend: LegendName, v: string): string => ctx.legend(legend, spec(key)[2], v);
  switch (item[1]) {
    case undefined: {
      const [, start, width, kind] = spec(key);
      if (kind === 'b') return `${label}p = put(o, p, ${read(key)} === 1 ? TRUE : FALSE);\n`;
      if (kind === 't') {
        // A trailing text runs to the end of the message, or of the table if the message is shorter (asm.ts).
        const chars = width === REST ? `Math.floor((Math.max(len, ${layout.fixedBits}) - ${start}) / 6)` : String(width / 6);
        return `${label}o[p++] = 34;\np = text(o, p, b, ${pos(start)}, ${chars});\no[p++] = 34;\n`;
      }
      if (kind === 'u' || kind === 'e' || kind === 'i') return number(key);
      throw new Error(`${where}: cannot show a ${kind} field`);
    }
    case 'deg':
      return ctx.scaled ? scaledValue(`S.deg(${read(key)}, ${item[2]}, ${item[3]})`) : number(key);
    case 'scale':
      return ctx.scaled ? scaledValue(`S.scale(${read(key)}, ${item[2]}, ${item[3]})`) : number(key);
    case 'offset':
      return ctx.scaled ? scaledValue(`round((${read(key)} + ${item[2]}) / ${item[3]}, ${item[4]})`) : number(key);
    case 'word':
      return ctx.scaled ? `${label}p = put(o, p, ${legendText(item[2] as LegendName, read(key))});\n` : number(key);
    case 'legend':
      return (
        `{ const v = ${read(key)};\n${label}p = uint(o, p, v);\n` +
        `${ctx.literal(`,${JSON.stringify(`${key}_text`)}:`)}p = put(o, p, ${legendText(item[2] as LegendName, 'v')}); }\n`
      );
    case 'stamp': {
      let code = '';
      let last = 0;
      const template = item[2] as string;
      for (const m of template.matchAll(/\{(\w+)(?::(\d+))?(?:\+(\d+))?\}/g)) {
        if (m.index > last) code += ctx.literal(template.slice(last, m.index));
        const value = m[3] === undefined ? read(m[1]!) : `(${read(m[1]!)} + ${m[3]})`;
        code += m[2] === undefined ? `p = uint(o, p, ${value});\n` : `p = pad(o, p, ${value}, ${m[2]});\n`;
        last = m.index + m[0].length;
      }
      if (last < template.length) code += ctx.literal(template.slice(last));
      return `${label}o[p++] = 34;\n${code}o[p++] = 34;\n`;
    }
    case 'target': {
      // The key is the identifier's kind (its legend); the value an MMSI or IMO number, or 7 characters of text.
      const { values, otherwise } = LEGENDS.idtype;
      const keys = Array.from({ length: 2 ** spec('idtype')[2] }, (_, t) => enc(`${first ? '' : ','}${JSON.stringify(values[t] ?? otherwise)}:`));
      return (
        `{ const t = ${read('idtype')};\np = put(o, p, ${ctx.constant(keys)}[t]);\no[p++] = 34;\n` +
        `if (t <= 1) p = uint(o, p, ${read(key)}); else p = text(o, p, b, ${pos(spec(key)[1])}, 7);\no[p++] = 34; }\n`
      );
    }
    case 'array':
      if (element) throw new Error(`${where}: a group inside a group`);
      return groupCode(ctx, def, key, item[2] as readonly JsonSpec[]);
  }
}

/** Generates the writer of `def`, scaled or not. */
function compileAsm(def: AsmDef, scaled: boolean): Writer {
  const ctx = new WriterCode(scaled);
  let body = headerCode(ctx, def.type);
  for (const item of def.json) body += itemCode(ctx, def, def.layout, item, false, false);
  body += 'o[p++] = 125;\nreturn p;';
  return ctx.compile(body);
}

/** Code for the repeated group: `"key":[{…},…]`, or a return of -1 when a counted group runs past the message. */
function groupCode(ctx: WriterCode, def: AsmDef, key: string, element: readonly JsonSpec[]): string {
  const array = def.array!;
  if (array.name !== key) throw new Error(`asm ${key}: no such group`);
  const count =
    array.count.kind === 'whole'
      ? `Math.max(0, Math.floor((len - ${array.start}) / ${array.size}))`
      : readCode(...fixedField(def.layout, array.count.field));
  let code = `{ const n = ${count};\n`;
  if (array.count.kind === 'field') code += `if (${array.start} + n * ${array.size} > len) return -1;\n`;
  code += ctx.literal(`,${JSON.stringify(key)}:[`);
  code += `for (let k = 0; k < n; k++) {\nconst at = ${array.start} + k * ${array.size};\nif (k > 0) o[p++] = 44;\no[p++] = 123;\n`;
  element.forEach((inner, k) => {
    code += itemCode(ctx, def, array.layout, inner, k === 0, true);
  });
  code += 'o[p++] = 125;\n}\no[p++] = 93; }\n';
  return code;
}

function fixedField(layout: Layout, name: string): [number, number] {
  const f = layout.fields.find((x) => x[0] === name);
  if (f === undefined || f[2] === REST || f[1] < 0) throw new Error(`asm count ${name}: not a fixed field`);
  return [f[1], f[2]];
}

/** The raw-data writer: header and `"data":"bits:hex"`, the bits after the data zero (gpsd.ts `binary`). */
function compileRaw(type: 6 | 8, scaled: boolean): Writer {
  const ctx = new WriterCode(scaled);
  const at = DATA_AT[type];
  return ctx.compile(`${headerCode(ctx, type)}${ctx.literal(',"data":"')}p = data(o, p, b, ${at}, len - ${at});\no[p++] = 34;\no[p++] = 125;\nreturn p;`);
}

const raw: Record<6 | 8, [Writer | undefined, Writer | undefined]> = { 6: [undefined, undefined], 8: [undefined, undefined] };
const tables = new Map<AsmDef, [Writer | undefined, Writer | undefined]>();

/** Whether the table takes this message (asm.ts `decodeAsm`): its length, and its own test on the fields. */
function accepts(def: AsmDef, b: Uint8Array, len: number): boolean {
  if (def.messageBits !== undefined && def.messageBits !== len) return false;
  if (def.accept === undefined) return true;
  const fields: Fields = {};
  decodeFields(def.layout, new BitReader(b, b.length * 8), fields, def.type);
  return def.accept(fields);
}

/**
 * gpsd's JSON of message 6 or 8 in `b` (`len` bits, zeros after them: gpsd-compiled.ts `writeCompiledGpsd`), or -1
 * to take the object path.
 */
export function writeCompiledAsm(type: 6 | 8, b: Uint8Array, len: number, scaled: boolean, gpsdCompat: boolean, o: Uint8Array, p: number): number {
  const at = DATA_AT[type];
  if (len < at) return -1;
  const k = scaled ? 1 : 0;
  const def = findAsm(type, u(b, at - 16, 10), u(b, at - 6, 6));
  if (def === undefined || !accepts(def, b, len)) {
    const w = raw[type][k] ?? (raw[type][k] = compileRaw(type, scaled));
    return w(b, len, o, p);
  }
  if (gpsdCompat && def.array?.gpsdStartsWithin === true) return -1;
  let pair = tables.get(def);
  if (pair === undefined) tables.set(def, (pair = [undefined, undefined]));
  const w = pair[k] ?? (pair[k] = compileAsm(def, scaled));
  return w(b, len, o, p);
}
