/**
 * Vessel traffic: Class A and Class B "CS" ships with plausible tracks, and base stations, each reporting at the
 * ITU-R M.1371-5 autonomous intervals (Annex 1 Tables 1 and 2; digest in ../shared/reference/ais-and-nmea.md §2.4).
 * The output is a time-ordered stream of transmission requests whose `fields` are raw gpsd-named records (fields.ts)
 * for the NMEA encoder; the VDL model decides when they reach the air.
 *
 * Tracks are legs on the local plane (geo.ts): straight legs of a few minutes alternating with constant-rate turns,
 * the way a ship is conned; a vessel far from the centre turns back so the traffic stays inside one VHF cell. Each
 * vessel draws its legs from its own RNG stream, so a track does not depend on when or how often it is sampled.
 */
import { EventHeap } from './_heap.js';
import { etaString, isoSecond, utcParts } from './_utc.js';
import {
  COURSE_NA,
  HEADING_NA,
  LATLON_SCALE,
  type AisFields,
  type BaseStationFields,
  type ClassBPositionFields,
  type PositionReportFields,
  type StaticDataAFields,
  type StaticDataBFields,
  type StaticVoyageFields,
} from './fields.js';
import { NM, bearingDeg, toGeo, turnDeg, wrap360, type GeoPoint, type LocalPoint } from './geo.js';
import type { Rng } from './rng.js';

/** Navigational status codes used here (M.1371-5 Annex 8, message 1 "navigational status"). */
export const NavStatus = { underWayEngine: 0, atAnchor: 1, moored: 5, fishing: 7, underWaySailing: 8 } as const;

/** Static reports (msg 5, msg 24 A/B) every 6 min (M.1371-5 Annex 1, reporting intervals of static information). */
export const STATIC_INTERVAL_MS = 360_000;
/** Base station report (msg 4) every 10 s (M.1371-5 Annex 1 Table 2). */
export const BASE_INTERVAL_MS = 10_000;
/** Msg 24 part B follows part A (M.1371-5 Annex 8 msg 24: within 1 min); a fixed 1 s keeps the pair together. */
export const PART_B_DELAY_MS = 1000;
/** Slot length: one frame of 60 s holds 2250 slots (M.1371-5 Annex 2); used for the comm-state slot numbers. */
const SLOT_MS = 60_000 / 2250;
/** Fastest speed the tracks produce: the model's envelope, not the field's maximum. */
const MAX_SOG_KN = 25;

/** What a vessel's transponder carries in its static reports. */
export interface ShipStatic {
  readonly shipname: string;
  readonly callsign: string;
  readonly shiptype: number;
  readonly imo: number;
  readonly to_bow: number;
  readonly to_stern: number;
  readonly to_port: number;
  readonly to_starboard: number;
  /** 1/10 m. */
  readonly draught: number;
  readonly destination: string;
  /** UTC ms of the ETA. */
  readonly etaMs: number;
  /** Three-letter manufacturer code for msg 24 B. */
  readonly vendorid: string;
}

export interface VesselSpec {
  readonly kind: 'A' | 'B';
  readonly mmsi: number;
  readonly start: LocalPoint;
  readonly cogDeg: number;
  readonly sogKn: number;
  readonly status: number;
  /** false: one straight leg at constant speed forever (anchored ships, and tests that need exact intervals). */
  readonly manoeuvring: boolean;
  /** Heading minus course over ground (leeway, set), degrees. */
  readonly headingOffsetDeg: number;
  readonly static: ShipStatic;
  /** Time of the first position report and of the first static report, ms from t = 0. */
  readonly firstReportMs: number;
  readonly firstStaticMs: number;
}

export interface BaseStationSpec {
  readonly kind: 'base';
  readonly mmsi: number;
  readonly position: LocalPoint;
  readonly firstReportMs: number;
}

export type StationSpec = VesselSpec | BaseStationSpec;

export interface TrafficConfig {
  readonly centre: GeoPoint;
  /** Vessels beyond 80 % of this radius turn back towards the centre at their next manoeuvre. */
  readonly areaRadiusNm: number;
  /** UTC (ms since 1970) at simulated t = 0: base station timestamps, the `second` field, comm-state UTC. */
  readonly epochMs: number;
  readonly stations: readonly StationSpec[];
}

export type RequestKind = 'position' | 'static' | 'base';

/** One report a station wants on the air at `t` (ms of simulated time). */
export interface TransmissionRequest {
  readonly t: number;
  readonly mmsi: number;
  readonly kind: RequestKind;
  readonly fields: AisFields;
}

/** Where a vessel is and how it moves at one instant. */
export interface Kinematics {
  readonly position: LocalPoint;
  readonly cogDeg: number;
  readonly sogKn: number;
  /** Rate of turn, degrees per minute, + to starboard; 0 on a straight leg. */
  readonly rotDegPerMin: number;
}

/** Pull-based, time-ordered report stream; infinite, so the caller stops it at the end of its scenario. */
export interface Traffic {
  readonly centre: GeoPoint;
  readonly stations: readonly StationSpec[];
  /** Time of the next request. */
  peekTime(): number;
  next(): TransmissionRequest;
  /** Any station's position at t (base stations are fixed); undefined for an unknown MMSI. */
  positionAt(mmsi: number, t: number): LocalPoint | undefined;
  kinematicsAt(mmsi: number, t: number): Kinematics | undefined;
}

/**
 * Class A autonomous reporting interval (M.1371-5 Annex 1 Table 1): at anchor or moored and ≤ 3 kn: 3 min; at anchor
 * and faster: 10 s; 0–14 kn: 10 s (3⅓ s while changing course); 14–23 kn: 6 s (2 s); > 23 kn: 2 s.
 */
export function classAIntervalMs(k: { sogKn: number; status: number; turning: boolean }): number {
  const anchored = k.status === NavStatus.atAnchor || k.status === NavStatus.moored;
  if (anchored) return k.sogKn <= 3 ? 180_000 : 10_000;
  if (k.sogKn <= 14) return k.turning ? 10_000 / 3 : 10_000;
  if (k.sogKn <= 23) return k.turning ? 2000 : 6000;
  return 2000;
}

/** Class B "CS" reporting interval (M.1371-5 Annex 1 Table 2): ≤ 2 kn: 3 min, otherwise 30 s. */
export function classBIntervalMs(sogKn: number): number {
  return sogKn <= 2 ? 180_000 : 30_000;
}

// ---------------------------------------------------------------------------------------------------------------------
// Tracks

interface Leg {
  readonly t0: number;
  readonly x0: number;
  readonly y0: number;
  readonly cog0: number;
  readonly sogKn: number;
  /** deg/min, 0 = straight. */
  readonly rot: number;
  readonly t1: number;
}

/**
 * Straight legs last 5–30 min: in a busy coastal area a ship alters course a few times an hour, and each turn sends it
 * to the faster "changing course" rate of Table 1 for its duration.
 */
const MIN_STRAIGHT_MS = 300_000;
const MAX_STRAIGHT_MS = 1_800_000;
/** Metres per millisecond at one knot. */
const M_PER_MS_PER_KN = NM / 3_600_000;
const RAD = Math.PI / 180;

/** Closed-form position on a leg; valid slightly before t0 as well, so late queries extrapolate smoothly. */
function onLeg(leg: Leg, t: number): Kinematics {
  const dt = t - leg.t0;
  const v = leg.sogKn * M_PER_MS_PER_KN;
  const h0 = leg.cog0 * RAD;
  if (leg.rot === 0) {
    return {
      position: { x: leg.x0 + v * dt * Math.sin(h0), y: leg.y0 + v * dt * Math.cos(h0) },
      cogDeg: leg.cog0,
      sogKn: leg.sogKn,
      rotDegPerMin: 0,
    };
  }
  const w = (leg.rot * RAD) / 60_000;
  const h = h0 + w * dt;
  return {
    position: { x: leg.x0 + (v / w) * (Math.cos(h0) - Math.cos(h)), y: leg.y0 + (v / w) * (Math.sin(h) - Math.sin(h0)) },
    cogDeg: wrap360(h / RAD),
    sogKn: leg.sogKn,
    rotDegPerMin: leg.rot,
  };
}

class Track {
  private previous: Leg | undefined;
  private current: Leg;

  constructor(
    private readonly spec: VesselSpec,
    private readonly rng: Rng,
    private readonly turnBackM: number,
  ) {
    // The ship was already under way at t = 0: its first leg ends anywhere from a minute on.
    const straightMs = spec.manoeuvring ? rng.uniform(60_000, MAX_STRAIGHT_MS) : Infinity;
    this.current = { t0: 0, x0: spec.start.x, y0: spec.start.y, cog0: spec.cogDeg, sogKn: spec.sogKn, rot: 0, t1: straightMs };
  }

  at(t: number): Kinematics {
    while (t >= this.current.t1) {
      this.previous = this.current;
      this.current = this.nextLeg(this.current);
    }
    // Only the last two legs are kept; a query older than both extrapolates the older one.
    const leg = t < this.current.t0 && this.previous !== undefined ? this.previous : this.current;
    return onLeg(leg, t);
  }

  private nextLeg(leg: Leg): Leg {
    const end = onLeg(leg, leg.t1);
    const rng = this.rng;
    const straight = (): Leg => ({
      t0: leg.t1,
      x0: end.position.x,
      y0: end.position.y,
      cog0: end.cogDeg,
      sogKn: Math.min(MAX_SOG_KN, Math.max(0.5, this.spec.sogKn + rng.normal(0, 0.3))),
      rot: 0,
      t1: leg.t1 + rng.uniform(MIN_STRAIGHT_MS, MAX_STRAIGHT_MS),
    });
    if (leg.rot !== 0) return straight();
    const outside = Math.hypot(end.position.x, end.position.y) > this.turnBackM;
    const target = outside
      ? bearingDeg(end.position, { x: 0, y: 0 }) + rng.normal(0, 15)
      : end.cogDeg + rng.normal(0, 40);
    const delta = turnDeg(end.cogDeg, target);
    if (Math.abs(delta) < 3) return straight();
    // Class A ships turn at some 8–30 °/min; small Class B craft turn faster.
    const rate = this.spec.kind === 'A' ? rng.uniform(8, 30) : rng.uniform(20, 90);
    return {
      t0: leg.t1,
      x0: end.position.x,
      y0: end.position.y,
      cog0: end.cogDeg,
      sogKn: end.sogKn,
      rot: Math.sign(delta) * rate,
      t1: leg.t1 + (Math.abs(delta) / rate) * 60_000,
    };
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Communication state (the `radio` field): plausible values; the VDL model never reads them.

/**
 * SOTDMA communication state (M.1371-5 Annex 2 §3.3.7.2.2): sync state 0 (UTC direct), slot time-out counting 7..0
 * over successive reports, sub-message by time-out: 3/5/7 received stations, 2/4/6 slot number, 1 UTC hour and
 * minute, 0 slot offset to the next report.
 */
function sotdmaState(reportIndex: number, utcMs: number, intervalMs: number, stations: number): number {
  const timeout = 7 - (reportIndex % 8);
  let sub: number;
  if (timeout === 1) {
    const u = utcParts(utcMs);
    sub = (u.hour << 9) | (u.minute << 2);
  } else if (timeout === 0) {
    sub = Math.min(16383, Math.round(intervalMs / SLOT_MS));
  } else if (timeout % 2 === 0) {
    sub = Math.floor((utcMs % 60_000) / SLOT_MS);
  } else {
    sub = Math.min(16383, stations);
  }
  return (timeout << 14) | sub;
}

/** ITDMA communication state (M.1371-5 Annex 2 §3.3.7.3.2): sync 0, slot increment, 1 slot, keep flag 0. */
function itdmaState(intervalMs: number): number {
  return Math.min(8191, Math.round(intervalMs / SLOT_MS)) << 4;
}

/**
 * Msg 18 `radio` as gpsd prints it: the comm-state selector flag (1 = ITDMA) followed by the fixed state
 * 1100000000000000110 a Class B "CS" unit sends (M.1371-5 Annex 8 msg 18); 917510 in gpsd's sample.
 */
const CLASS_B_CS_RADIO = (1 << 19) | 0b1100000000000000110;

// ---------------------------------------------------------------------------------------------------------------------
// Traffic

type EventWhat = 'position' | 'static' | 'static-b';

interface StationState {
  readonly spec: StationSpec;
  readonly track: Track | undefined;
  reportIndex: number;
  lastIntervalMs: number;
}

/** Turns a fleet into its report stream. `rng` seeds one independent stream per vessel (forked by MMSI). */
export function createTraffic(config: TrafficConfig, rng: Rng): Traffic {
  if (!(config.areaRadiusNm > 0)) throw new RangeError(`areaRadiusNm must be positive, got ${config.areaRadiusNm}`);
  const byMmsi = new Map<number, StationState>();
  const turnBackM = 0.8 * config.areaRadiusNm * NM;
  for (const spec of config.stations) {
    if (byMmsi.has(spec.mmsi)) throw new RangeError(`duplicate MMSI ${spec.mmsi}`);
    const track = spec.kind === 'base' ? undefined : new Track(spec, rng.fork(spec.mmsi), turnBackM);
    byMmsi.set(spec.mmsi, { spec, track, reportIndex: 0, lastIntervalMs: 0 });
  }
  // At most one pending position and two pending static events per station.
  const heap = new EventHeap<{ state: StationState; what: EventWhat }>(3 * Math.max(1, config.stations.length));
  for (const state of byMmsi.values()) {
    heap.push(state.spec.firstReportMs, { state, what: 'position' });
    if (state.spec.kind !== 'base') heap.push(state.spec.firstStaticMs, { state, what: 'static' });
  }
  const stationCount = config.stations.length;

  const geoRaw = (p: LocalPoint): { lon: number; lat: number } => {
    const g = toGeo(config.centre, p);
    return { lon: Math.round(g.lon * LATLON_SCALE), lat: Math.round(g.lat * LATLON_SCALE) };
  };

  const position = (state: StationState, t: number): TransmissionRequest => {
    const spec = state.spec;
    const utcMs = config.epochMs + t;
    if (spec.kind === 'base') {
      const fields: BaseStationFields = {
        type: 4,
        repeat: 0,
        mmsi: spec.mmsi,
        timestamp: isoSecond(utcMs),
        accuracy: true,
        ...geoRaw(spec.position),
        epfd: 7, // surveyed
        raim: false,
        radio: sotdmaState(state.reportIndex, utcMs, BASE_INTERVAL_MS, stationCount - 1),
      };
      state.reportIndex++;
      heap.push(t + BASE_INTERVAL_MS, { state, what: 'position' });
      return { t, mmsi: spec.mmsi, kind: 'base', fields };
    }
    const k = (state.track as Track).at(t);
    const speed = Math.min(1022, Math.round(k.sogKn * 10));
    const course = k.sogKn === 0 ? COURSE_NA : Math.round(wrap360(k.cogDeg) * 10) % 3600;
    const second = utcParts(utcMs).second;
    let fields: PositionReportFields | ClassBPositionFields;
    let interval: number;
    if (spec.kind === 'A') {
      interval = classAIntervalMs({ sogKn: k.sogKn, status: spec.status, turning: k.rotDegPerMin !== 0 });
      // A changed reporting rate is announced by an ITDMA allocation, i.e. message 3 (M.1371-5 Annex 2, ITDMA access).
      const rateChange = state.reportIndex > 0 && interval !== state.lastIntervalMs;
      const rot = k.rotDegPerMin;
      fields = {
        type: rateChange ? 3 : 1,
        repeat: 0,
        mmsi: spec.mmsi,
        status: spec.status,
        // ROT_AIS = 4.733·√ROT (M.1371-5 Annex 8 msg 1), ±126 at 708 °/min or more.
        turn: rot === 0 ? 0 : Math.sign(rot) * Math.min(126, Math.round(4.733 * Math.sqrt(Math.abs(rot)))),
        speed,
        accuracy: true,
        ...geoRaw(k.position),
        course,
        heading: Math.round(wrap360(k.cogDeg + spec.headingOffsetDeg)) % 360,
        second,
        maneuver: 0,
        raim: false,
        radio: rateChange ? itdmaState(interval) : sotdmaState(state.reportIndex, utcMs, interval, stationCount - 1),
      };
    } else {
      interval = classBIntervalMs(k.sogKn);
      fields = {
        type: 18,
        repeat: 0,
        mmsi: spec.mmsi,
        reserved: 0,
        speed,
        accuracy: false,
        ...geoRaw(k.position),
        course,
        heading: HEADING_NA,
        second,
        regional: 0,
        cs: true,
        display: false,
        dsc: true,
        band: true,
        msg22: true,
        raim: false,
        radio: CLASS_B_CS_RADIO,
      };
    }
    state.reportIndex++;
    state.lastIntervalMs = interval;
    heap.push(t + interval, { state, what: 'position' });
    return { t, mmsi: spec.mmsi, kind: 'position', fields };
  };

  const staticReport = (state: StationState, t: number, what: 'static' | 'static-b'): TransmissionRequest => {
    const spec = state.spec as VesselSpec;
    const s = spec.static;
    let fields: StaticVoyageFields | StaticDataAFields | StaticDataBFields;
    if (spec.kind === 'A') {
      fields = {
        type: 5,
        repeat: 0,
        mmsi: spec.mmsi,
        imo: s.imo,
        ais_version: 2, // M.1371-5 (0 = -1, 1 = -3, 2 = -5)
        callsign: s.callsign,
        shipname: s.shipname,
        shiptype: s.shiptype,
        to_bow: s.to_bow,
        to_stern: s.to_stern,
        to_port: s.to_port,
        to_starboard: s.to_starboard,
        epfd: 1, // GPS
        eta: etaString(s.etaMs),
        draught: s.draught,
        destination: s.destination,
        dte: 0,
      };
      heap.push(t + STATIC_INTERVAL_MS, { state, what: 'static' });
    } else if (what === 'static') {
      fields = { type: 24, repeat: 0, mmsi: spec.mmsi, partno: 0, shipname: s.shipname };
      heap.push(t + PART_B_DELAY_MS, { state, what: 'static-b' });
      heap.push(t + STATIC_INTERVAL_MS, { state, what: 'static' });
    } else {
      fields = {
        type: 24,
        repeat: 0,
        mmsi: spec.mmsi,
        partno: 1,
        shiptype: s.shiptype,
        vendorid: s.vendorid,
        model: 0,
        serial: 0,
        callsign: s.callsign,
        to_bow: s.to_bow,
        to_stern: s.to_stern,
        to_port: s.to_port,
        to_starboard: s.to_starboard,
      };
    }
    return { t, mmsi: spec.mmsi, kind: 'static', fields };
  };

  return {
    centre: config.centre,
    stations: config.stations,
    peekTime: () => heap.peekTime() ?? Infinity,
    next: () => {
      const e = heap.pop();
      if (e === undefined) throw new RangeError('traffic has no stations');
      const { state, what } = e.value;
      return what === 'position' ? position(state, e.t) : staticReport(state, e.t, what);
    },
    positionAt: (mmsi, t) => {
      const state = byMmsi.get(mmsi);
      if (state === undefined) return undefined;
      return state.spec.kind === 'base' ? state.spec.position : (state.track as Track).at(t).position;
    },
    kinematicsAt: (mmsi, t) => {
      const state = byMmsi.get(mmsi);
      if (state === undefined) return undefined;
      if (state.spec.kind === 'base') return { position: state.spec.position, cogDeg: 0, sogKn: 0, rotDegPerMin: 0 };
      return (state.track as Track).at(t);
    },
  };
}
