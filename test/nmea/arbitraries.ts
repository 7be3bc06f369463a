/**
 * fast-check arbitraries for AIS messages, generated from the same field tables the codec interprets: every
 * type and every variant, optional trailing fields as a random prefix, free-length text/data within the lengths
 * gpsd accepts (so the same messages can be cross-checked with `gpsdecode`).
 */
import fc from 'fast-check';
import { decodeAis, NmeaError, toGpsdJson, type AisBits, type AisMessage } from '../../nmea/index.js';
import { MESSAGES } from '../../nmea/layouts.js';
import type { AsmDef } from '../../nmea/asm.js';
import { REST, type FieldSpec } from '../../nmea/_layout.js';
import { TEXT_ALPHABET } from '../../nmea/sixbit.js';

const TEXT_CHARS = [...TEXT_ALPHABET];

/** Longest free-length field per type, in bits, inside what gpsd 3.22 accepts for that type. */
const REST_MAX: Record<number, number> = { 6: 400, 8: 400, 12: 240, 14: 240, 17: 200, 21: 84, 25: 80, 26: 300 };

export function bitsArb(maxBits: number): fc.Arbitrary<{ data: Uint8Array; dataBits: number }> {
  return fc.integer({ min: 0, max: maxBits }).chain((n) =>
    fc.uint8Array({ minLength: (n + 7) >> 3, maxLength: (n + 7) >> 3 }).map((bytes) => {
      const data = Uint8Array.from(bytes);
      if (n % 8 !== 0) data[data.length - 1]! &= (0xff << (8 - (n % 8))) & 0xff;
      return { data, dataBits: n };
    }),
  );
}

function fieldArb(type: number, [name, , width, kind]: FieldSpec): fc.Arbitrary<Record<string, unknown>> {
  const one = (a: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> => a.map((v) => ({ [name]: v }));
  switch (kind) {
    case 'u':
    case 'e':
      return one(fc.integer({ min: 0, max: 2 ** width - 1 }));
    case 'i':
      return one(fc.integer({ min: -(2 ** (width - 1)), max: 2 ** (width - 1) - 1 }));
    case 'b':
      return one(fc.boolean());
    case 't': {
      const chars = width === REST ? Math.floor((REST_MAX[type] ?? 0) / 6) : width / 6;
      return one(fc.array(fc.constantFrom(...TEXT_CHARS), { minLength: width === REST ? 0 : chars, maxLength: chars }).map((a) => a.join('')));
    }
    case 'd':
      return bitsArb(width === REST ? (REST_MAX[type] ?? 0) : width).map(({ data, dataBits }) => ({ [name]: data, [`${name}Bits`]: dataBits }));
    case 'x':
      return fc.constant({});
  }
}

/** Messages of one type, all its layouts. */
export function messageArb(type: number): fc.Arbitrary<AisMessage> {
  const def = MESSAGES[type]!;
  const variants = Object.entries(def.layouts).map(([key, layout]) => {
    const required = layout.fields.filter((f) => f[4] !== 'opt' && f[3] !== 'x');
    const optional = layout.fields.filter((f) => f[4] === 'opt' && f[3] !== 'x');
    // Only cut the optional tail where the padded message cannot be mistaken for a longer one (types 7/13: an
    // MMSI without its sequence number is not a message).
    const cuts = [...Array(optional.length + 1).keys()].filter((k) => {
      if (k === optional.length) return true;
      const prev = k === 0 ? undefined : optional[k - 1]!;
      const end = prev === undefined ? optional[0]![1] : prev[1] + prev[2];
      const padded = layout.padToByte ? Math.ceil(end / 8) * 8 : end;
      return optional[k]![1] + optional[k]![2] > padded;
    });
    return fc
      .tuple(fc.tuple(...required.map((f) => fieldArb(type, f))), fc.tuple(...optional.map((f) => fieldArb(type, f))), fc.constantFrom(...cuts))
      .map(([req, opt, keep]) => {
        const m = Object.assign({}, ...req, ...opt.slice(0, keep)) as AisMessage;
        m.type = type;
        // The fields that select the layout must agree with it.
        if (type === 22) m['addressed'] = key === 'addressed';
        if (type === 24) {
          m['partno'] = key === 'A' ? 0 : 1;
          if (key === 'Baux') m.mmsi = 980_000_000 + (m.mmsi % 10_000_000);
          else if (Math.floor(m.mmsi / 10_000_000) === 98) m.mmsi -= 10_000_000;
        }
        if (type === 25 || type === 26) {
          m['addressed'] = key[0] === '1';
          m['structured'] = key[1] === '1';
        }
        return m;
      });
  });
  return fc.oneof(...variants);
}

export const ALL_TYPES = Array.from({ length: 27 }, (_, k) => k + 1);
export const anyMessageArb: fc.Arbitrary<AisMessage> = fc.oneof(...ALL_TYPES.map(messageArb));

/** The largest message 6/8 gpsd 3.22 accepts (driver_ais.c RANGE_CHECK), which also bounds M.1371-5 Tables 54/57. */
const ASM_MESSAGE_MAX = 1008;

/** A structured payload of `def`: its fields (counted group count included) and its repeated elements. */
export function asmArb(def: AsmDef): fc.Arbitrary<{ fields: Record<string, unknown>; elements: Record<string, unknown>[] }> {
  const own = def.layout.fields.filter((f) => f[3] !== 'x');
  const restBits = ASM_MESSAGE_MAX - def.layout.fixedBits;
  const fieldsArb = fc
    .tuple(...own.map((f) => (f[2] === REST && f[3] === 't' ? fc.array(fc.constantFrom(...TEXT_CHARS), { maxLength: Math.floor(restBits / 6) }).map((a) => ({ [f[0]]: a.join('') })) : fieldArb(0, f))))
    .map((parts) => Object.assign({}, ...parts) as Record<string, unknown>);
  const array = def.array;
  if (array === undefined) return fieldsArb.map((fields) => ({ fields, elements: [] }));
  const elementArb = fc
    .tuple(...array.layout.fields.filter((f) => f[3] !== 'x').map((f) => fieldArb(0, f)))
    .map((parts) => Object.assign({}, ...parts) as Record<string, unknown>);
  const room = Math.floor(((def.messageBits ?? ASM_MESSAGE_MAX) - array.start) / array.size);
  const max = array.count.kind === 'whole' ? Math.min(array.count.max, room) : Math.min(room, 2 ** 5 - 1);
  const min = def.messageBits === undefined ? 0 : max;
  return fc.tuple(fieldsArb, fc.array(elementArb, { minLength: min, maxLength: max })).map(([fields, elements]) => {
    if (array.count.kind === 'field') fields[array.count.field] = elements.length;
    return { fields, elements };
  });
}

/** Every combination of the gpsd JSON options: scaled or not, gpsd-compatible or not. */
export const GPSD_OPTIONS = [
  { scaled: true, gpsdCompat: false },
  { scaled: false, gpsdCompat: false },
  { scaled: true, gpsdCompat: true },
  { scaled: false, gpsdCompat: true },
] as const;

/** The object path's gpsd JSON text of `bits` (the reference for the generated writers), or undefined when the codec rejects them. */
export function gpsdReference(bits: AisBits, o: (typeof GPSD_OPTIONS)[number]): string | undefined {
  let m;
  try {
    m = decodeAis(bits);
  } catch (e) {
    if (e instanceof NmeaError) return undefined;
    throw e;
  }
  return JSON.stringify(toGpsdJson(m, { ...o, bits }));
}
