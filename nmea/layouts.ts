/**
 * Field tables of the 27 AIS messages of ITU-R M.1371-5 Annex 8 §3 (Tables 45–87; bit positions as in gpsd's
 * AIVDM.adoc, field names as in gpsd's JSON so a view needs no renaming). Interpreted by `_layout.ts`.
 * Variants (22 addressed/broadcast, 24 A/B/auxiliary, 25/26 addressed × structured, 16 one or two stations) are
 * separate tables chosen by a selector that reads the deciding bits on decode and the deciding fields on encode.
 */
import type { BitReader } from './bits.js';
import { compileLayout, REST, type FieldSpec, type Layout, type LayoutOptions } from './_layout.js';

const HEADER = [
  ['type', 0, 6, 'u'],
  ['repeat', 6, 2, 'u'],
  ['mmsi', 8, 30, 'u'],
] as const satisfies readonly FieldSpec[];

/** Types 1, 2, 3: Class A position report (Table 45). */
const POSITION_A = [
  ...HEADER,
  ['status', 38, 4, 'e'],
  ['turn', 42, 8, 'i'],
  ['speed', 50, 10, 'u'],
  ['accuracy', 60, 1, 'b'],
  ['lon', 61, 28, 'i'],
  ['lat', 89, 27, 'i'],
  ['course', 116, 12, 'u'],
  ['heading', 128, 9, 'u'],
  ['second', 137, 6, 'u'],
  ['maneuver', 143, 2, 'e'],
  ['spare', 145, 3, 'x'],
  ['raim', 148, 1, 'b'],
  ['radio', 149, 19, 'u'],
] as const satisfies readonly FieldSpec[];

/** Types 4 and 11: base station report / UTC and date response (Table 46). */
const BASE_STATION = [
  ...HEADER,
  ['year', 38, 14, 'u'],
  ['month', 52, 4, 'u'],
  ['day', 56, 5, 'u'],
  ['hour', 61, 5, 'u'],
  ['minute', 66, 6, 'u'],
  ['second', 72, 6, 'u'],
  ['accuracy', 78, 1, 'b'],
  ['lon', 79, 28, 'i'],
  ['lat', 107, 27, 'i'],
  ['epfd', 134, 4, 'e'],
  ['spare', 138, 10, 'x'],
  ['raim', 148, 1, 'b'],
  ['radio', 149, 19, 'u'],
] as const satisfies readonly FieldSpec[];

/** Type 5: static and voyage related data (Table 48). */
const STATIC_VOYAGE = [
  ...HEADER,
  ['ais_version', 38, 2, 'u'],
  ['imo', 40, 30, 'u'],
  ['callsign', 70, 42, 't'],
  ['shipname', 112, 120, 't'],
  ['shiptype', 232, 8, 'e'],
  ['to_bow', 240, 9, 'u'],
  ['to_stern', 249, 9, 'u'],
  ['to_port', 258, 6, 'u'],
  ['to_starboard', 264, 6, 'u'],
  ['epfd', 270, 4, 'e'],
  ['month', 274, 4, 'u'],
  ['day', 278, 5, 'u'],
  ['hour', 283, 5, 'u'],
  ['minute', 288, 6, 'u'],
  ['draught', 294, 8, 'u'],
  ['destination', 302, 120, 't'],
  ['dte', 422, 1, 'u'],
  ['spare', 423, 1, 'x'],
] as const satisfies readonly FieldSpec[];

/** Type 6: addressed binary message (Table 54); binary data = DAC ‖ FI ‖ application data. */
const ADDRESSED_BINARY = [
  ...HEADER,
  ['seqno', 38, 2, 'u'],
  ['dest_mmsi', 40, 30, 'u'],
  ['retransmit', 70, 1, 'b'],
  ['spare', 71, 1, 'x'],
  ['dac', 72, 10, 'u'],
  ['fid', 82, 6, 'u'],
  ['data', 88, REST, 'd'],
] as const satisfies readonly FieldSpec[];

/** Types 7 and 13: binary / safety acknowledge, one to four destinations (Table 56). */
const ACKNOWLEDGE = [
  ...HEADER,
  ['spare', 38, 2, 'x'],
  ['mmsi1', 40, 30, 'u'],
  ['mmsiseq1', 70, 2, 'u'],
  ['mmsi2', 72, 30, 'u', 'opt'],
  ['mmsiseq2', 102, 2, 'u', 'opt'],
  ['mmsi3', 104, 30, 'u', 'opt'],
  ['mmsiseq3', 134, 2, 'u', 'opt'],
  ['mmsi4', 136, 30, 'u', 'opt'],
  ['mmsiseq4', 166, 2, 'u', 'opt'],
] as const satisfies readonly FieldSpec[];

/** Type 8: binary broadcast message (Table 57). */
const BROADCAST_BINARY = [
  ...HEADER,
  ['spare', 38, 2, 'x'],
  ['dac', 40, 10, 'u'],
  ['fid', 50, 6, 'u'],
  ['data', 56, REST, 'd'],
] as const satisfies readonly FieldSpec[];

/** Type 9: standard SAR aircraft position report (Table 59). */
const SAR_AIRCRAFT = [
  ...HEADER,
  ['alt', 38, 12, 'u'],
  ['speed', 50, 10, 'u'],
  ['accuracy', 60, 1, 'b'],
  ['lon', 61, 28, 'i'],
  ['lat', 89, 27, 'i'],
  ['course', 116, 12, 'u'],
  ['second', 128, 6, 'u'],
  ['regional', 134, 8, 'u'],
  ['dte', 142, 1, 'u'],
  ['spare', 143, 3, 'x'],
  ['assigned', 146, 1, 'b'],
  ['raim', 147, 1, 'b'],
  ['radio', 148, 20, 'u'],
] as const satisfies readonly FieldSpec[];

/** Type 10: UTC and date inquiry (Table 60). */
const UTC_INQUIRY = [
  ...HEADER,
  ['spare', 38, 2, 'x'],
  ['dest_mmsi', 40, 30, 'u'],
  ['spare2', 70, 2, 'x'],
] as const satisfies readonly FieldSpec[];

/** Type 12: addressed safety related message (Table 61). */
const ADDRESSED_SAFETY = [
  ...HEADER,
  ['seqno', 38, 2, 'u'],
  ['dest_mmsi', 40, 30, 'u'],
  ['retransmit', 70, 1, 'b'],
  ['spare', 71, 1, 'x'],
  ['text', 72, REST, 't'],
] as const satisfies readonly FieldSpec[];

/** Type 14: safety related broadcast message (Table 63). */
const BROADCAST_SAFETY = [...HEADER, ['spare', 38, 2, 'x'], ['text', 40, REST, 't']] as const satisfies readonly FieldSpec[];

/** Type 15: interrogation (Table 64): station 1 with one or two requests, optionally station 2. */
const INTERROGATION = [
  ...HEADER,
  ['spare', 38, 2, 'x'],
  ['mmsi1', 40, 30, 'u'],
  ['type1_1', 70, 6, 'u'],
  ['offset1_1', 76, 12, 'u'],
  ['spare2', 88, 2, 'x', 'opt'],
  ['type1_2', 90, 6, 'u', 'opt'],
  ['offset1_2', 96, 12, 'u', 'opt'],
  ['spare3', 108, 2, 'x', 'opt'],
  ['mmsi2', 110, 30, 'u', 'opt'],
  ['type2_1', 140, 6, 'u', 'opt'],
  ['offset2_1', 146, 12, 'u', 'opt'],
  ['spare4', 158, 2, 'x', 'opt'],
] as const satisfies readonly FieldSpec[];

/** Type 16: assigned mode command (Table 65), one station (96 bits) or two (144 bits). */
const ASSIGNED_ONE = [
  ...HEADER,
  ['spare', 38, 2, 'x'],
  ['mmsi1', 40, 30, 'u'],
  ['offset1', 70, 12, 'u'],
  ['increment1', 82, 10, 'u'],
  ['spare2', 92, 4, 'x'],
] as const satisfies readonly FieldSpec[];
const ASSIGNED_TWO = [
  ...ASSIGNED_ONE.slice(0, -1),
  ['mmsi2', 92, 30, 'u'],
  ['offset2', 122, 12, 'u'],
  ['increment2', 134, 10, 'u'],
] as const satisfies readonly FieldSpec[];

/** Type 17: GNSS broadcast binary message (Table 66); DGNSS correction data kept raw. */
const GNSS_BINARY = [
  ...HEADER,
  ['spare', 38, 2, 'x'],
  ['lon', 40, 18, 'i'],
  ['lat', 58, 17, 'i'],
  ['spare2', 75, 5, 'x'],
  ['data', 80, REST, 'd'],
] as const satisfies readonly FieldSpec[];

/** Type 18: standard Class B position report (Table 67). */
const POSITION_B = [
  ...HEADER,
  ['reserved', 38, 8, 'u'],
  ['speed', 46, 10, 'u'],
  ['accuracy', 56, 1, 'b'],
  ['lon', 57, 28, 'i'],
  ['lat', 85, 27, 'i'],
  ['course', 112, 12, 'u'],
  ['heading', 124, 9, 'u'],
  ['second', 133, 6, 'u'],
  ['regional', 139, 2, 'u'],
  ['cs', 141, 1, 'b'],
  ['display', 142, 1, 'b'],
  ['dsc', 143, 1, 'b'],
  ['band', 144, 1, 'b'],
  ['msg22', 145, 1, 'b'],
  ['assigned', 146, 1, 'b'],
  ['raim', 147, 1, 'b'],
  ['radio', 148, 20, 'u'],
] as const satisfies readonly FieldSpec[];

/** Type 19: extended Class B position report (Table 68). */
const POSITION_B_EXTENDED = [
  ...HEADER,
  ['reserved', 38, 8, 'u'],
  ['speed', 46, 10, 'u'],
  ['accuracy', 56, 1, 'b'],
  ['lon', 57, 28, 'i'],
  ['lat', 85, 27, 'i'],
  ['course', 112, 12, 'u'],
  ['heading', 124, 9, 'u'],
  ['second', 133, 6, 'u'],
  ['regional', 139, 4, 'u'],
  ['shipname', 143, 120, 't'],
  ['shiptype', 263, 8, 'e'],
  ['to_bow', 271, 9, 'u'],
  ['to_stern', 280, 9, 'u'],
  ['to_port', 289, 6, 'u'],
  ['to_starboard', 295, 6, 'u'],
  ['epfd', 301, 4, 'e'],
  ['raim', 305, 1, 'b'],
  ['dte', 306, 1, 'u'],
  ['assigned', 307, 1, 'b'],
  ['spare', 308, 4, 'x'],
] as const satisfies readonly FieldSpec[];

/** Type 20: data link management (Table 69), one to four reservations. */
const LINK_MANAGEMENT = [
  ...HEADER,
  ['spare', 38, 2, 'x'],
  ['offset1', 40, 12, 'u'],
  ['number1', 52, 4, 'u'],
  ['timeout1', 56, 3, 'u'],
  ['increment1', 59, 11, 'u'],
  ['offset2', 70, 12, 'u', 'opt'],
  ['number2', 82, 4, 'u', 'opt'],
  ['timeout2', 86, 3, 'u', 'opt'],
  ['increment2', 89, 11, 'u', 'opt'],
  ['offset3', 100, 12, 'u', 'opt'],
  ['number3', 112, 4, 'u', 'opt'],
  ['timeout3', 116, 3, 'u', 'opt'],
  ['increment3', 119, 11, 'u', 'opt'],
  ['offset4', 130, 12, 'u', 'opt'],
  ['number4', 142, 4, 'u', 'opt'],
  ['timeout4', 146, 3, 'u', 'opt'],
  ['increment4', 149, 11, 'u', 'opt'],
] as const satisfies readonly FieldSpec[];

/** Type 21: aid-to-navigation report (Table 70); the name extension takes 0–88 trailing bits. */
const AID_TO_NAVIGATION = [
  ...HEADER,
  ['aid_type', 38, 5, 'e'],
  ['name', 43, 120, 't'],
  ['accuracy', 163, 1, 'b'],
  ['lon', 164, 28, 'i'],
  ['lat', 192, 27, 'i'],
  ['to_bow', 219, 9, 'u'],
  ['to_stern', 228, 9, 'u'],
  ['to_port', 237, 6, 'u'],
  ['to_starboard', 243, 6, 'u'],
  ['epfd', 249, 4, 'e'],
  ['second', 253, 6, 'u'],
  ['off_position', 259, 1, 'b'],
  ['regional', 260, 8, 'u'],
  ['raim', 268, 1, 'b'],
  ['virtual_aid', 269, 1, 'b'],
  ['assigned', 270, 1, 'b'],
  ['spare', 271, 1, 'x'],
  ['name_ext', 272, REST, 't'],
] as const satisfies readonly FieldSpec[];

/** Type 22: channel management (Table 71); bit 139 selects a destination pair or a geographic area. */
const CHANNEL_HEAD = [
  ...HEADER,
  ['spare', 38, 2, 'x'],
  ['channel_a', 40, 12, 'u'],
  ['channel_b', 52, 12, 'u'],
  ['txrx', 64, 4, 'u'],
  ['power', 68, 1, 'b'],
] as const satisfies readonly FieldSpec[];
const CHANNEL_TAIL = [
  ['addressed', 139, 1, 'b'],
  ['band_a', 140, 1, 'b'],
  ['band_b', 141, 1, 'b'],
  ['zonesize', 142, 3, 'u'],
  ['spare3', 145, 23, 'x'],
] as const satisfies readonly FieldSpec[];
const CHANNEL_AREA = [
  ...CHANNEL_HEAD,
  ['ne_lon', 69, 18, 'i'],
  ['ne_lat', 87, 17, 'i'],
  ['sw_lon', 104, 18, 'i'],
  ['sw_lat', 122, 17, 'i'],
  ...CHANNEL_TAIL,
] as const satisfies readonly FieldSpec[];
const CHANNEL_ADDRESSED = [
  ...CHANNEL_HEAD,
  ['dest1', 69, 30, 'u'],
  ['spare2', 99, 5, 'x'],
  ['dest2', 104, 30, 'u'],
  ['spare4', 134, 5, 'x'],
  ...CHANNEL_TAIL,
] as const satisfies readonly FieldSpec[];

/** Type 23: group assignment command (Table 72). */
const GROUP_ASSIGNMENT = [
  ...HEADER,
  ['spare', 38, 2, 'x'],
  ['ne_lon', 40, 18, 'i'],
  ['ne_lat', 58, 17, 'i'],
  ['sw_lon', 75, 18, 'i'],
  ['sw_lat', 93, 17, 'i'],
  ['stationtype', 110, 4, 'e'],
  ['shiptype', 114, 8, 'e'],
  ['spare2', 122, 22, 'x'],
  ['txrx', 144, 2, 'u'],
  ['interval', 146, 4, 'e'],
  ['quiet', 150, 4, 'u'],
  ['spare3', 154, 6, 'x'],
] as const satisfies readonly FieldSpec[];

/**
 * Type 24: static data report (Tables 73–74), part A (name) or part B (type, vendor, call sign, dimensions). Part B's
 * vendor ID is 3 characters, unit model code and serial number (M.1371-4/5 Annex 8, message 24 part B; 7 characters in M.1371-3).
 */
const STATIC_A = [
  ...HEADER,
  ['partno', 38, 2, 'u'],
  ['shipname', 40, 120, 't'],
  ['spare', 160, 8, 'x'],
] as const satisfies readonly FieldSpec[];
const STATIC_B_HEAD = [
  ...HEADER,
  ['partno', 38, 2, 'u'],
  ['shiptype', 40, 8, 'e'],
  ['vendorid', 48, 18, 't'],
  ['model', 66, 4, 'u'],
  ['serial', 70, 20, 'u'],
  ['callsign', 90, 42, 't'],
] as const satisfies readonly FieldSpec[];
const STATIC_B = [
  ...STATIC_B_HEAD,
  ['to_bow', 132, 9, 'u'],
  ['to_stern', 141, 9, 'u'],
  ['to_port', 150, 6, 'u'],
  ['to_starboard', 156, 6, 'u'],
  ['spare', 162, 6, 'x'],
] as const satisfies readonly FieldSpec[];
/** Auxiliary craft (MMSI 98MIDxxxx, M.585) carry their mother ship's MMSI instead of dimensions. */
const STATIC_B_AUX = [...STATIC_B_HEAD, ['mothership_mmsi', 132, 30, 'u'], ['spare', 162, 6, 'x']] as const satisfies readonly FieldSpec[];

/**
 * Types 25 and 26: single/multiple slot binary message (Tables 80 and 82). An addressed message's destination
 * field is 32 bits: the 30-bit MMSI and 2 spare bits (M.1371-4/5; gpsd 3.22 starts the data right after the MMSI).
 */
const slotBinary = (addressed: boolean, structured: boolean, radio: boolean): FieldSpec[] => {
  const f: FieldSpec[] = [...HEADER, ['addressed', 38, 1, 'b'], ['structured', 39, 1, 'b']];
  let pos = 40;
  if (addressed) f.push(['dest_mmsi', pos, 30, 'u'], ['dest_spare', pos + 30, 2, 'x']), (pos += 32);
  if (structured) f.push(['app_id', pos, 16, 'u']), (pos += 16);
  f.push(['data', pos, REST, 'd']);
  if (radio) f.push(['radio', -20, 20, 'u']);
  return f;
};

/** Type 27: long-range AIS broadcast (Table 79). */
const LONG_RANGE = [
  ...HEADER,
  ['accuracy', 38, 1, 'b'],
  ['raim', 39, 1, 'b'],
  ['status', 40, 4, 'e'],
  ['lon', 44, 18, 'i'],
  ['lat', 62, 17, 'i'],
  ['speed', 79, 6, 'u'],
  ['course', 85, 9, 'u'],
  ['gnss', 94, 1, 'b'],
  ['spare', 95, 1, 'x'],
] as const satisfies readonly FieldSpec[];

export interface MessageDef {
  readonly type: number;
  readonly layouts: Readonly<Record<string, Layout>>;
  /** Which layout applies: from the message bits when decoding, from the message fields when encoding. */
  readonly select: {
    readonly bits: (r: BitReader) => string | undefined;
    readonly fields: (m: Readonly<Record<string, unknown>>) => string | undefined;
  };
}

const ONLY = { bits: () => 'main', fields: () => 'main' } as const;

function single(type: number, fields: readonly FieldSpec[], options?: LayoutOptions): MessageDef {
  return { type, layouts: { main: compileLayout(`type${type}`, fields, options) }, select: ONLY };
}

function variants(
  type: number,
  tables: Record<string, readonly FieldSpec[]>,
  select: MessageDef['select'],
  options: Record<string, LayoutOptions> = {},
): MessageDef {
  const layouts: Record<string, Layout> = {};
  for (const [key, fields] of Object.entries(tables)) layouts[key] = compileLayout(`type${type}${key}`, fields, options[key]);
  return { type, layouts, select };
}

const isAuxiliary = (mmsi: number): boolean => Math.floor(mmsi / 10_000_000) === 98;
const flag = (v: unknown): string => (v === true ? '1' : v === false ? '0' : '?');

/** Message definitions indexed by type (index 0 unused). */
export const MESSAGES: readonly (MessageDef | undefined)[] = [
  undefined,
  // Class A reports of 163 bits are seen in the wild (gpsd driver_ais.c: "some are 163").
  single(1, POSITION_A, { shortfall: 5 }),
  single(2, POSITION_A, { shortfall: 5 }),
  single(3, POSITION_A, { shortfall: 5 }),
  single(4, BASE_STATION),
  // Many transmitters send 420 or 422 bits (gpsd AIVDM.adoc, "Type 5"); the missing tail reads as zero.
  single(5, STATIC_VOYAGE, { shortfall: 4 }),
  single(6, ADDRESSED_BINARY),
  single(7, ACKNOWLEDGE, { padToByte: true }),
  single(8, BROADCAST_BINARY),
  single(9, SAR_AIRCRAFT),
  single(10, UTC_INQUIRY),
  single(11, BASE_STATION),
  single(12, ADDRESSED_SAFETY),
  single(13, ACKNOWLEDGE, { padToByte: true }),
  single(14, BROADCAST_SAFETY),
  single(15, INTERROGATION, { padToByte: true }),
  variants(16, { one: ASSIGNED_ONE, two: ASSIGNED_TWO }, {
    bits: (r) => (r.bitLength >= 144 ? 'two' : 'one'),
    fields: (m) => (m['mmsi2'] === undefined ? 'one' : 'two'),
  }),
  single(17, GNSS_BINARY),
  single(18, POSITION_B),
  single(19, POSITION_B_EXTENDED),
  single(20, LINK_MANAGEMENT, { padToByte: true }),
  single(21, AID_TO_NAVIGATION),
  variants(22, { area: CHANNEL_AREA, addressed: CHANNEL_ADDRESSED }, {
    bits: (r) => (r.bitLength > 139 ? (r.u(139, 1) === 1 ? 'addressed' : 'area') : 'area'),
    fields: (m) => (m['addressed'] === true ? 'addressed' : 'area'),
  }),
  single(23, GROUP_ASSIGNMENT),
  variants(
    24,
    { A: STATIC_A, B: STATIC_B, Baux: STATIC_B_AUX },
    {
      bits: (r) => part24(r.bitLength >= 40 ? r.u(38, 2) : -1, r.u(8, 30)),
      fields: (m) => part24(typeof m['partno'] === 'number' ? m['partno'] : -1, typeof m['mmsi'] === 'number' ? m['mmsi'] : 0),
    },
    // Part A is often sent as 160 bits without its trailing spare (pyais #120, libais #177).
    { A: { shortfall: 8 } },
  ),
  slotBinaryDef(25, false),
  slotBinaryDef(26, true),
  single(27, LONG_RANGE),
];

function part24(partno: number, mmsi: number): string | undefined {
  if (partno === 0) return 'A';
  if (partno === 1) return isAuxiliary(mmsi) ? 'Baux' : 'B';
  return undefined;
}

function slotBinaryDef(type: number, radio: boolean): MessageDef {
  const tables: Record<string, FieldSpec[]> = {};
  for (const a of [false, true]) for (const s of [false, true]) tables[`${flag(a)}${flag(s)}`] = slotBinary(a, s, radio);
  return variants(type, tables, {
    bits: (r) => (r.bitLength >= 40 ? `${r.u(38, 1)}${r.u(39, 1)}` : undefined),
    fields: (m) => `${flag(m['addressed'])}${flag(m['structured'])}`,
  });
}
