/**
 * gpsd's JSON view of each AIS message type (gpsd `gpsd_json.c`, AIVDM.adoc), as data: which fields of the
 * type's layout (layouts.ts) gpsd prints, in its key order, and how. gpsd-compiled.ts turns each view and layout into
 * a writer that reads the bits straight into JSON text; gpsd.ts `toGpsdJson` builds the same view as an object and
 * is the reference the writers are tested against (test/nmea/gpsd-compiled.test.ts).
 *
 * Item kinds (a field named but absent from a variant's layout is left out, except for `n`, which shows 0):
 *   [k]                   the field as decoded: number, or boolean for a 1-bit `b` field
 *   [k, 'n']              the number, 0 when the variant has no such field
 *   [k, 'text']           6-bit text up to the first `@`, trailing spaces and `@` dropped (gpsd.ts `gpsdText`)
 *   [k, 'legend', L?]     the number and `k_text`, its legend (legend L, default k)
 *   [k, 'word', L]        scaled: the legend text; unscaled: the number
 *   [k, 'turn']           rate of turn; [k, 'tenth', na?] tenths (na: shown as "nan"); [k, 'deg', per, digits]
 *   [k, 'area']           area corner in 1/10 minute, shown with 6 decimals
 *   [k, 'stamp', tpl]     text from fields: `{name:width}` is the field zero-padded to width
 *   [k, 'zx', at, width, after?]  raw bits, the missing ones as zero (gpsd's zeroed buffer); 0 unless the message
 *                         is longer than `after` bits
 *   [k, 'data', field]    `bits:hex` of a `d` field, gpsd's raw binary data
 *   [k, 'aidname']        message 21's name, with the extension when the 20-character name is full
 */
import type { LegendName } from './_legends.js';

export type ViewItem =
  | readonly [key: string]
  | readonly [key: string, kind: 'n' | 'text' | 'turn' | 'area' | 'aidname']
  | readonly [key: string, kind: 'legend', legend?: LegendName]
  | readonly [key: string, kind: 'word', legend: LegendName]
  | readonly [key: string, kind: 'tenth', notAvailable?: number]
  | readonly [key: string, kind: 'deg', perDegree: number, digits: number]
  | readonly [key: string, kind: 'stamp', template: string]
  | readonly [key: string, kind: 'zx', at: number, width: number, after?: number]
  | readonly [key: string, kind: 'data', field: string];

const DIMENSIONS = [['to_bow'], ['to_stern'], ['to_port'], ['to_starboard']] as const satisfies readonly ViewItem[];
const POSITION = [['lon', 'deg', 600_000, 6], ['lat', 'deg', 600_000, 6]] as const satisfies readonly ViewItem[];
const COURSE = ['course', 'tenth', 3600] as const satisfies ViewItem;

const POSITION_A: readonly ViewItem[] = [
  ['status', 'legend'], ['turn', 'turn'], ['speed', 'tenth', 1023], ['accuracy'], ...POSITION, COURSE,
  ['heading'], ['second'], ['maneuver'], ['raim'], ['radio'],
];
const BASE_STATION: readonly ViewItem[] = [
  ['timestamp', 'stamp', '{year:4}-{month:2}-{day:2}T{hour:2}:{minute:2}:{second:2}Z'], ['accuracy'], ...POSITION,
  ['epfd', 'legend'], ['raim'], ['radio'],
];
const ACKNOWLEDGE: readonly ViewItem[] = [0, 1, 2, 3].map((u) => [`mmsi${u + 1}`, 'zx', 40 + 32 * u, 30, 40 + 32 * u] as const);
const SLOT_BINARY: readonly ViewItem[] = [['addressed'], ['structured'], ['dest_mmsi', 'n'], ['app_id', 'n'], ['data', 'data', 'data']];

/** Views by message type; type 24 (paired by the stream), 6 and 8 (payload tables) are presented by gpsd.ts alone. */
export const VIEWS: Readonly<Record<number, readonly ViewItem[]>> = {
  1: POSITION_A,
  2: POSITION_A,
  3: POSITION_A,
  4: BASE_STATION,
  5: [
    ['imo'], ['ais_version'], ['callsign', 'text'], ['shipname', 'text'], ['shiptype', 'legend'], ...DIMENSIONS,
    ['epfd', 'legend'], ['eta', 'stamp', '{month:2}-{day:2}T{hour:2}:{minute:2}Z'], ['draught', 'tenth'],
    ['destination', 'text'], ['dte'],
  ],
  7: ACKNOWLEDGE,
  9: [['alt'], ['speed', 'n'], ['accuracy'], ...POSITION, COURSE, ['second'], ['regional'], ['dte'], ['raim'], ['radio']],
  10: [['dest_mmsi']],
  11: BASE_STATION,
  12: [['seqno'], ['dest_mmsi'], ['retransmit'], ['text', 'text']],
  13: ACKNOWLEDGE,
  14: [['text', 'text']],
  // gpsd takes the second request when the message is longer than 90 bits, the second station beyond 110.
  15: [
    ['mmsi1', 'n'], ['type1_1', 'n'], ['offset1_1', 'n'], ['type1_2', 'zx', 90, 6, 90], ['offset1_2', 'zx', 96, 12, 90],
    ['mmsi2', 'zx', 110, 30, 110], ['type2_1', 'zx', 140, 6, 110], ['offset2_1', 'zx', 146, 12, 110],
  ],
  16: [['mmsi1', 'n'], ['offset1', 'n'], ['increment1', 'n'], ['mmsi2', 'n'], ['offset2', 'n'], ['increment2', 'n']],
  17: [['lon', 'deg', 600, 1], ['lat', 'deg', 600, 1], ['data', 'data', 'data']],
  18: [
    ['reserved'], ['speed', 'tenth', 1023], ['accuracy'], ...POSITION, COURSE, ['heading'], ['second'], ['regional'],
    ['cs'], ['display'], ['dsc'], ['band'], ['msg22'], ['raim'], ['radio'],
  ],
  19: [
    ['reserved'], ['speed', 'tenth', 1023], ['accuracy'], ...POSITION, COURSE, ['heading'], ['second'], ['regional'],
    ['shipname', 'text'], ['shiptype', 'legend'], ...DIMENSIONS, ['epfd', 'legend'], ['raim'], ['dte'], ['assigned'],
  ],
  20: [1, 2, 3, 4].flatMap((i): ViewItem[] => {
    const at = 40 + 30 * (i - 1);
    return [[`offset${i}`, 'zx', at, 12], [`number${i}`, 'zx', at + 12, 4], [`timeout${i}`, 'zx', at + 16, 3], [`increment${i}`, 'zx', at + 19, 11]];
  }),
  21: [
    ['aid_type', 'legend'], ['name', 'aidname'], ['accuracy'], ...POSITION, ...DIMENSIONS, ['epfd', 'legend'], ['second'],
    ['regional'], ['off_position'], ['raim'], ['virtual_aid'],
  ],
  // The addressed variant has dest1/dest2, the broadcast one the area: each shows what its layout has.
  22: [
    ['channel_a'], ['channel_b'], ['txrx'], ['power'], ['dest1'], ['dest2'], ['ne_lon', 'area'], ['ne_lat', 'area'],
    ['sw_lon', 'area'], ['sw_lat', 'area'], ['addressed'], ['band_a'], ['band_b'], ['zonesize'],
  ],
  23: [
    ['ne_lon', 'area'], ['ne_lat', 'area'], ['sw_lon', 'area'], ['sw_lat', 'area'], ['stationtype', 'legend'],
    ['shiptype', 'legend'], ['interval'], ['quiet'],
  ],
  25: SLOT_BINARY,
  26: [...SLOT_BINARY, ['radio']],
  27: [
    ['status', 'word', 'status'], ['accuracy'], ['lon', 'deg', 600, 1], ['lat', 'deg', 600, 1], ['speed', 'n'], ['course', 'n'],
    ['raim'], ['gnss'],
  ],
};
