/**
 * Application-specific messages (ASM) inside messages 6 and 8 that gpsd decodes as structured data, as field
 * tables over the binary data (ITU-R M.1371-5 Annex 5; IMO SN.1/Circ.236 and SN.1/Circ.289; Inland AIS, UNECE
 * Inland ECDIS/Inland AIS standard, DAC 200; GLA DAC 235/250). Starts are message bit positions as in gpsd's
 * AIVDM.adoc, so the data field begins at bit 88 (message 6) or 56 (message 8); field names are gpsd's JSON names.
 * The envelope never relies on these: they exist so `decode` shows what gpsd shows, read as the standards define
 * them (README "Deliberate differences" lists where gpsd 3.22 reads otherwise). As gpsd does, a DAC/FI match only
 * counts as structured when the length (and, for 200/10, the hazard code) fits; bits a short message lacks read as
 * zero, which is how gpsd reports them.
 */
import { BitReader, BitWriter } from './bits.js';
import { compileLayout, decodeFields, encodeFields, REST, type FieldSpec, type Fields, type Layout } from './_layout.js';
import type { LegendName } from './_legends.js';
import type { ApplicationData } from './binary.js';

/**
 * How many elements a repeated group has: `whole` — every complete element the message holds (the standards'
 * variable-length groups); or the value of a count field sent before the group (IMO SN.1/Circ.289 routes).
 */
type ArrayCount = { readonly kind: 'whole'; readonly max: number } | { readonly kind: 'field'; readonly field: string };

interface AsmArray {
  readonly name: string;
  readonly start: number;
  readonly size: number;
  readonly layout: Layout;
  readonly count: ArrayCount;
  /**
   * gpsd 3.22 counts an element whenever it *starts* within the message (`start + k·size <= length`), adding an
   * all-zero element when the message ends on an element boundary; offered only under `gpsdCompat`.
   */
  readonly gpsdStartsWithin?: boolean;
}

/**
 * gpsd's JSON presentation of one key, data-driven so a serialiser can be compiled from it:
 *   [key] the field as decoded (text trimmed as gpsd does) · [key, 'deg', perDegree, digits] a scaled coordinate ·
 *   [key, 'scale', factor, digits] · [key, 'offset', add, divisor, digits] (raw + add) / divisor ·
 *   [key, 'word', name] the legend in place of the value when scaled · [key, 'legend', name] the value and `key_text` · [key, 'stamp', template] a
 *   string from other fields (`{f}` or zero-padded `{f:2}`) · [key, 'array', element] the repeated group ·
 *   [key, 'target'] the VTS target identifier, keyed by its legend (IMO SN.1/Circ.289 FI 17).
 */
export type JsonSpec =
  | readonly [key: string]
  | readonly [key: string, kind: 'deg', perDegree: number, digits: number]
  | readonly [key: string, kind: 'scale', factor: number, digits: number]
  | readonly [key: string, kind: 'offset', add: number, divisor: number, digits: number]
  | readonly [key: string, kind: 'word', legend: LegendName]
  | readonly [key: string, kind: 'legend', legend: LegendName]
  | readonly [key: string, kind: 'stamp', template: string]
  | readonly [key: string, kind: 'array', element: readonly JsonSpec[]]
  | readonly [key: string, kind: 'target'];

export interface AsmDef {
  readonly type: 6 | 8;
  readonly dac: number;
  readonly fid: number;
  /** Exact message length required, if any. */
  readonly messageBits?: number;
  readonly layout: Layout;
  readonly array?: AsmArray;
  readonly accept?: (f: Fields) => boolean;
  /** The JSON view, in gpsd's key order. */
  readonly json: readonly JsonSpec[];
}

const base = (type: 6 | 8): number => (type === 6 ? 88 : 56);

/** A table starts with a spare that stands for the message header, so contiguity is checked from bit 0. */
function asm(type: 6 | 8, dac: number, fid: number, fields: readonly FieldSpec[], extra: Partial<AsmDef> & Pick<AsmDef, 'json'>): AsmDef {
  const layout = compileLayout(`asm${type}.${dac}.${fid}`, [['header', 0, base(type), 'x'], ...fields]);
  return { type, dac, fid, layout, ...extra };
}

function group(name: string, start: number, fields: readonly FieldSpec[], count: ArrayCount, gpsdStartsWithin = false): AsmArray {
  const layout = compileLayout(name, fields);
  return { name, start, size: layout.fixedBits, layout, count, gpsdStartsWithin };
}

/** Tidal windows (IMO SN.1/Circ.236 FI 14, SN.1/Circ.289 FI 32): as many whole elements as the message holds. */
const tidals = (start: number, fields: readonly FieldSpec[]): AsmArray => group('tidals', start, fields, { kind: 'whole', max: 3 }, true);

/** Route information (IMO SN.1/Circ.289 FI 27/28): `waycount` waypoints of 55 bits. */
const waypoints = (start: number): AsmArray =>
  group('waypoints', start, [['lon', 0, 28, 'i'], ['lat', 28, 27, 'i']], { kind: 'field', field: 'waycount' });

const ROUTE = (at: number): FieldSpec[] => [
  ['linkage', at, 10, 'u'],
  ['sender', at + 10, 3, 'u'],
  ['rtype', at + 13, 5, 'e'],
  ['month', at + 18, 4, 'u'],
  ['day', at + 22, 5, 'u'],
  ['hour', at + 27, 5, 'u'],
  ['minute', at + 32, 6, 'u'],
  ['duration', at + 38, 18, 'u'],
  ['waycount', at + 56, 5, 'u'],
];
const ROUTE_JSON: readonly JsonSpec[] = [
  ['linkage'],
  ['sender'],
  ['rtype', 'legend', 'rtype'],
  ['start', 'stamp', '{month:2}-{day:2}T{hour:2}:{minute:2}Z'],
  ['duration'],
  ['waypoints', 'array', [['lon', 'deg', 600_000, 6], ['lat', 'deg', 600_000, 6]]],
];

/** Inland AIS lock/bridge/terminal identification (ETA FI 21, RTA FI 22). */
const INLAND_PLACE = (at: number): FieldSpec[] => [
  ['country', at, 12, 't'],
  ['locode', at + 12, 18, 't'],
  ['section', at + 30, 30, 't'],
  ['terminal', at + 60, 30, 't'],
  ['hectometre', at + 90, 30, 't'],
  ['month', at + 120, 4, 'u'],
  ['day', at + 124, 5, 'u'],
  ['hour', at + 129, 5, 'u'],
  ['minute', at + 134, 6, 'u'],
];
const INLAND_PLACE_JSON: readonly JsonSpec[] = [
  ['country'],
  ['locode'],
  ['section'],
  ['terminal'],
  ['hectometre'],
  ['eta', 'stamp', '{month}-{day}T{hour}:{minute}'],
];

const BERTH_SERVICES = [
  'agent', 'fuel', 'chandler', 'stevedore', 'electrical', 'water', 'customs', 'cartage', 'crane', 'lift', 'medical',
  'navrepair', 'provisions', 'shiprepair', 'surveyor', 'steam', 'tugs', 'solidwaste', 'liquidwaste', 'hazardouswaste',
  'ballast', 'additional', 'regional1', 'regional2', 'future1', 'future2',
] as const;

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

const TIDAL_JSON: readonly JsonSpec[] = [
  ['month'],
  ['day'],
  [
    'tidals',
    'array',
    [['lon', 'deg', 60_000, 4], ['lat', 'deg', 60_000, 4], ['from_hour'], ['from_min'], ['to_hour'], ['to_min'], ['cdir'], ['cspeed', 'offset', 0, 10, 1]],
  ],
];

const METEO_HEAD_JSON: readonly JsonSpec[] = [['timestamp', 'stamp', '{day:2}T{hour:2}:{minute:2}Z'], ['wspeed'], ['wgust'], ['wdir'], ['wgustdir'], ['humidity']];

const METEO_CURRENTS_JSON: readonly JsonSpec[] = [
  ['leveltrend', 'word', 'trend'],
  ['cspeed', 'offset', 0, 10, 1],
  ['cdir'],
  ['cspeed2', 'offset', 0, 10, 1],
  ['cdir2'],
  ['cdepth2'],
  ['cspeed3', 'offset', 0, 10, 1],
  ['cdir3'],
  ['cdepth3'],
  ['waveheight', 'offset', 0, 10, 1],
  ['waveperiod'],
  ['wavedir'],
  ['swellheight', 'offset', 0, 10, 1],
  ['swellperiod'],
  ['swelldir'],
  ['seastate'],
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
  ], {
    json: [
      ['lastport'],
      ['departure', 'stamp', '{lmonth:2}-{lday:2}T{lhour:2}:{lminute:2}Z'],
      ['nextport'],
      ['eta', 'stamp', '{nmonth:2}-{nday:2}T{nhour:2}:{nminute:2}Z'],
      ['dangerous'],
      ['imdcat'],
      ['unid'],
      ['amount'],
      ['unit'],
    ],
  }),
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
    json: TIDAL_JSON,
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
  ], {
    json: [
      ['linkage'],
      ['arrival', 'stamp', '{month:2}-{day:2}T{hour:2}:{minute:2}Z'],
      ['portname'],
      ['destination'],
      ['lon', 'deg', 60_000, 4],
      ['lat', 'deg', 60_000, 4],
    ],
  }),
  // IMO SN.1/Circ.289 text description (addressed).
  asm(6, 1, 30, [['linkage', 88, 10, 'u'], ['text', 98, REST, 't']], { json: [['linkage'], ['text']] }),
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
    json: TIDAL_JSON,
  }),
  // Inland AIS (CCNR) number of persons on board.
  asm(6, 200, 55, [['crew', 88, 8, 'u'], ['passengers', 96, 13, 'u'], ['personnel', 109, 8, 'u'], ['spare', 117, 51, 'x']], {
    messageBits: 168,
    json: [['crew'], ['passengers'], ['personnel']],
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
      {
        messageBits: 136,
        json: [
          ['off_pos'],
          ['alarm'],
          ['stat_ext'],
          ['ana_int', 'scale', 0.05, 2],
          ['ana_ext1', 'scale', 0.05, 2],
          ['ana_ext2', 'scale', 0.05, 2],
          ['racon', 'legend', 'racon'],
          ['light', 'legend', 'light'],
        ],
      },
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
  ], {
    json: [
      ['lat', 'deg', 60_000, 4],
      ['lon', 'deg', 60_000, 4],
      ...METEO_HEAD_JSON,
      ['airtemp', 'offset', -600, 10, 1],
      ['dewpoint', 'offset', -200, 10, 1],
      ['pressure', 'offset', 800, 1, 0],
      ['pressuretend', 'word', 'trend'],
      ['visibility', 'offset', 0, 10, 1],
      ['waterlevel', 'offset', -100, 10, 1],
      ...METEO_CURRENTS_JSON,
      ['watertemp', 'offset', -100, 10, 1],
      ['preciptype', 'legend', 'preciptype'],
      ['salinity', 'offset', 0, 10, 1],
      ['ice', 'legend', 'ice'],
    ],
  }),
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
  ], {
    json: [
      ['lat', 'deg', 60_000, 4],
      ['lon', 'deg', 60_000, 4],
      ['accuracy'],
      ...METEO_HEAD_JSON,
      ['airtemp', 'offset', 0, 10, 1],
      ['dewpoint', 'offset', 0, 10, 1],
      ['pressure', 'offset', 799, 1, 0],
      ['pressuretend', 'word', 'trend'],
      ['visgreater'],
      ['visibility', 'offset', 0, 10, 1],
      // Sent in centimetres; gpsd prints one decimal of metres.
      ['waterlevel', 'offset', -1000, 100, 1],
      ...METEO_CURRENTS_JSON,
      ['watertemp', 'offset', 0, 10, 1],
      ['preciptype', 'word', 'preciptype'],
      ['salinity', 'offset', 0, 10, 1],
      ['ice', 'word', 'ice'],
    ],
  }),
  // IMO SN.1/Circ.236 fairway closed.
  asm(
    8,
    1,
    13,
    [
      ['reason', 56, 120, 't'],
      ['closefrom', 176, 120, 't'],
      ['closeto', 296, 120, 't'],
      ['radius', 416, 10, 'u'],
      ['extunit', 426, 2, 'u'],
      ['fday', 428, 5, 'u'],
      ['fmonth', 433, 4, 'u'],
      ['fhour', 437, 5, 'u'],
      ['fminute', 442, 6, 'u'],
      ['tday', 448, 5, 'u'],
      ['tmonth', 453, 4, 'u'],
      ['thour', 457, 5, 'u'],
      ['tminute', 462, 6, 'u'],
      ['spare', 468, 4, 'x'],
    ],
    {
      json: [
        ['reason'],
        ['closefrom'],
        ['closeto'],
        ['radius'],
        ['extunit'],
        ['from', 'stamp', '{fmonth:2}-{fday:2}T{fhour:2}:{fminute:2}'],
        ['to', 'stamp', '{tmonth:2}-{tday:2}T{thour:2}:{tminute:2}'],
      ],
    },
  ),
  // IMO SN.1/Circ.236 extended ship static and voyage related data: air draught at the start of the data.
  asm(8, 1, 15, [['airdraught', 56, 11, 'u'], ['spare', 67, 5, 'x']], { json: [['airdraught']] }),
  asm(6, 1, 15, [['airdraught', 88, 11, 'u'], ['spare', 99, 5, 'x']], { json: [['airdraught']] }),
  // IMO SN.1/Circ.236/289 number of persons on board (addressed): the count at the start of the data.
  asm(6, 1, 16, [['persons', 88, 13, 'u'], ['spare', 101, 3, 'x']], { json: [['persons']] }),
  // IMO SN.1/Circ.289 VTS-generated/synthetic targets: whole 122-bit targets.
  asm(8, 1, 17, [], {
    array: group(
      'targets',
      56,
      [
        ['idtype', 0, 2, 'e'],
        ['id', 2, 42, 'u'],
        ['spare', 44, 4, 'x'],
        ['lat', 48, 24, 'i'],
        ['lon', 72, 25, 'i'],
        ['course', 97, 9, 'u'],
        ['second', 106, 6, 'u'],
        ['speed', 112, 10, 'u'],
      ],
      { kind: 'whole', max: 7 },
    ),
    json: [
      [
        'targets',
        'array',
        [['idtype', 'legend', 'idtype'], ['id', 'target'], ['lat', 'deg', 60_000, 4], ['lon', 'deg', 60_000, 4], ['course'], ['second'], ['speed']],
      ],
    ],
  }),
  // IMO SN.1/Circ.289 marine traffic signal.
  asm(
    8,
    1,
    19,
    [
      ['linkage', 56, 10, 'u'],
      ['station', 66, 120, 't'],
      ['lon', 186, 25, 'i'],
      ['lat', 211, 24, 'i'],
      ['status', 235, 2, 'u'],
      ['signal', 237, 5, 'e'],
      ['hour', 242, 5, 'u'],
      ['minute', 247, 6, 'u'],
      ['nextsignal', 253, 5, 'e'],
      ['spare', 258, 102, 'x'],
    ],
    {
      json: [
        ['linkage'],
        ['station'],
        ['lon', 'deg', 60_000, 4],
        ['lat', 'deg', 60_000, 4],
        ['status'],
        ['signal', 'legend', 'signal'],
        ['hour'],
        ['minute'],
        ['nextsignal', 'legend', 'signal'],
      ],
    },
  ),
  // IMO SN.1/Circ.289 route information (broadcast / addressed).
  asm(8, 1, 27, ROUTE(56), { array: waypoints(117), json: ROUTE_JSON }),
  asm(6, 1, 28, ROUTE(88), { array: waypoints(149), json: ROUTE_JSON }),
  // IMO SN.1/Circ.289 text description (broadcast).
  asm(8, 1, 29, [['linkage', 56, 10, 'u'], ['text', 66, REST, 't']], { json: [['linkage'], ['text']] }),
  // IMO SN.1/Circ.289 berthing data (addressed).
  asm(
    6,
    1,
    20,
    [
      ['linkage', 88, 10, 'u'],
      ['berth_length', 98, 9, 'u'],
      ['berth_depth', 107, 8, 'u'],
      ['position', 115, 3, 'e'],
      ['month', 118, 4, 'u'],
      ['day', 122, 5, 'u'],
      ['hour', 127, 5, 'u'],
      ['minute', 132, 6, 'u'],
      ['availability', 138, 1, 'u'],
      ...BERTH_SERVICES.map((name, k): FieldSpec => [name, 139 + 2 * k, 2, 'u']),
      ['berth_name', 191, 120, 't'],
      ['berth_lon', 311, 25, 'i'],
      ['berth_lat', 336, 24, 'i'],
    ],
    {
      json: [
        ['linkage'],
        ['berth_length'],
        ['position', 'legend', 'position'],
        ['arrival', 'stamp', '{month}-{day}T{hour}:{minute}'],
        ['availability'],
        ...BERTH_SERVICES.map((name): JsonSpec => [name]),
        ['berth_name'],
        ['berth_lon', 'deg', 60_000, 4],
        ['berth_lat', 'deg', 60_000, 4],
        ['berth_depth', 'scale', 0.1, 1],
      ],
    },
  ),
  // IMO SN.1/Circ.289 dangerous cargo indication (addressed): whole 17-bit cargo elements.
  asm(6, 1, 25, [['unit', 88, 2, 'u'], ['amount', 90, 10, 'u']], {
    array: group('cargos', 100, [['code', 0, 4, 'u'], ['subtype', 4, 13, 'u']], { kind: 'whole', max: 28 }),
    json: [['unit'], ['amount'], ['cargos', 'array', [['code'], ['subtype']]]],
  }),
  // Inland AIS ETA at lock/bridge/terminal (addressed).
  asm(6, 200, 21, [...INLAND_PLACE(88), ['tugs', 228, 3, 'u'], ['airdraught', 231, 12, 'u'], ['spare', 243, 5, 'x']], {
    messageBits: 248,
    json: [...INLAND_PLACE_JSON, ['tugs'], ['airdraught']],
  }),
  // Inland AIS RTA at lock/bridge/terminal (addressed).
  asm(6, 200, 22, [...INLAND_PLACE(88), ['status', 228, 2, 'e'], ['spare', 230, 2, 'x']], {
    messageBits: 232,
    json: [...INLAND_PLACE_JSON, ['status', 'legend', 'rta']],
  }),
  // Inland AIS EMMA warning.
  asm(
    8,
    200,
    23,
    [
      ['start_year', 56, 8, 'u'],
      ['start_month', 64, 4, 'u'],
      ['start_day', 68, 5, 'u'],
      ['end_year', 73, 8, 'u'],
      ['end_month', 81, 4, 'u'],
      ['end_day', 85, 5, 'u'],
      ['start_hour', 90, 5, 'u'],
      ['start_minute', 95, 6, 'u'],
      ['end_hour', 101, 5, 'u'],
      ['end_minute', 106, 6, 'u'],
      ['start_lon', 112, 28, 'i'],
      ['start_lat', 140, 27, 'i'],
      ['end_lon', 167, 28, 'i'],
      ['end_lat', 195, 27, 'i'],
      ['emma_type', 222, 4, 'e'],
      ['min', 226, 9, 'i'],
      ['max', 235, 9, 'i'],
      ['intensity', 244, 2, 'e'],
      ['wind', 246, 4, 'e'],
      ['spare', 250, 6, 'x'],
    ],
    {
      messageBits: 256,
      json: [
        // Year, month, day, hour, minute in that order (gpsd 3.22 prints hour and minute in the day's place).
        ['start', 'stamp', '{start_year:4+2000}-{start_month:2}-{start_day:2}T{start_hour:2}:{start_minute:2}'],
        ['end', 'stamp', '{end_year:4+2000}-{end_month:2}-{end_day:2}T{end_hour:2}:{end_minute:2}'],
        ['start_lon', 'deg', 600_000, 6],
        ['start_lat', 'deg', 600_000, 6],
        ['end_lon', 'deg', 600_000, 6],
        ['end_lat', 'deg', 600_000, 6],
        // gpsd 3.22 names these "type" and "class", repeating the message's own keys in the same object.
        ['emma_type', 'legend', 'emma_type'],
        ['min'],
        ['max'],
        ['intensity', 'legend', 'emma_class'],
        ['wind', 'legend', 'emma_wind'],
      ],
    },
  ),
  // Inland AIS water levels: country and four gauges.
  asm(8, 200, 24, [['country', 56, 12, 't']], {
    messageBits: 168,
    array: group('gauges', 68, [['id', 0, 11, 'u'], ['level', 11, 14, 'i']], { kind: 'whole', max: 4 }),
    json: [['country'], ['gauges', 'array', [['id'], ['level']]]],
  }),
  // Inland AIS signal status.
  asm(
    8,
    200,
    40,
    [
      ['lon', 56, 28, 'i'],
      ['lat', 84, 27, 'i'],
      ['form', 111, 4, 'u'],
      ['facing', 115, 9, 'u'],
      ['direction', 124, 3, 'e'],
      ['status', 127, 30, 'e'],
      ['spare', 157, 11, 'x'],
    ],
    {
      messageBits: 168,
      json: [['lon', 'deg', 600_000, 6], ['lat', 'deg', 600_000, 6], ['form'], ['facing'], ['direction', 'legend', 'direction'], ['status', 'legend', 'signal_light']],
    },
  ),
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
    {
      messageBits: 168,
      accept: (f) => (f['hazard'] as number) <= DAC200FID10_HAZARD_MAX,
      // gpsd leaves the inland dimensions in decimetres / centimetres even when scaling.
      json: [
        ['vin'],
        ['length'],
        ['beam'],
        ['shiptype', 'legend', 'eri'],
        ['hazard', 'legend', 'hazard'],
        ['draught'],
        ['loaded', 'legend', 'loaded'],
        ['speed_q'],
        ['course_q'],
        ['heading_q'],
      ],
    },
  ),
];

export interface DecodedAsm {
  readonly def: AsmDef;
  readonly fields: Fields;
  readonly elements: readonly Fields[];
}

export interface AsmOptions {
  /** Count tidal windows as gpsd 3.22 does (an element whenever one starts within the message). */
  readonly gpsdCompat?: boolean;
}

export function findAsm(type: number, dac: number, fid: number): AsmDef | undefined {
  return ASMS.find((d) => d.type === type && d.dac === dac && d.fid === fid);
}

/**
 * The structured reading of a message 6/8 binary payload, or `undefined` when it is shown as raw data.
 * `data`/`dataBits` are the application data after DAC/FI.
 */
export function decodeAsm(type: number, dac: number, fid: number, data: Uint8Array, dataBits: number, options: AsmOptions = {}): DecodedAsm | undefined {
  if (type !== 6 && type !== 8) return undefined;
  const def = findAsm(type, dac, fid);
  if (def === undefined) return undefined;
  const start = base(type);
  const messageBits = start + dataBits;
  if (def.messageBits !== undefined && def.messageBits !== messageBits) return undefined;
  const array = def.array;
  // Zero-extend to whatever the table and its repeated group can touch.
  const reach = Math.max(def.layout.fixedBits, messageBits) + (array === undefined ? 0 : array.size * (array.count.kind === 'field' ? 32 : 1)) + 8;
  const bytes = new Uint8Array((reach + 7) >> 3);
  bytes.set(data.subarray(0, (dataBits + 7) >> 3), start >> 3);
  const fields: Fields = {};
  // A trailing text field runs to the real end of the message (empty if the message ends before it, as gpsd's
  // `endchars`); fixed tables read the zero-extended copy.
  const end = def.layout.hasRest ? Math.max(messageBits, def.layout.fixedBits) : bytes.length * 8;
  decodeFields(def.layout, new BitReader(bytes, end), fields, type);
  if (def.accept !== undefined && !def.accept(fields)) return undefined;
  const elements: Fields[] = [];
  if (array !== undefined) {
    let n: number;
    if (array.count.kind === 'field') n = fields[array.count.field] as number;
    else if (options.gpsdCompat === true && array.gpsdStartsWithin === true) n = Math.max(0, Math.floor((messageBits - array.start) / array.size) + 1);
    else n = Math.max(0, Math.floor((messageBits - array.start) / array.size));
    const r = new BitReader(bytes);
    for (let k = 0; k < n; k++) {
      const e: Fields = {};
      decodeFields(array.layout, r, e, type, array.start + k * array.size);
      elements.push(e);
    }
  }
  return { def, fields, elements };
}

/**
 * Encodes a structured payload into binary data (DAC, FI and application data), the inverse of `decodeAsm`.
 * A counted group takes its count from `elements`; `RangeError`/`TypeError` name the offending field.
 */
export function encodeAsm(type: 6 | 8, dac: number, fid: number, fields: Readonly<Record<string, unknown>>, elements: readonly Readonly<Record<string, unknown>>[] = []): ApplicationData {
  const def = findAsm(type, dac, fid);
  if (def === undefined) throw new RangeError(`asm ${type}/${dac}/${fid}: no table`);
  const what = `asm${type}.${dac}.${fid}`;
  const array = def.array;
  const own: Record<string, unknown> = { ...fields };
  if (array === undefined) {
    if (elements.length > 0) throw new RangeError(`${what}: has no repeated group`);
  } else if (array.count.kind === 'field') own[array.count.field] = elements.length;
  else if (elements.length > array.count.max) throw new RangeError(`${what}.${array.name}: at most ${array.count.max} elements`);
  const w = new BitWriter(def.layout.fixedBits + 64);
  encodeFields(def.layout, own, w, what);
  if (array !== undefined) {
    if (w.bitLength !== array.start) throw new RangeError(`${what}: group starts at ${array.start}, fields end at ${w.bitLength}`);
    elements.forEach((e, k) => encodeFields(array.layout, e, w, `${what}.${array.name}[${k}]`));
  }
  const bits = w.finish();
  const start = base(type);
  if (def.messageBits !== undefined && bits.bitLength !== def.messageBits) throw new RangeError(`${what}: ${bits.bitLength} bits, expected ${def.messageBits}`);
  const n = bits.bitLength - start;
  return { dac, fid, data: new BitReader(bits.bytes, bits.bitLength).slice(start, n), dataBits: n };
}
