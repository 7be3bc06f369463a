/**
 * A random but plausible fleet around the centre: the speed mix, ship types and dimensions of a busy coastal area,
 * so the Class A reporting rates spread over all rows of M.1371-5 Annex 1 Table 1 and the static reports carry
 * values a chart display would accept.
 */
import { NM } from './geo.js';
import type { Rng } from './rng.js';
import { NavStatus, type BaseStationSpec, type ShipStatic, type StationSpec, type VesselSpec } from './vessels.js';

export interface FleetConfig {
  readonly classA: number;
  readonly classB: number;
  readonly baseStations: number;
  readonly areaRadiusNm: number;
  /** UTC at t = 0, for the ETAs. */
  readonly epochMs: number;
  /** Share of ships at anchor or moored (default 0.15). */
  readonly anchoredFraction?: number;
  /** Maritime identification digits of the MMSIs (default 265, Sweden). */
  readonly mid?: number;
}

/** Class A and Class B MMSIs take separate blocks of MIDxxxxxx (1xxxxx and 5xxxxx), so they never clash. */
const MAX_VESSELS_PER_CLASS = 99_999;
/** Base stations are 00MIDxxxx (ITU-R M.585): four digits of their own. */
const MAX_BASE_STATIONS = 9_998;

const NAME_WORDS = ['NORDIC', 'BALTIC', 'STAR', 'WIND', 'OCEAN', 'VIKING', 'AURORA', 'POLAR', 'NORTH', 'SILVER', 'BLUE'];
const NAME_TAILS = ['TRADER', 'SPIRIT', 'QUEEN', 'EXPRESS', 'CARRIER', 'PIONEER', 'BREEZE', 'ARROW'];
const PORTS = ['GOTEBORG', 'STOCKHOLM', 'KIEL', 'GDANSK', 'ROTTERDAM', 'HELSINKI', 'AARHUS', 'OSLO'];
const VENDORS = ['SRT', 'TRU', 'EMT', 'GAR', 'SIM'];
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** IMO number with its check digit: the last digit is Σ dᵢ·(7..2) mod 10 over the first six. */
function imoNumber(rng: Rng): number {
  const six = rng.int(900_000, 1_000_000);
  const digits = String(six);
  let sum = 0;
  for (let i = 0; i < 6; i++) sum += Number(digits[i]) * (7 - i);
  return six * 10 + (sum % 10);
}

function callsign(rng: Rng, length: number): string {
  let s = 'S';
  for (let i = 1; i < length; i++) s += LETTERS[rng.int(0, LETTERS.length)];
  return s;
}

function makeStatic(rng: Rng, kind: 'A' | 'B', index: number, epochMs: number): ShipStatic {
  const length = kind === 'A' ? rng.uniform(30, 300) : rng.uniform(6, 20);
  const beam = length / rng.uniform(5, 8);
  const bow = Math.round(length * rng.uniform(0.4, 0.8));
  const port = Math.round(beam / 2);
  const word = rng.choice(NAME_WORDS);
  const name = kind === 'A' ? `${word} ${rng.choice(NAME_TAILS)} ${index}` : `${word} ${index}`;
  return {
    shipname: name.slice(0, 20),
    callsign: callsign(rng, kind === 'A' ? 5 : 4),
    shiptype: kind === 'A' ? rng.choice([70, 70, 70, 80, 80, 60, 30, 52]) : rng.choice([36, 37, 37]),
    imo: kind === 'A' ? imoNumber(rng) : 0,
    to_bow: bow,
    to_stern: Math.round(length) - bow,
    to_port: Math.min(63, port),
    to_starboard: Math.min(63, Math.round(beam) - port),
    draught: kind === 'A' ? Math.round(rng.uniform(3, 15) * 10) : Math.round(rng.uniform(0.5, 2.5) * 10),
    destination: rng.choice(PORTS),
    etaMs: epochMs + Math.round(rng.uniform(2, 72)) * 3_600_000,
    vendorid: rng.choice(VENDORS),
  };
}

/** Speed of a ship under way: a mix over the Class A rows of Table 1 (manoeuvring, ≤ 14, 14–23, > 23 kn). */
function speedClassA(rng: Rng): number {
  const r = rng.next();
  if (r < 0.1) return rng.uniform(0.5, 5);
  if (r < 0.7) return rng.uniform(8, 14);
  if (r < 0.92) return rng.uniform(14, 23);
  return rng.uniform(23, 25);
}

/** Leisure craft: a fifth drifting (≤ 2 kn, 3-min reports), most at 3–12 kn, some fast boats. */
function speedClassB(rng: Rng): number {
  const r = rng.next();
  if (r < 0.2) return rng.uniform(0, 2);
  if (r < 0.8) return rng.uniform(3, 12);
  return rng.uniform(12, 25);
}

/** Builds `classA` + `classB` vessels and `baseStations` base stations uniformly over the area's disc. */
export function randomFleet(rng: Rng, config: FleetConfig): StationSpec[] {
  const limits = [
    ['classA', config.classA, MAX_VESSELS_PER_CLASS],
    ['classB', config.classB, MAX_VESSELS_PER_CLASS],
    ['baseStations', config.baseStations, MAX_BASE_STATIONS],
  ] as const;
  for (const [name, n, max] of limits) {
    if (!Number.isInteger(n) || n < 0 || n > max) throw new RangeError(`${name} must be an integer in [0, ${max}], got ${n}`);
  }
  const mid = config.mid ?? 265;
  if (!Number.isInteger(mid) || mid < 201 || mid > 775) throw new RangeError(`mid must be a MID in 201..775, got ${mid}`);
  const anchoredFraction = config.anchoredFraction ?? 0.15;
  const radiusM = config.areaRadiusNm * NM;
  const inDisc = (r: number) => {
    const d = r * Math.sqrt(rng.next());
    const a = rng.uniform(0, 2 * Math.PI);
    return { x: d * Math.sin(a), y: d * Math.cos(a) };
  };
  const stations: StationSpec[] = [];
  const vessel = (kind: 'A' | 'B', mmsi: number, index: number): VesselSpec => {
    const anchored = rng.bernoulli(anchoredFraction);
    const sogKn = anchored ? rng.uniform(0, 0.2) : kind === 'A' ? speedClassA(rng) : speedClassB(rng);
    const shipStatic = makeStatic(rng, kind, index, config.epochMs);
    const interval = kind === 'A' ? 10_000 : 30_000;
    const status = anchored
      ? rng.choice([NavStatus.atAnchor, NavStatus.moored])
      : kind === 'A' && shipStatic.shiptype === 30
        ? NavStatus.fishing
        : kind === 'B' && shipStatic.shiptype === 36
          ? NavStatus.underWaySailing
          : NavStatus.underWayEngine;
    return {
      kind,
      mmsi,
      start: inDisc(radiusM),
      cogDeg: rng.uniform(0, 360),
      sogKn,
      status,
      manoeuvring: !anchored,
      headingOffsetDeg: rng.normal(0, 2),
      static: shipStatic,
      // Stations switched on at random times: first reports spread over one nominal interval.
      firstReportMs: rng.uniform(0, interval),
      firstStaticMs: rng.uniform(0, 360_000),
    };
  };
  for (let i = 0; i < config.classA; i++) stations.push(vessel('A', mid * 1_000_000 + 100_000 + i, i + 1));
  for (let i = 0; i < config.classB; i++) stations.push(vessel('B', mid * 1_000_000 + 500_000 + i, i + 1));
  for (let i = 0; i < config.baseStations; i++) {
    // Base station MMSIs are 00MIDxxxx (M.585).
    const base: BaseStationSpec = {
      kind: 'base',
      mmsi: mid * 10_000 + 1 + i,
      position: inDisc(radiusM * 0.7),
      firstReportMs: rng.uniform(0, 10_000),
    };
    stations.push(base);
  }
  return stations;
}
