/**
 * gpsd's JSON view of a decoded AIS message (gpsd `gpsd_json.c`, documented in AIVDM.adoc and gpsd_json(5)):
 * the field names, units and presentation quirks that `gpsdecode` prints, so `mibc-ais decode --unscaled` output
 * compares field by field with `gpsdecode -u`. Unscaled output keeps the raw integers; scaled output converts to
 * degrees, knots, metres as gpsd does. This is a presentation layer: it never feeds back into the codec.
 *
 * gpsd reads fields that straddle the end of a short message with the missing bits as zero and prints binary data
 * with whatever bits share its last byte; given the message `bits`, this view reproduces that. Where gpsd 3.22
 * departs from ITU-R M.1371-5 or the IMO circulars this view follows the standard (README, "Deliberate
 * differences", lists each case with its clause); `gpsdCompat` restores gpsd's reading where a user may need it.
 */
import type { AisMessage } from './ais.js';
import { TEXT_ALPHABET, type AisBits } from './sixbit.js';
import { decodeAsm, type JsonSpec } from './asm.js';
import type { Fields } from './_layout.js';
import { LEGENDS, type LegendName } from './_legends.js';
import { jsonValue, writeGpsdJson } from './gpsd-writer.js';
import { round, Scaler } from './gpsd-units.js';
import { compiledGpsdTextOf } from './gpsd-compiled.js';

export type GpsdJson = Record<string, unknown>;

export interface GpsdJsonOptions {
  /** Convert to engineering units as `gpsdecode` does (default), or keep raw integers as `gpsdecode -u`. */
  readonly scaled?: boolean;
  /** The message's bits, for gpsd's treatment of short messages and of binary data tails. */
  readonly bits?: AisBits;
  /**
   * Where gpsd 3.22 and ITU-R M.1371-5 / IMO SN.1/Circ.236 disagree and a user may need gpsd's reading (README,
   * "Deliberate differences"): message 24 part B's 7-character vendor ID, messages 25/26 without the 2 spare bits
   * after the destination, message 26 data with the communication-state bits in its last byte, and tidal windows
   * counted as gpsd counts them. Default: the standard's reading.
   */
  readonly gpsdCompat?: boolean;
}

/** Reads `width` bits at `start`, bits past the end of the message as zero (gpsd's `ubits` on its zeroed buffer). */
function zx(bits: AisBits, start: number, width: number): number {
  let v = 0;
  for (let k = start; k < start + width; k++) v = v * 2 + (k < bits.bitLength ? (bits.bytes[k >> 3]! >> (7 - (k & 7))) & 1 : 0);
  return v;
}

/**
 * gpsd's `"data"` for types 6, 17, 25, 26: `count` bits from `start`, the rest of their last byte unmasked —
 * taken from the message up to bit `limit` (gpsd copies whole bytes, then shifts addressed 25/26 data left).
 */
function rawData(bits: AisBits, start: number, count: number, limit = Infinity): string {
  let hex = '';
  for (let k = 0; k < (count + 7) >> 3; k++) {
    let byte = 0;
    for (let j = start + 8 * k; j < start + 8 * k + 8; j++) byte = byte * 2 + (j < limit ? zx(bits, j, 1) : 0);
    hex += byte.toString(16).padStart(2, '0');
  }
  return `${count}:${hex}`;
}

/**
 * gpsd's presentation of 6-bit text: up to the first `@`, without trailing spaces or `@`.
 */
export function gpsdText(raw: string): string {
  const at = raw.indexOf('@');
  return (at < 0 ? raw : raw.slice(0, at)).replace(/[ @]+$/, '');
}

function legend(name: LegendName, value: number): string {
  const { values, otherwise } = LEGENDS[name];
  return values[value] ?? otherwise;
}

/** `"bits:hex"`: the bit count and the bits left-aligned in whole bytes, as gpsd prints raw binary data. */
export function gpsdData(data: Uint8Array, bits: number): string {
  let hex = '';
  for (let k = 0; k < (bits + 7) >> 3; k++) hex += (data[k] ?? 0).toString(16).padStart(2, '0');
  return `${bits}:${hex}`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Builds gpsd's JSON object (key order as gpsd prints it). */
export function toGpsdJson(m: Readonly<AisMessage>, options: GpsdJsonOptions = {}): GpsdJson {
  const scaled = options.scaled ?? true;
  const compat = options.gpsdCompat ?? false;
  const bits = options.bits;
  const len = bits?.bitLength ?? 0;
  const s = new Scaler(scaled);
  const o: GpsdJson = { class: 'AIS', type: m.type, repeat: m.repeat, mmsi: m.mmsi, scaled };
  const n = (k: string): number => (typeof m[k] === 'number' ? (m[k] as number) : 0);
  const b = (k: string): boolean => m[k] === true;
  const t = (k: string): string => (typeof m[k] === 'string' ? gpsdText(m[k] as string) : '');
  const copy = (...keys: string[]): void => {
    for (const k of keys) o[k] = m[k];
  };
  const dims = (): void => {
    o['to_bow'] = n('to_bow');
    o['to_stern'] = n('to_stern');
    o['to_port'] = n('to_port');
    o['to_starboard'] = n('to_starboard');
  };
  const withText = (k: string, name: LegendName = k as LegendName): void => {
    o[k] = n(k);
    o[`${k}_text`] = legend(name, n(k));
  };
  switch (m.type) {
    case 1:
    case 2:
    case 3:
      withText('status');
      o['turn'] = s.turn(n('turn'));
      o['speed'] = s.tenth(n('speed'), 1023);
      o['accuracy'] = b('accuracy');
      o['lon'] = s.deg(n('lon'), 600_000, 6);
      o['lat'] = s.deg(n('lat'), 600_000, 6);
      o['course'] = s.tenth(n('course'), 3600);
      copy('heading', 'second', 'maneuver', 'raim', 'radio');
      if (bits !== undefined && len < 168) o['radio'] = zx(bits, 149, len - 149);
      break;
    case 4:
    case 11:
      o['timestamp'] = `${String(n('year')).padStart(4, '0')}-${pad2(n('month'))}-${pad2(n('day'))}T${pad2(n('hour'))}:${pad2(n('minute'))}:${pad2(n('second'))}Z`;
      o['accuracy'] = b('accuracy');
      o['lon'] = s.deg(n('lon'), 600_000, 6);
      o['lat'] = s.deg(n('lat'), 600_000, 6);
      withText('epfd');
      copy('raim', 'radio');
      break;
    case 5:
      copy('imo', 'ais_version');
      o['callsign'] = t('callsign');
      o['shipname'] = t('shipname');
      withText('shiptype');
      dims();
      withText('epfd');
      o['eta'] = `${pad2(n('month'))}-${pad2(n('day'))}T${pad2(n('hour'))}:${pad2(n('minute'))}Z`;
      o['draught'] = s.tenth(n('draught'));
      o['destination'] = t('destination');
      copy('dte');
      break;
    case 6:
      copy('seqno', 'dest_mmsi', 'retransmit', 'dac', 'fid');
      binary(o, m, s, compat, bits);
      break;
    case 7:
    case 13:
      for (const u of [0, 1, 2, 3]) {
        o[`mmsi${u + 1}`] = bits === undefined ? n(`mmsi${u + 1}`) : 40 + 32 * u < len ? zx(bits, 40 + 32 * u, 30) : 0;
      }
      break;
    case 8:
      copy('dac', 'fid');
      binary(o, m, s, compat, bits);
      break;
    case 9:
      copy('alt');
      o['speed'] = n('speed');
      o['accuracy'] = b('accuracy');
      o['lon'] = s.deg(n('lon'), 600_000, 6);
      o['lat'] = s.deg(n('lat'), 600_000, 6);
      o['course'] = s.tenth(n('course'), 3600);
      copy('second', 'regional', 'dte', 'raim', 'radio');
      break;
    case 10:
      copy('dest_mmsi');
      break;
    case 12:
      copy('seqno', 'dest_mmsi', 'retransmit');
      o['text'] = t('text');
      break;
    case 14:
      o['text'] = t('text');
      break;
    case 15:
      for (const k of ['mmsi1', 'type1_1', 'offset1_1', 'type1_2', 'offset1_2', 'mmsi2', 'type2_1', 'offset2_1']) o[k] = n(k);
      if (bits !== undefined) {
        // gpsd takes the second request when the message is longer than 90 bits, the second station beyond 110.
        const at = { type1_2: [90, 6, 90], offset1_2: [96, 12, 90], mmsi2: [110, 30, 110], type2_1: [140, 6, 110], offset2_1: [146, 12, 110] } as const;
        for (const [k, [start, width, after]] of Object.entries(at)) o[k] = after < len ? zx(bits, start, width) : 0;
      }
      break;
    case 16:
      for (const k of ['mmsi1', 'offset1', 'increment1', 'mmsi2', 'offset2', 'increment2']) o[k] = n(k);
      break;
    case 17:
      o['lon'] = s.deg(n('lon'), 600, 1);
      o['lat'] = s.deg(n('lat'), 600, 1);
      o['data'] = bits === undefined ? gpsdData(m['data'] as Uint8Array, n('dataBits')) : rawData(bits, 80, n('dataBits'));
      break;
    case 18:
    case 19:
      copy('reserved');
      o['speed'] = s.tenth(n('speed'), 1023);
      o['accuracy'] = b('accuracy');
      o['lon'] = s.deg(n('lon'), 600_000, 6);
      o['lat'] = s.deg(n('lat'), 600_000, 6);
      o['course'] = s.tenth(n('course'), 3600);
      copy('heading', 'second', 'regional');
      if (m.type === 18) copy('cs', 'display', 'dsc', 'band', 'msg22', 'raim', 'radio');
      else {
        o['shipname'] = t('shipname');
        withText('shiptype');
        dims();
        withText('epfd');
        copy('raim', 'dte', 'assigned');
      }
      break;
    case 20:
      for (const i of [1, 2, 3, 4]) {
        const widths = { offset: 12, number: 4, timeout: 3, increment: 11 } as const;
        let at = 40 + 30 * (i - 1);
        for (const [k, w] of Object.entries(widths)) {
          o[`${k}${i}`] = bits === undefined ? n(`${k}${i}`) : zx(bits, at, w);
          at += w;
        }
      }
      break;
    case 21: {
      withText('aid_type');
      // gpsd appends the name extension only when the 20-character name is full.
      const name = m['name'] as string;
      const head = name.indexOf('@') < 0 ? name : name.slice(0, name.indexOf('@'));
      o['name'] = gpsdText(head.length === 20 && typeof m['name_ext'] === 'string' ? head + gpsdText(m['name_ext']) : head);
      o['accuracy'] = b('accuracy');
      o['lon'] = s.deg(n('lon'), 600_000, 6);
      o['lat'] = s.deg(n('lat'), 600_000, 6);
      dims();
      withText('epfd');
      copy('second', 'regional', 'off_position', 'raim', 'virtual_aid');
      break;
    }
    case 22:
      copy('channel_a', 'channel_b', 'txrx', 'power');
      if (b('addressed')) copy('dest1', 'dest2');
      else for (const k of ['ne_lon', 'ne_lat', 'sw_lon', 'sw_lat']) o[k] = s.area(n(k));
      copy('addressed', 'band_a', 'band_b', 'zonesize');
      break;
    case 23:
      for (const k of ['ne_lon', 'ne_lat', 'sw_lon', 'sw_lat']) o[k] = s.area(n(k));
      withText('stationtype');
      withText('shiptype');
      copy('interval', 'quiet');
      break;
    case 24:
      type24(o, m, t, compat);
      break;
    case 25:
    case 26:
      copy('addressed', 'structured');
      o['dest_mmsi'] = n('dest_mmsi');
      o['app_id'] = n('app_id');
      if (!compat || bits === undefined) o['data'] = gpsdData(m['data'] as Uint8Array, n('dataBits'));
      else {
        // gpsd 3.22 reads no spare bits after the destination MMSI, so its app_id and data start 2 bits early; it
        // copies whole bytes from bit 40 (56 if structured) up to the radio field, then drops the MMSI.
        const addressedSpare = b('addressed') ? 2 : 0;
        if (b('addressed') && b('structured')) o['app_id'] = zx(bits, 70, 16);
        const from = 40 + (b('structured') ? 16 : 0);
        const copied = len - from - (m.type === 26 ? 20 : 0);
        o['data'] = rawData(bits, from + (b('addressed') ? 30 : 0), n('dataBits') + addressedSpare, from + 8 * Math.ceil(copied / 8));
      }
      if (m.type === 26) copy('radio');
      break;
    case 27:
      o['status'] = scaled ? legend('status', n('status')) : n('status');
      o['accuracy'] = b('accuracy');
      o['lon'] = s.deg(n('lon'), 600, 1);
      o['lat'] = s.deg(n('lat'), 600, 1);
      o['speed'] = n('speed');
      o['course'] = n('course');
      copy('raim', 'gnss');
      break;
  }
  return o;
}

/**
 * gpsd's JSON text of a message: `JSON.stringify(toGpsdJson(m, options))`, byte for byte. Given the message's `bits`
 * (of which `m` is the decoding), the text is written straight from them by the writers generated from the layouts
 * (gpsd-compiled.ts); the messages they leave out go through the object view and the compiled object writer
 * (gpsd-writer.ts), position reports without the view.
 */
export function gpsdJsonText(m: Readonly<AisMessage>, options: GpsdJsonOptions = {}): string {
  const bits = options.bits;
  if (bits !== undefined) {
    const text = compiledGpsdTextOf(bits.bytes, bits.bitLength, options.scaled ?? true, options.gpsdCompat ?? false);
    if (text !== undefined) return text;
  }
  // Shorter messages take gpsd's zero-filled reading of the missing bits: the general path handles it.
  if (bits !== undefined && bits.bitLength >= 168 && (m.type <= 3 || m.type === 18)) {
    const text = positionText(m, options.scaled ?? true);
    if (text !== undefined) return text;
  }
  return writeGpsdJson(toGpsdJson(m, options));
}

/** Types 1–3 and 18 as toGpsdJson presents them; undefined if a field is missing (then the view decides). */
function positionText(m: Readonly<AisMessage>, scaled: boolean): string | undefined {
  const s = new Scaler(scaled);
  const n = (k: string): number => (typeof m[k] === 'number' ? (m[k] as number) : 0);
  let out = `{"class":"AIS","type":${m.type},"repeat":${num(m.repeat)},"mmsi":${num(m.mmsi)},"scaled":${scaled}`;
  let missing = false;
  const put = (k: string, v: unknown): void => {
    const j = jsonValue(v);
    if (j === undefined) missing = true;
    else out += `,"${k}":${j}`;
  };
  if (m.type === 18) put('reserved', m['reserved']);
  else {
    put('status', n('status'));
    put('status_text', legend('status', n('status')));
    put('turn', s.turn(n('turn')));
  }
  put('speed', s.tenth(n('speed'), 1023));
  put('accuracy', m['accuracy'] === true);
  put('lon', s.deg(n('lon'), 600_000, 6));
  put('lat', s.deg(n('lat'), 600_000, 6));
  put('course', s.tenth(n('course'), 3600));
  const rest = m.type === 18
    ? ['heading', 'second', 'regional', 'cs', 'display', 'dsc', 'band', 'msg22', 'raim', 'radio']
    : ['heading', 'second', 'maneuver', 'raim', 'radio'];
  for (const k of rest) put(k, m[k]);
  return missing ? undefined : `${out}}`;
}

function num(v: number): string {
  return jsonValue(v)!;
}

function type24(o: GpsdJson, m: Readonly<AisMessage>, t: (k: string) => string, compat: boolean): void {
  if (m['partno'] === 0) {
    o['shipname'] = t('shipname');
    return;
  }
  if (typeof m['shipname'] === 'string') o['shipname'] = t('shipname');
  o['shiptype'] = m['shiptype'];
  o['shiptype_text'] = legend('shiptype', m['shiptype'] as number);
  let chars = m['vendorid'] as string;
  if (compat) {
    // gpsd reads the vendor id as the M.1371-3 7-character field, overlapping model and serial (M.1371-4).
    const tail = (m['model'] as number) * 2 ** 20 + (m['serial'] as number);
    for (let k = 3; k >= 0; k--) chars += TEXT_ALPHABET[Math.floor(tail / 2 ** (6 * k)) & 63];
  }
  o['vendorid'] = gpsdText(chars);
  o['model'] = m['model'];
  o['serial'] = m['serial'];
  o['callsign'] = t('callsign');
  if (m['mothership_mmsi'] !== undefined) o['mothership_mmsi'] = m['mothership_mmsi'];
  else for (const k of ['to_bow', 'to_stern', 'to_port', 'to_starboard']) o[k] = m[k];
}

function binary(o: GpsdJson, m: Readonly<AisMessage>, s: Scaler, compat: boolean, raw?: AisBits): void {
  const data = m['data'] as Uint8Array;
  const bits = m['dataBits'] as number;
  const asm = decodeAsm(m.type, m['dac'] as number, m['fid'] as number, data, bits, { gpsdCompat: compat });
  if (asm === undefined) {
    // gpsd masks the last byte of message 8 data but not of message 6.
    o['data'] = m.type === 6 && raw !== undefined ? rawData(raw, 88, bits) : gpsdData(data, bits);
    return;
  }
  jsonView(o, asm.def.json, asm.fields, asm.elements, s);
}

/** Presents a payload from its table's JSON specification (`asm.ts` `JsonSpec`). */
function jsonView(o: GpsdJson, spec: readonly JsonSpec[], f: Fields, elements: readonly Fields[], s: Scaler): void {
  for (const item of spec) {
    const key = item[0];
    switch (item[1]) {
      case undefined: {
        const v = f[key];
        o[key] = typeof v === 'string' ? gpsdText(v) : v;
        break;
      }
      case 'deg':
        o[key] = s.deg(f[key] as number, item[2] as number, item[3] as number);
        break;
      case 'scale':
        o[key] = s.scale(f[key] as number, item[2] as number, item[3] as number);
        break;
      case 'offset':
        o[key] = s.active ? round(((f[key] as number) + (item[2] as number)) / (item[3] as number), item[4] as number) : f[key];
        break;
      case 'word':
        o[key] = s.active ? legend(item[2] as LegendName, f[key] as number) : f[key];
        break;
      case 'legend':
        o[key] = f[key];
        o[`${key}_text`] = legend(item[2] as LegendName, f[key] as number);
        break;
      case 'stamp':
        o[key] = (item[2] as string).replace(/\{(\w+)(?::(\d+))?(?:\+(\d+))?\}/g, (_, name: string, width?: string, plus?: string) =>
          String((f[name] as number) + Number(plus ?? 0)).padStart(Number(width ?? 0), '0'),
        );
        break;
      case 'array':
        o[key] = elements.map((e) => {
          const inner: GpsdJson = {};
          jsonView(inner, item[2] as readonly JsonSpec[], e, [], s);
          return inner;
        });
        break;
      case 'target': {
        // The identifier is an MMSI or IMO number, or 7 characters of 6-bit text, by its type.
        const type = f['idtype'] as number;
        const id = f[key] as number;
        let text = '';
        for (let k = 6; k >= 0; k--) text += TEXT_ALPHABET[Math.floor(id / 2 ** (6 * k)) % 64];
        o[legend('idtype', type)] = type <= 1 ? String(id) : gpsdText(text);
        break;
      }
    }
  }
}
