/**
 * Application-specific messages (ASM) inside messages 6 and 8 that gpsd decodes as structured data, as field
 * tables over the binary data (ITU-R M.1371-5 Annex 5; IMO SN.1/Circ.236 and SN.1/Circ.289; ERI/CCNR inland
 * DAC 200; GLA DAC 235/250). Starts are message bit positions as in gpsd's AIVDM.adoc, so the data field begins
 * at bit 88 (message 6) or 56 (message 8). The envelope never relies on these: they exist so `decode` shows what
 * gpsd shows. As gpsd does, a DAC/FI match only counts as structured when the length (and, for 200/10, the hazard
 * code) fits; bits a short message lacks read as zero, which is how gpsd reports them.
 */
import { BitReader } from './bits.js';
import { compileLayout, decodeFields, REST, type FieldSpec, type Fields, type Layout } from './_layout.js';

interface AsmArray {
  readonly name: string;
  readonly start: number;
  readonly size: number;
  readonly layout: Layout;
}

export interface AsmDef {
  readonly type: 6 | 8;
  readonly dac: number;
  readonly fid: number;
  /** Exact message length required, if any. */
  readonly messageBits?: number;
  readonly layout: Layout;
  readonly array?: AsmArray;
  readonly accept?: (f: Fields) => boolean;
}

const base = (type: 6 | 8): number => (type === 6 ? 88 : 56);

/** A table starts with a spare that stands for the message header, so contiguity is checked from bit 0. */
function asm(type: 6 | 8, dac: number, fid: number, fields: readonly FieldSpec[], extra: Partial<AsmDef> = {}): AsmDef {
  const layout = compileLayout(`asm${type}.${dac}.${fid}`, [['header', 0, base(type), 'x'], ...fields]);
  return { type, dac, fid, layout, ...extra };
}

function tidals(start: number, fields: readonly FieldSpec[]): AsmArray {
  const layout = compileLayout('tidal', fields);
  return { name: 'tidals', start, size: layout.fixedBits, layout };
}

const METEO_CURRENTS = (at: number): FieldSpec[] => [
  ['cspeed', at, 8, 'u'],
  ['cdir', at + 8, 9, 'u'],
  ['cspeed2', at + 17, 8, 'u'],
  ['cdir2', at + 25, 9, 'u'],
  ['cdepth2', at + 34, 5, 'u'],
  ['cspeed3', at + 39, 8, 'u'],
  ['cdir3', at + 47, 9, 'u'],
  ['cdepth3', at + 56, 5, 'u'],
  ['waveheight', at + 61, 8, 'u'],
  ['waveperiod', at + 69, 6, 'u'],
  ['wavedir', at + 75, 9, 'u'],
  ['swellheight', at + 84, 8, 'u'],
  ['swellperiod', at + 92, 6, 'u'],
  ['swelldir', at + 98, 9, 'u'],
  ['seastate', at + 107, 4, 'u'],
];

/** Hazard codes above this are not ERI values: gpsd then treats 200/10 as unstructured. */
const DAC200FID10_HAZARD_MAX = 5;

export const ASMS: readonly AsmDef[] = [
  // IMO SN.1/Circ.236 dangerous cargo indication.
  asm(6, 1, 12, [
    ['lastport', 88, 30, 't'],
    ['lmonth', 118, 4, 'u'],
    ['lday', 122, 5, 'u'],
    ['lhour', 127, 5, 'u'],
    ['lminute', 132, 6, 'u'],
    ['nextport', 138, 30, 't'],
    ['nmonth', 168, 4, 'u'],
    ['nday', 172, 5, 'u'],
    ['nhour', 177, 5, 'u'],
    ['nminute', 182, 6, 'u'],
    ['dangerous', 188, 120, 't'],
    ['imdcat', 308, 24, 't'],
    ['unid', 332, 13, 'u'],
    ['amount', 345, 10, 'u'],
    ['unit', 355, 2, 'u'],
    ['spare', 357, 3, 'x'],
  ]),
  // IMO SN.1/Circ.236 tidal window: latitude before longitude.
  asm(6, 1, 14, [['month', 88, 4, 'u'], ['day', 92, 5, 'u']], {
    array: tidals(97, [
      ['lat', 0, 27, 'i'],
      ['lon', 27, 28, 'i'],
      ['from_hour', 55, 5, 'u'],
      ['from_min', 60, 6, 'u'],
      ['to_hour', 66, 5, 'u'],
      ['to_min', 71, 6, 'u'],
      ['cdir', 77, 9, 'u'],
      ['cspeed', 86, 7, 'u'],
    ]),
  }),
  // IMO SN.1/Circ.289 clearance time to enter port.
  asm(6, 1, 18, [
    ['linkage', 88, 10, 'u'],
    ['month', 98, 4, 'u'],
    ['day', 102, 5, 'u'],
    ['hour', 107, 5, 'u'],
    ['minute', 112, 6, 'u'],
    ['portname', 118, 120, 't'],
    ['destination', 238, 30, 't'],
    ['lon', 268, 25, 'i'],
    ['lat', 293, 24, 'i'],
    ['spare', 317, 43, 'x'],
  ]),
  // IMO SN.1/Circ.289 text description (addressed).
  asm(6, 1, 30, [['linkage', 88, 10, 'u'], ['text', 98, REST, 't']]),
  // IMO SN.1/Circ.289 tidal window: longitude before latitude, narrower fields than FI 14.
  asm(6, 1, 32, [['month', 88, 4, 'u'], ['day', 92, 5, 'u']], {
    array: tidals(97, [
      ['lon', 0, 25, 'i'],
      ['lat', 25, 24, 'i'],
      ['from_hour', 49, 5, 'u'],
      ['from_min', 54, 6, 'u'],
      ['to_hour', 60, 5, 'u'],
      ['to_min', 65, 6, 'u'],
      ['cdir', 71, 9, 'u'],
      ['cspeed', 80, 8, 'u'],
    ]),
  }),
  // Inland AIS (CCNR) number of persons on board.
  asm(6, 200, 55, [['crew', 88, 8, 'u'], ['passengers', 96, 13, 'u'], ['personnel', 109, 8, 'u'], ['spare', 117, 51, 'x']], {
    messageBits: 168,
  }),
  // GLA AtoN monitoring data (UK DAC 235, Ireland DAC 250).
  ...[235, 250].map((dac) =>
    asm(
      6,
      dac,
      10,
      [
        ['ana_int', 88, 10, 'u'],
        ['ana_ext1', 98, 10, 'u'],
        ['ana_ext2', 108, 10, 'u'],
        ['racon', 118, 2, 'e'],
        ['light', 120, 2, 'e'],
        ['alarm', 122, 1, 'b'],
        ['stat_ext', 123, 8, 'u'],
        ['off_pos', 131, 1, 'b'],
        ['spare', 132, 4, 'x'],
      ],
      { messageBits: 136 },
    ),
  ),
  // IMO SN.1/Circ.236 meteorological and hydrological data (temperatures unsigned with offsets).
  asm(8, 1, 11, [
    ['lat', 56, 24, 'i'],
    ['lon', 80, 25, 'i'],
    ['day', 105, 5, 'u'],
    ['hour', 110, 5, 'u'],
    ['minute', 115, 6, 'u'],
    ['wspeed', 121, 7, 'u'],
    ['wgust', 128, 7, 'u'],
    ['wdir', 135, 9, 'u'],
    ['wgustdir', 144, 9, 'u'],
    ['airtemp', 153, 11, 'u'],
    ['humidity', 164, 7, 'u'],
    ['dewpoint', 171, 10, 'u'],
    ['pressure', 181, 9, 'u'],
    ['pressuretend', 190, 2, 'u'],
    ['visibility', 192, 8, 'u'],
    ['waterlevel', 200, 9, 'u'],
    ['leveltrend', 209, 2, 'u'],
    ...METEO_CURRENTS(211),
    ['watertemp', 322, 10, 'u'],
    ['preciptype', 332, 3, 'e'],
    ['salinity', 335, 9, 'u'],
    ['ice', 344, 2, 'e'],
  ]),
  // IMO SN.1/Circ.289 meteorological and hydrological data (temperatures signed).
  asm(8, 1, 31, [
    ['lon', 56, 25, 'i'],
    ['lat', 81, 24, 'i'],
    ['accuracy', 105, 1, 'b'],
    ['day', 106, 5, 'u'],
    ['hour', 111, 5, 'u'],
    ['minute', 116, 6, 'u'],
    ['wspeed', 122, 7, 'u'],
    ['wgust', 129, 7, 'u'],
    ['wdir', 136, 9, 'u'],
    ['wgustdir', 145, 9, 'u'],
    ['airtemp', 154, 11, 'i'],
    ['humidity', 165, 7, 'u'],
    ['dewpoint', 172, 10, 'i'],
    ['pressure', 182, 9, 'u'],
    ['pressuretend', 191, 2, 'u'],
    ['visgreater', 193, 1, 'b'],
    ['visibility', 194, 7, 'u'],
    ['waterlevel', 201, 12, 'u'],
    ['leveltrend', 213, 2, 'u'],
    ...METEO_CURRENTS(215),
    ['watertemp', 326, 10, 'i'],
    ['preciptype', 336, 3, 'u'],
    ['salinity', 339, 9, 'u'],
    ['ice', 348, 2, 'u'],
  ]),
  // Inland AIS (ERI) static and voyage related data.
  asm(
    8,
    200,
    10,
    [
      ['vin', 56, 48, 't'],
      ['length', 104, 13, 'u'],
      ['beam', 117, 10, 'u'],
      ['shiptype', 127, 14, 'e'],
      ['hazard', 141, 3, 'e'],
      ['draught', 144, 11, 'u'],
      ['loaded', 155, 2, 'e'],
      ['speed_q', 157, 1, 'b'],
      ['course_q', 158, 1, 'b'],
      ['heading_q', 159, 1, 'b'],
      ['spare', 160, 8, 'x'],
    ],
    { messageBits: 168, accept: (f) => (f['hazard'] as number) <= DAC200FID10_HAZARD_MAX },
  ),
];

export interface DecodedAsm {
  readonly def: AsmDef;
  readonly fields: Fields;
  readonly elements: readonly Fields[];
}

/**
 * The structured reading of a message 6/8 binary payload, or `undefined` when gpsd would show it as raw data.
 * `data`/`dataBits` are the application data after DAC/FI.
 */
export function decodeAsm(type: number, dac: number, fid: number, data: Uint8Array, dataBits: number): DecodedAsm | undefined {
  if (type !== 6 && type !== 8) return undefined;
  const def = ASMS.find((d) => d.type === type && d.dac === dac && d.fid === fid);
  if (def === undefined) return undefined;
  const start = base(type);
  const messageBits = start + dataBits;
  if (def.messageBits !== undefined && def.messageBits !== messageBits) return undefined;
  // Zero-extend to whatever the table (and one array element past the end) can touch.
  const reach = Math.max(def.layout.fixedBits, messageBits) + (def.array?.size ?? 0) + 8;
  const bytes = new Uint8Array((reach + 7) >> 3);
  bytes.set(data.subarray(0, (dataBits + 7) >> 3), start >> 3);
  const fields: Fields = {};
  // A trailing text field (1/30) runs to the real end of the message (empty if the message ends before it, as
  // gpsd's `endchars`); fixed tables read the zero-extended copy.
  const end = def.layout.hasRest ? Math.max(messageBits, def.layout.fixedBits) : bytes.length * 8;
  decodeFields(def.layout, new BitReader(bytes, end), fields, type);
  if (def.accept !== undefined && !def.accept(fields)) return undefined;
  const elements: Fields[] = [];
  const array = def.array;
  if (array !== undefined) {
    // gpsd counts an element whenever it *starts* within the message, reading its missing bits as zero.
    const r = new BitReader(bytes);
    for (let at = array.start; at <= messageBits; at += array.size) {
      const e: Fields = {};
      decodeFields(array.layout, r, e, type, at);
      elements.push(e);
    }
  }
  return { def, fields, elements };
}
