/**
 * An independent generator of valid AIS messages for the cross-check with `gpsdecode`: field widths written again
 * from the standards' tables (ITU-R M.1371-5 messages 24, 25 and 26; IMO SN.1/Circ.236 and 289; Inland AIS), its own bit
 * packing, 6-bit armour and checksum — nothing from `nmea/` — so a table error in `nmea/asm.ts` cannot hide
 * behind the same error here.
 */

/** A seeded PRNG (mulberry32): the same seed gives the same messages. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Part = readonly [value: number, width: number];

const ALPHABET = '@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !"#$%&\'()*+,-./0123456789:;<=>?';

class Gen {
  readonly parts: Part[] = [];
  constructor(readonly rnd: () => number) {}
  int(max: number): number {
    return Math.floor(this.rnd() * (max + 1));
  }
  u(width: number): this {
    this.parts.push([this.int(2 ** width - 1), width]);
    return this;
  }
  i(width: number): this {
    this.parts.push([this.int(2 ** width - 1) - 2 ** (width - 1), width]);
    return this;
  }
  v(value: number, width: number): this {
    this.parts.push([value, width]);
    return this;
  }
  zero(width: number): this {
    return this.v(0, width);
  }
  text(chars: number): this {
    for (let k = 0; k < chars; k++) this.v(this.int(63), 6);
    return this;
  }
  get bits(): number {
    return this.parts.reduce((a, [, w]) => a + w, 0);
  }
}

/** Application data of one payload, after the message 6/8 header and DAC/FI. */
type Payload = (g: Gen) => void;

/** Surface currents, waves, swell and sea state, common to both met/hydro tables. */
const currents = (g: Gen): Gen => g.u(8).u(9).u(8).u(9).u(5).u(8).u(9).u(5).u(8).u(6).u(9).u(8).u(6).u(9).u(4);
const inlandPlace = (g: Gen): Gen => g.text(2).text(3).text(5).text(5).text(5).u(4).u(5).u(5).u(6);
const route = (max: number) => (g: Gen) => {
  g.u(10).u(3).u(5).u(4).u(5).u(5).u(6).u(18);
  const n = g.int(max);
  g.v(n, 5);
  for (let k = 0; k < n; k++) g.i(28).i(27);
};

/** The payloads, keyed `type/dac/fid`, from their tables. */
export const PAYLOADS: Readonly<Record<string, Payload>> = {
  // SN.1/Circ.236 fairway closed: reason, from, to (20 characters each), radius, unit, from/to day-month-hour-minute.
  '8/1/13': (g) => g.text(20).text(20).text(20).u(10).u(2).u(5).u(4).u(5).u(6).u(5).u(4).u(5).u(6).zero(4),
  // SN.1/Circ.236 extended ship static and voyage related data: air draught, spare.
  '8/1/15': (g) => g.u(11).zero(5),
  '6/1/15': (g) => g.u(11).zero(5),
  // Number of persons on board, spare.
  '6/1/16': (g) => g.u(13).zero(3),
  // SN.1/Circ.289 VTS targets: type, identifier (MMSI/IMO number, or 7 characters), spare, lat, lon, COG, second, SOG.
  '8/1/17': (g) => {
    const n = 1 + g.int(6);
    for (let k = 0; k < n; k++) {
      const type = g.int(3);
      g.v(type, 2);
      if (type <= 1) g.v(g.int(999_999_999), 42);
      else g.text(7);
      g.zero(4).i(24).i(25).u(9).u(6).u(10);
    }
  },
  // SN.1/Circ.289 marine traffic signal.
  '8/1/19': (g) => g.u(10).text(20).i(25).i(24).u(2).u(5).u(5).u(6).u(5).zero(102),
  // SN.1/Circ.289 route information, broadcast and addressed.
  '8/1/27': route(16),
  '6/1/28': route(15),
  // SN.1/Circ.289 text description, broadcast.
  '8/1/29': (g) => g.u(10).text(g.int(150)),
  // SN.1/Circ.289 berthing data: linkage, length, depth, position, time, availability, 26 services, name, lon, lat.
  '6/1/20': (g) => {
    g.u(10).u(9).u(8).u(3).u(4).u(5).u(5).u(6).u(1);
    for (let k = 0; k < 26; k++) g.u(2);
    g.text(20).i(25).i(24);
  },
  // SN.1/Circ.289 dangerous cargo indication: unit, amount, cargo code/subtype pairs.
  '6/1/25': (g) => {
    g.u(2).u(10);
    for (let n = g.int(28); n > 0; n--) g.u(4).u(13);
  },
  // Inland AIS ETA / RTA at lock, bridge or terminal.
  '6/200/21': (g) => inlandPlace(g).u(3).u(12).zero(5),
  '6/200/22': (g) => inlandPlace(g).u(2).zero(2),
  // Inland AIS EMMA warning: start/end dates and times, positions, type, min, max, class, wind direction.
  '8/200/23': (g) => g.u(8).u(4).u(5).u(8).u(4).u(5).u(5).u(6).u(5).u(6).i(28).i(27).i(28).i(27).u(4).i(9).i(9).u(2).u(4).zero(6),
  // Inland AIS water levels: country, four gauges.
  '8/200/24': (g) => {
    g.text(2);
    for (let k = 0; k < 4; k++) g.u(11).i(14);
  },
  // Inland AIS signal status.
  '8/200/40': (g) => g.i(28).i(27).u(4).u(9).u(3).u(30).zero(11),
  // The payloads decoded before these (same generator, so they are cross-checked alike).
  '6/1/12': (g) => g.text(5).u(4).u(5).u(5).u(6).text(5).u(4).u(5).u(5).u(6).text(20).text(4).u(13).u(10).u(2).zero(3),
  '6/1/18': (g) => g.u(10).u(4).u(5).u(5).u(6).text(20).text(5).i(25).i(24).zero(43),
  '6/1/30': (g) => g.u(10).text(g.int(150)),
  '6/200/55': (g) => g.u(8).u(13).u(8).zero(51),
  '6/235/10': (g) => g.u(10).u(10).u(10).u(2).u(2).u(1).u(8).u(1).zero(4),
  '6/250/10': (g) => g.u(10).u(10).u(10).u(2).u(2).u(1).u(8).u(1).zero(4),
  '8/1/11': (g) => currents(g.i(24).i(25).u(5).u(5).u(6).u(7).u(7).u(9).u(9).u(11).u(7).u(10).u(9).u(2).u(8).u(9).u(2)).u(10).u(3).u(9).u(2).zero(6),
  '8/1/31': (g) => currents(g.i(25).i(24).u(1).u(5).u(5).u(6).u(7).u(7).u(9).u(9).i(11).u(7).i(10).u(9).u(2).u(1).u(7).u(12).u(2)).i(10).u(3).u(9).u(2).zero(10),
  '8/200/10': (g) => g.text(8).u(13).u(10).u(14).v(g.int(5), 3).u(11).u(2).u(1).u(1).u(1).zero(8),
  // SN.1/Circ.236 / 289 tidal windows: whole elements.
  '6/1/14': (g) => {
    g.u(4).u(5);
    for (let n = g.int(3); n > 0; n--) g.i(27).i(28).u(5).u(6).u(5).u(6).u(9).u(7);
  },
  '6/1/32': (g) => {
    g.u(4).u(5);
    for (let n = g.int(3); n > 0; n--) g.i(25).i(24).u(5).u(6).u(5).u(6).u(9).u(8);
  },
};

/** One message 6 or 8 carrying `key`'s payload. */
function binaryMessage(key: string, g: Gen): void {
  const [type, dac, fid] = key.split('/').map(Number) as [number, number, number];
  g.v(type, 6).u(2).v(1 + g.int(999_999_998), 30);
  if (type === 6) g.u(2).v(1 + g.int(999_999_998), 30).u(1).zero(1);
  else g.zero(2);
  g.v(dac, 10).v(fid, 6);
  PAYLOADS[key]!(g);
}

/** Messages 25 and 26 (Tables 80, 82): addressed (MMSI + 2 spare) and/or structured (16-bit application ID). */
function slotBinary(type: 25 | 26, g: Gen): void {
  const addressed = g.int(1);
  const structured = g.int(1);
  g.v(type, 6).u(2).v(1 + g.int(999_999_998), 30).v(addressed, 1).v(structured, 1);
  if (addressed) g.v(1 + g.int(999_999_998), 30).zero(2);
  if (structured) g.u(16);
  const room = (type === 25 ? 168 : 1004) - g.bits - (type === 26 ? 20 : 0);
  let n = g.int(Math.min(room, 400));
  for (; n > 0; n -= Math.min(n, 16)) g.u(Math.min(n, 16));
  if (type === 26) g.u(20);
}

/** Message 24 part A then part B of the same ship (M.1371-5 message 24 part B: vendor ID 3 characters, model, serial). */
function staticPair(g: Gen): Part[][] {
  const mmsi = 1 + g.int(979_999_998);
  const a = new Gen(g.rnd).v(24, 6).u(2).v(mmsi, 30).v(0, 2).text(20).zero(8);
  const b = new Gen(g.rnd).v(24, 6).u(2).v(mmsi, 30).v(1, 2).u(8).text(3).u(4).u(20).text(7).u(9).u(9).u(6).u(6).zero(6);
  return [a.parts, b.parts];
}

export interface Generated {
  readonly key: string;
  /** The NMEA lines (one message; two for a message 24 pair). */
  readonly lines: string[];
}

function armour(parts: readonly Part[]): { payload: string; fill: number } {
  let s = '';
  for (const [v, w] of parts) s += (v < 0 ? 2 ** w + v : v).toString(2).padStart(w, '0');
  const fill = (6 - (s.length % 6)) % 6;
  s += '0'.repeat(fill);
  let payload = '';
  for (let k = 0; k < s.length; k += 6) {
    const v = parseInt(s.slice(k, k + 6), 2);
    payload += String.fromCharCode(v < 40 ? v + 48 : v + 56);
  }
  return { payload, fill };
}

function sentences(parts: readonly Part[], seq: number, channel: string): string[] {
  const { payload, fill } = armour(parts);
  const chunks: string[] = [];
  for (let k = 0; k < payload.length; k += 60) chunks.push(payload.slice(k, k + 60));
  if (chunks.length === 0) chunks.push('');
  return chunks.map((c, k) => {
    const body = `AIVDM,${chunks.length},${k + 1},${chunks.length > 1 ? seq : ''},${channel},${c},${k === chunks.length - 1 ? fill : 0}`;
    let x = 0;
    for (let j = 0; j < body.length; j++) x ^= body.charCodeAt(j);
    return `!${body}*${x.toString(16).toUpperCase().padStart(2, '0')}`;
  });
}

/** `perKind` random messages of each payload above, of messages 25 and 26, and message 24 pairs. */
export function generate(perKind: number, seed: number): Generated[] {
  const rnd = prng(seed);
  const out: Generated[] = [];
  let seq = 0;
  const add = (key: string, parts: Part[], channel = 'A'): void => {
    seq = (seq + 1) % 10;
    out.push({ key, lines: sentences(parts, seq, channel) });
  };
  for (let k = 0; k < perKind; k++) {
    for (const key of Object.keys(PAYLOADS)) {
      const g = new Gen(rnd);
      binaryMessage(key, g);
      add(key, g.parts);
    }
    for (const type of [25, 26] as const) {
      const g = new Gen(rnd);
      slotBinary(type, g);
      add(String(type), g.parts);
    }
    const [a, b] = staticPair(new Gen(rnd));
    seq = (seq + 1) % 10;
    out.push({ key: '24', lines: [...sentences(a!, seq, 'B'), ...sentences(b!, (seq + 1) % 10, 'B')] });
  }
  return out;
}

export { ALPHABET as SIXBIT_TEXT };
