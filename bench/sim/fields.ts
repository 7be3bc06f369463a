/**
 * The AIS message contents the simulator asks to transmit, as plain records with gpsd's JSON field names and the raw
 * (unscaled) integers of `gpsdecode -u` — checked against ../shared/corpus/gpsd/sample.aivdm.ju.chk. Derived display
 * fields (`status_text`, `shiptype_text`, `epfd_text`) and gpsd's envelope (`class`, `device`, `scaled`) are left out:
 * they are not bits on the air. Layouts: ITU-R M.1371-5 Annex 8, messages 1–3, 4, 5, 18 and 24.
 */

/** Latitude/longitude raw unit: 1/10000 minute, i.e. degrees × 600000 (gpsd -u: lon −74037230 = −123.395383°). */
export const LATLON_SCALE = 600_000;
/** Speed over ground raw unit 1/10 knot; 1023 = not available, 1022 = 102.2 kn or more. */
export const SPEED_NA = 1023;
/** Course over ground raw unit 1/10 degree; 3600 = not available. */
export const COURSE_NA = 3600;
/** True heading in degrees; 511 = not available. */
export const HEADING_NA = 511;
/** Rate of turn raw `turn` (ROT_AIS = 4.733·√(°/min)); −128 = no turn information. */
export const TURN_NA = -128;

/** The kinematic fields Class A and Class B position reports share, under the same names and units. */
export interface PositionFields {
  speed: number;
  accuracy: boolean;
  lon: number;
  lat: number;
  course: number;
  heading: number;
  second: number;
}

/** Messages 1, 2, 3: Class A position report. */
export interface PositionReportFields extends PositionFields {
  type: 1 | 2 | 3;
  repeat: number;
  mmsi: number;
  status: number;
  turn: number;
  maneuver: number;
  raim: boolean;
  radio: number;
}

/** Message 4: base station report; gpsd prints the UTC fields as one `timestamp` string, `YYYY-MM-DDTHH:MM:SSZ`. */
export interface BaseStationFields {
  type: 4;
  repeat: number;
  mmsi: number;
  timestamp: string;
  accuracy: boolean;
  lon: number;
  lat: number;
  epfd: number;
  raim: boolean;
  radio: number;
}

/** Message 5: Class A static and voyage related data; `eta` is `MM-DDTHH:MMZ`, `draught` in 1/10 m. */
export interface StaticVoyageFields {
  type: 5;
  repeat: number;
  mmsi: number;
  imo: number;
  ais_version: number;
  callsign: string;
  shipname: string;
  shiptype: number;
  to_bow: number;
  to_stern: number;
  to_port: number;
  to_starboard: number;
  epfd: number;
  eta: string;
  draught: number;
  destination: string;
  dte: number;
}

/** Message 18: standard Class B position report. */
export interface ClassBPositionFields extends PositionFields {
  type: 18;
  repeat: number;
  mmsi: number;
  reserved: number;
  regional: number;
  cs: boolean;
  display: boolean;
  dsc: boolean;
  band: boolean;
  msg22: boolean;
  raim: boolean;
  radio: number;
}

/**
 * Message 24 part A (`partno` 0, the M.1371 "part number" field). gpsdecode merges A and B into one object unless run
 * with `-s`; the simulator sends the two parts as the two messages they are on the air.
 */
export interface StaticDataAFields {
  type: 24;
  repeat: number;
  mmsi: number;
  partno: 0;
  shipname: string;
}

/**
 * Message 24 part B. gpsd's `vendorid` is the whole 42-bit vendor field as text, overlapping `model` and `serial`;
 * the simulator uses model 0 and serial 0, whose six-bit '@' characters gpsd trims, so `vendorid` is just the
 * three-letter manufacturer code and the three fields agree.
 */
export interface StaticDataBFields {
  type: 24;
  repeat: number;
  mmsi: number;
  partno: 1;
  shiptype: number;
  vendorid: string;
  model: number;
  serial: number;
  callsign: string;
  to_bow: number;
  to_stern: number;
  to_port: number;
  to_starboard: number;
}

export type AisFields =
  | PositionReportFields
  | BaseStationFields
  | StaticVoyageFields
  | ClassBPositionFields
  | StaticDataAFields
  | StaticDataBFields;

/** Message lengths in bits (M.1371-5 Annex 8 tables; msg 24 part A is 160 bits, part B 168). */
export function messageBits(fields: AisFields): number {
  switch (fields.type) {
    case 5:
      return 424;
    case 24:
      return fields.partno === 0 ? 160 : 168;
    default:
      return 168;
  }
}
