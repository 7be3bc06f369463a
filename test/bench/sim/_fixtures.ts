/** Shared builders for the simulator tests: steady vessels whose report times are exact. */
import type { ShipStatic, StationSpec, VesselSpec } from '../../../bench/sim/vessels.js';

/** 2026-01-01T00:00:00Z. */
export const EPOCH_MS = 1_767_225_600_000;
export const CENTRE = { lat: 57.7, lon: 11.6 } as const;

export const STATIC: ShipStatic = {
  shipname: 'TEST VESSEL',
  callsign: 'SABC',
  shiptype: 70,
  imo: 9_134_270,
  to_bow: 100,
  to_stern: 20,
  to_port: 10,
  to_starboard: 10,
  draught: 80,
  destination: 'GOTEBORG',
  etaMs: EPOCH_MS + 86_400_000,
  vendorid: 'SIM',
};

/** A vessel on one straight leg at constant speed: its reports come at exactly the Table 1/2 interval. */
export function steady(kind: 'A' | 'B', mmsi: number, sogKn: number, over: Partial<VesselSpec> = {}): VesselSpec {
  return {
    kind,
    mmsi,
    start: { x: 0, y: 0 },
    cogDeg: 45,
    sogKn,
    status: 0,
    manoeuvring: false,
    headingOffsetDeg: 0,
    static: STATIC,
    firstReportMs: 0,
    firstStaticMs: 0,
    ...over,
  };
}

export function trafficConfig(stations: readonly StationSpec[], areaRadiusNm = 20) {
  return { centre: CENTRE, areaRadiusNm, epochMs: EPOCH_MS, stations };
}
