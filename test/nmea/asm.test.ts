/**
 * Structured payloads of messages 6 and 8 (IMO SN.1/Circ.236 and 289, Inland AIS) and the places where gpsd 3.22
 * reads M.1371-5 or the circulars differently (README "Deliberate differences").
 *
 * None of these documents gives bit-level worked examples, so the vectors below are written bit by bit from their
 * field tables (value, width) — independently of `nmea/asm.ts` — and checked against what the decoder and the
 * gpsd-style view make of them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAis, encodeAis, toGpsdJson, type AisBits, type AisMessage } from '../../nmea/index.js';
import { ASMS, decodeAsm, encodeAsm } from '../../nmea/asm.js';
import { asmArb } from './arbitraries.js';

/** Bits from `[value, width]` pairs (two's complement for negative values), most significant bit first. */
function bitsOf(parts: readonly (readonly [number, number])[]): AisBits {
  let s = '';
  for (const [v, w] of parts) s += (v < 0 ? 2 ** w + v : v).toString(2).padStart(w, '0');
  const bytes = new Uint8Array((s.length + 7) >> 3);
  for (let k = 0; k < s.length; k++) if (s[k] === '1') bytes[k >> 3]! |= 0x80 >> (k & 7);
  return { bytes, bitLength: s.length };
}

/** 6-bit text characters (M.1371-5 Table 47) as `[value, 6]` pairs, padded with `@` to `chars`. */
function text(t: string, chars: number): [number, number][] {
  const alphabet = '@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !"#$%&\'()*+,-./0123456789:;<=>?';
  return [...t.padEnd(chars, '@')].map((c) => [alphabet.indexOf(c), 6]);
}

const HEAD6 = (dac: number, fid: number): [number, number][] => [[6, 6], [0, 2], [211000001, 30], [0, 2], [244000002, 30], [0, 1], [0, 1], [dac, 10], [fid, 6]];
const HEAD8 = (dac: number, fid: number): [number, number][] => [[8, 6], [0, 2], [211000001, 30], [0, 2], [dac, 10], [fid, 6]];

function view(parts: readonly (readonly [number, number])[], options: { scaled?: boolean; gpsdCompat?: boolean } = {}): Record<string, unknown> {
  const bits = bitsOf(parts);
  return toGpsdJson(decodeAis(bits), { scaled: options.scaled ?? false, bits, gpsdCompat: options.gpsdCompat ?? false });
}

describe('structured payloads round trip (every table in nmea/asm.ts)', () => {
  it.each(ASMS.map((d) => [`${d.type}/${d.dac}/${d.fid}`, d] as const))('decodeAsm(encodeAsm(x)) equals x for %s', (_, def) => {
    fc.assert(
      fc.property(asmArb(def), ({ fields, elements }) => {
        fc.pre(def.accept === undefined || def.accept(fields as never));
        const a = encodeAsm(def.type, def.dac, def.fid, fields, elements);
        const back = decodeAsm(def.type, a.dac, a.fid, a.data, a.dataBits);
        expect(back).toBeDefined();
        expect(back!.fields).toEqual(fields);
        expect(back!.elements).toEqual(elements);
        // And through a whole message 6/8.
        const m = def.type === 6 ? { type: 6, repeat: 0, mmsi: 1, seqno: 0, dest_mmsi: 2, retransmit: false, ...a } : { type: 8, repeat: 0, mmsi: 1, ...a };
        expect(decodeAis(encodeAis(m as AisMessage))).toEqual(m);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses what the tables cannot carry', () => {
    const gauge = { id: 1, level: -1 };
    expect(() => encodeAsm(8, 200, 24, { country: 'DE' }, [gauge, gauge, gauge])).toThrow(/bits, expected 168/);
    expect(() => encodeAsm(8, 1, 15, { airdraught: 2048 })).toThrow(/airdraught/);
    expect(() => encodeAsm(8, 1, 99, {})).toThrow(/no table/);
    expect(() => encodeAsm(8, 1, 15, { airdraught: 1 }, [{}])).toThrow(/no repeated group/);
  });
});

describe('vectors from the field tables', () => {
  it('6/1/15 and 8/1/15: air draught is the first 11 bits of the application data (SN.1/Circ.236 FI 15)', () => {
    expect(view([...HEAD6(1, 15), [1234, 11], [0, 5]])).toMatchObject({ dac: 1, fid: 15, airdraught: 1234 });
    expect(view([...HEAD8(1, 15), [77, 11], [0, 5]])).toMatchObject({ airdraught: 77 });
  });

  it('6/1/16: persons on board is the first 13 bits of the application data (SN.1/Circ.236/289 FI 16)', () => {
    expect(view([...HEAD6(1, 16), [8191, 13], [0, 3]])).toMatchObject({ persons: 8191 });
  });

  it('8/1/17: a message holding exactly one target has one target, not a second all-zero one', () => {
    const target: [number, number][] = [[0, 2], [244000003, 42], [0, 4], [-600, 24], [1200, 25], [359, 9], [30, 6], [125, 10]];
    const o = view([...HEAD8(1, 17), ...target]);
    expect(o['targets']).toEqual([{ idtype: 0, idtype_text: 'mmsi', mmsi: '244000003', lat: -600, lon: 1200, course: 359, second: 30, speed: 125 }]);
    const call: [number, number][] = [[2, 2], ...text('PD"\\3', 7), [0, 4], [0, 24], [0, 25], [0, 9], [0, 6], [0, 10]];
    expect(view([...HEAD8(1, 17), ...target, ...call])['targets']).toMatchObject([{}, { idtype: 2, callsign: 'PD"\\3' }]);
  });

  it('8/1/19: coordinates stay raw under --unscaled, and the object is valid JSON even with quotes in the legend', () => {
    const parts: [number, number][] = [...HEAD8(1, 19), [5, 10], ...text('STATION "A"', 20), [-60_000, 25], [30_000, 24], [1, 2], [9, 5], [12, 5], [30, 6], [11, 5], [0, 102]];
    const raw = view(parts);
    expect(raw).toMatchObject({ station: 'STATION "A"', lon: -60_000, lat: 30_000, signal: 9, nextsignal: 11, hour: 12, minute: 30 });
    expect(raw['signal_text']).toBe('I = "in-bound" only acceptable.');
    expect(JSON.parse(JSON.stringify(raw))).toEqual(raw);
    expect(view(parts, { scaled: true })).toMatchObject({ lon: -1, lat: 0.5 });
  });

  it('8/200/23: the EMMA warning has no second "type"/"class" key, and its times read year-month-day hour:minute', () => {
    const parts: [number, number][] = [
      ...HEAD8(200, 23), [24, 8], [3, 4], [15, 5], [24, 8], [3, 4], [16, 5], [6, 5], [45, 6], [18, 5], [0, 6],
      [600_000, 28], [-600_000, 27], [0, 28], [0, 27], [2, 4], [-5, 9], [12, 9], [1, 2], [3, 4], [0, 6],
    ];
    const o = view(parts);
    expect(o).toMatchObject({ class: 'AIS', type: 8, start: '2024-03-15T06:45', end: '2024-03-16T18:00', emma_type: 2, emma_type_text: 'Rain' });
    expect(o).toMatchObject({ min: -5, max: 12, intensity: 1, intensity_text: 'Medium', wind: 3, wind_text: 'East' });
    expect(view(parts, { scaled: true })).toMatchObject({ start_lon: 1, start_lat: -1 });
  });

  it('6/200/21 and 8/200/24: texts with `"` or `\\` come out as valid JSON', () => {
    const eta: [number, number][] = [...HEAD6(200, 21), ...text('D"', 2), ...text('\\AB', 3), ...text('1', 5), ...text('T', 5), ...text('12', 5), [4, 4], [2, 5], [10, 5], [5, 6], [1, 3], [420, 12], [0, 5]];
    const o = view(eta);
    expect(o).toMatchObject({ country: 'D"', locode: '\\AB', section: '1', terminal: 'T', hectometre: '12', eta: '4-2T10:5', tugs: 1, airdraught: 420 });
    expect(JSON.parse(JSON.stringify(o))).toEqual(o);
    const gauges: [number, number][] = [[1, 11], [-1, 14], [2, 11], [8191, 14], [3, 11], [-8192, 14], [2047, 11], [0, 14]];
    expect(view([...HEAD8(200, 24), ...text('"\\', 2), ...gauges])).toMatchObject({
      country: '"\\',
      gauges: [{ id: 1, level: -1 }, { id: 2, level: 8191 }, { id: 3, level: -8192 }, { id: 2047, level: 0 }],
    });
  });

  it('6/1/25 counts whole 17-bit cargo elements; 6/1/28 reads the waypoints its count announces', () => {
    expect(view([...HEAD6(1, 25), [1, 2], [500, 10], [3, 4], [1203, 13], [9, 4], [0, 13]])).toMatchObject({ unit: 1, amount: 500, cargos: [{ code: 3, subtype: 1203 }, { code: 9, subtype: 0 }] });
    const route: [number, number][] = [...HEAD6(1, 28), [7, 10], [2, 3], [1, 5], [12, 4], [31, 5], [23, 5], [59, 6], [1440, 18], [2, 5], [6_000_000, 28], [-3_000_000, 27], [0, 28], [1, 27]];
    expect(view(route)).toMatchObject({ linkage: 7, sender: 2, rtype: 1, rtype_text: 'Mandatory', start: '12-31T23:59Z', duration: 1440, waypoints: [{ lon: 6_000_000, lat: -3_000_000 }, { lon: 0, lat: 1 }] });
    expect(view(route, { scaled: true })['waypoints']).toEqual([{ lon: 10, lat: -5 }, { lon: 0, lat: 0.000002 }]);
  });
});

describe('vectors from the field tables, the remaining payloads', () => {
  it('8/1/13 fairway closed: three texts, radius and unit, from and to as month-day hour:minute', () => {
    const parts: [number, number][] = [...HEAD8(1, 13), ...text('ICE', 20), ...text('BUOY 3', 20), ...text('BUOY 7', 20), [250, 10], [1, 2], [14, 5], [2, 4], [6, 5], [0, 6], [28, 5], [2, 4], [18, 5], [30, 6], [0, 4]];
    expect(view(parts)).toMatchObject({ reason: 'ICE', closefrom: 'BUOY 3', closeto: 'BUOY 7', radius: 250, extunit: 1, from: '02-14T06:00', to: '02-28T18:30' });
  });

  it('8/1/27 route: as many waypoints as the count field says; 8/1/29 text runs to the end', () => {
    const parts: [number, number][] = [...HEAD8(1, 27), [1, 10], [0, 3], [5, 5], [6, 4], [1, 5], [0, 5], [0, 6], [60, 18], [1, 5], [-1, 28], [-1, 27]];
    expect(view(parts)).toMatchObject({ rtype: 5, rtype_text: 'Ship route plan', start: '06-01T00:00Z', duration: 60, waypoints: [{ lon: -1, lat: -1 }] });
    expect(view([...HEAD8(1, 29), [1023, 10], ...text('SAFE "PASSAGE"', 14)])).toMatchObject({ linkage: 1023, text: 'SAFE "PASSAGE"' });
  });

  it('8/200/40 signal status and 6/200/22 RTA: positions, legends, status', () => {
    const signal: [number, number][] = [...HEAD8(200, 40), [3_000_000, 28], [-1_200_000, 27], [2, 4], [90, 9], [1, 3], [4, 30], [0, 11]];
    expect(view(signal)).toMatchObject({ lon: 3_000_000, lat: -1_200_000, form: 2, facing: 90, direction: 1, direction_text: 'Upstream', status: 4, status_text: 'Green' });
    expect(view(signal, { scaled: true })).toMatchObject({ lon: 5, lat: -2 });
    const rta: [number, number][] = [...HEAD6(200, 22), ...text('NL', 2), ...text('RTM', 3), ...text('00001', 5), ...text('LOCK1', 5), ...text('00123', 5), [7, 4], [4, 5], [13, 5], [45, 6], [1, 2], [0, 2]];
    expect(view(rta)).toMatchObject({ country: 'NL', locode: 'RTM', section: '00001', terminal: 'LOCK1', hectometre: '00123', eta: '7-4T13:45', status: 1, status_text: 'Limited operation' });
  });

  it('6/1/20 berthing data: 26 two-bit service fields between the time and the berth name', () => {
    const services: [number, number][] = Array.from({ length: 26 }, (_, k): [number, number] => [k % 4, 2]);
    const parts: [number, number][] = [...HEAD6(1, 20), [9, 10], [300, 9], [125, 8], [1, 3], [5, 4], [20, 5], [8, 5], [15, 6], [1, 1], ...services, ...text('QUAY 5', 20), [600, 25], [-600, 24]];
    const o = view(parts);
    expect(o).toMatchObject({ linkage: 9, berth_length: 300, position: 1, position_text: 'Port-side to', arrival: '5-20T8:15', availability: 1, agent: 0, fuel: 1, chandler: 2, stevedore: 3, future2: 1 });
    expect(o).toMatchObject({ berth_name: 'QUAY 5', berth_lon: 600, berth_lat: -600, berth_depth: 125 });
    expect(view(parts, { scaled: true })).toMatchObject({ berth_lon: 0.01, berth_lat: -0.01, berth_depth: 12.5 });
  });
});

describe('M.1371-5 and the circulars where gpsd 3.22 reads otherwise (the standard by default, gpsd under gpsdCompat)', () => {
  it('messages 25/26 addressed: 2 spare bits follow the destination MMSI (Tables 80, 82)', () => {
    const parts: [number, number][] = [[25, 6], [0, 2], [211000001, 30], [1, 1], [1, 1], [244000002, 30], [0, 2], [0xabcd, 16], [0xf0, 8]];
    const m = decodeAis(bitsOf(parts));
    expect(m).toMatchObject({ dest_mmsi: 244000002, app_id: 0xabcd, dataBits: 8 });
    expect(view(parts)).toMatchObject({ app_id: 0xabcd, data: '8:f0' });
    // gpsd reads the application identifier and data 2 bits early.
    expect(view(parts, { gpsdCompat: true })).toMatchObject({ app_id: 0xabcd >> 2, data: '10:7c00' });
    const back = encodeAis(m);
    expect(back.bitLength).toBe(96);
    expect(decodeAis(back)).toEqual(m);
  });

  it('message 26: `data` carries the data bits only, not the communication state that follows them', () => {
    const parts: [number, number][] = [[26, 6], [0, 2], [211000001, 30], [0, 1], [0, 1], [0b101, 3], [0xfffff, 20]];
    expect(view(parts)).toMatchObject({ data: '3:a0', radio: 0xfffff });
    expect(view(parts, { gpsdCompat: true })).toMatchObject({ data: '3:bf' });
  });

  it('6/1/14 and 6/1/32: as many tidal windows as the message holds whole; gpsd adds an all-zero one', () => {
    const window: [number, number][] = [[-1, 25], [2, 24], [1, 5], [2, 6], [3, 5], [4, 6], [5, 9], [6, 8]];
    const parts: [number, number][] = [...HEAD6(1, 32), [7, 4], [8, 5], ...window];
    const tidal = { lon: -1, lat: 2, from_hour: 1, from_min: 2, to_hour: 3, to_min: 4, cdir: 5, cspeed: 6 };
    expect(view(parts)['tidals']).toEqual([tidal]);
    expect(view(parts, { gpsdCompat: true })['tidals']).toEqual([tidal, { lon: 0, lat: 0, from_hour: 0, from_min: 0, to_hour: 0, to_min: 0, cdir: 0, cspeed: 0 }]);
    const fi14: [number, number][] = [...HEAD6(1, 14), [7, 4], [8, 5], [2, 27], [-1, 28], [1, 5], [2, 6], [3, 5], [4, 6], [5, 9], [6, 7]];
    expect(view(fi14)['tidals']).toEqual([{ ...tidal, lon: -1, lat: 2 }]);
    expect(view(fi14, { gpsdCompat: true })['tidals']).toHaveLength(2);
  });

  it('message 24 part B: vendor ID of 3 characters, then unit model code and serial number (M.1371-5 message 24 part B)', () => {
    const parts: [number, number][] = [[24, 6], [0, 2], [211000001, 30], [1, 2], [37, 8], ...text('ABC', 3), [5, 4], [123456, 20], ...text('CALL', 7), [1, 9], [2, 9], [3, 6], [4, 6], [0, 6]];
    expect(view(parts)).toMatchObject({ vendorid: 'ABC', model: 5, serial: 123456, callsign: 'CALL' });
    // gpsd prints the M.1371-3 7-character field, which swallows model and serial.
    // model 5 and serial 123456 are the characters T ^ I @ there (the @ ends the text).
    expect(view(parts, { gpsdCompat: true })['vendorid']).toBe('ABCT^I');
  });
});

describe('hostile payloads: any bits under a known DAC/FI', () => {
  it('never throws and always yields JSON that parses back to itself, in every mode', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ASMS), fc.uint8Array({ maxLength: 120 }), fc.integer({ min: 0, max: 7 }), fc.boolean(), fc.boolean(), (def, bytes, cut, scaled, gpsdCompat) => {
        const dataBits = Math.max(0, bytes.length * 8 - cut);
        const m = def.type === 6
          ? { type: 6, repeat: 0, mmsi: 1, seqno: 0, dest_mmsi: 2, retransmit: false, dac: def.dac, fid: def.fid, data: bytes, dataBits }
          : { type: 8, repeat: 0, mmsi: 1, dac: def.dac, fid: def.fid, data: bytes, dataBits };
        const bits = encodeAis(m as AisMessage);
        const o = toGpsdJson(decodeAis(bits), { scaled, bits, gpsdCompat });
        expect(JSON.parse(JSON.stringify(o))).toEqual(o);
        expect(o['class']).toBe('AIS');
        expect(o['type']).toBe(def.type);
      }),
      { numRuns: 2000 },
    );
  });
});
