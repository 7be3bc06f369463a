import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AisFields } from '../../../bench/sim/fields.js';
import { randomFleet } from '../../../bench/sim/fleet.js';
import { createRng } from '../../../bench/sim/rng.js';
import {
  BASE_INTERVAL_MS,
  NavStatus,
  PART_B_DELAY_MS,
  STATIC_INTERVAL_MS,
  classAIntervalMs,
  createTraffic,
  type StationSpec,
  type Traffic,
  type TransmissionRequest,
} from '../../../bench/sim/vessels.js';
import { CENTRE, EPOCH_MS, steady, trafficConfig } from './_fixtures.js';

function collect(traffic: Traffic, untilMs: number): TransmissionRequest[] {
  const out: TransmissionRequest[] = [];
  while (traffic.peekTime() <= untilMs) out.push(traffic.next());
  return out;
}

function randomTraffic(seed: number, classA = 30, classB = 10, baseStations = 2): Traffic {
  const rng = createRng(seed);
  const stations = randomFleet(rng.fork(1), { classA, classB, baseStations, areaRadiusNm: 20, epochMs: EPOCH_MS });
  return createTraffic(trafficConfig(stations), rng.fork(2));
}

const intervals = (times: number[]): number[] => times.slice(1).map((t, i) => t - (times[i] as number));

describe('traffic stream', () => {
  it('is the same for the same seed and differs for another seed', () => {
    const a = JSON.stringify(collect(randomTraffic(3), 600_000));
    expect(JSON.stringify(collect(randomTraffic(3), 600_000))).toBe(a);
    expect(JSON.stringify(collect(randomTraffic(4), 600_000))).not.toBe(a);
  });

  it('is time-ordered', () => {
    const times = collect(randomTraffic(5), 900_000).map((r) => r.t);
    expect(intervals(times).every((d) => d >= 0)).toBe(true);
  });
});

describe('reporting intervals (M.1371-5 Annex 1 Tables 1 and 2)', () => {
  const cases: [string, StationSpec, number][] = [
    ['Class A 0–14 kn: 10 s', steady('A', 265000001, 12), 10_000],
    ['Class A 14–23 kn: 6 s', steady('A', 265000002, 18), 6000],
    ['Class A > 23 kn: 2 s', steady('A', 265000003, 24), 2000],
    ['Class A at anchor ≤ 3 kn: 3 min', steady('A', 265000004, 0.1, { status: NavStatus.atAnchor }), 180_000],
    ['Class A moored > 3 kn: 10 s', steady('A', 265000005, 4, { status: NavStatus.moored }), 10_000],
    ['Class B "CS" ≤ 2 kn: 3 min', steady('B', 265000006, 1.5), 180_000],
    ['Class B "CS" > 2 kn: 30 s', steady('B', 265000007, 8), 30_000],
    ['base station: 10 s', { kind: 'base', mmsi: 2650001, position: { x: 1000, y: 0 }, firstReportMs: 0 }, BASE_INTERVAL_MS],
  ];
  for (const [name, spec, expected] of cases) {
    it(name, () => {
      const traffic = createTraffic(trafficConfig([spec]), createRng(1));
      const times = collect(traffic, 1_800_000)
        .filter((r) => r.kind !== 'static')
        .map((r) => r.t);
      expect(times.length).toBeGreaterThan(5);
      for (const d of intervals(times)) expect(d).toBeCloseTo(expected, 6);
    });
  }

  it('follows Table 1 while manoeuvring, including the faster "changing course" rates', () => {
    const traffic = randomTraffic(9, 40, 0, 0);
    const status = new Map(traffic.stations.map((s) => [s.mmsi, s.kind === 'base' ? -1 : s.status]));
    // Kinematics are read as each report comes out: a track keeps only its last two legs.
    const due = new Map<number, number>();
    const seen = new Set<number>();
    let checked = 0;
    while (traffic.peekTime() <= 3_600_000) {
      const r = traffic.next();
      if (r.kind !== 'position') continue;
      const expectedAt = due.get(r.mmsi);
      if (expectedAt !== undefined) {
        expect(r.t).toBeCloseTo(expectedAt, 6);
        checked++;
      }
      const k = traffic.kinematicsAt(r.mmsi, r.t);
      if (k === undefined) throw new Error('ship vanished');
      const interval = classAIntervalMs({ sogKn: k.sogKn, status: status.get(r.mmsi) as number, turning: k.rotDegPerMin !== 0 });
      due.set(r.mmsi, r.t + interval);
      seen.add(Math.round(interval));
    }
    expect(checked).toBeGreaterThan(10_000);
    // The fleet exercises every row of Table 1, turning ones included.
    for (const interval of [2000, 3333, 6000, 10_000, 180_000]) expect(seen).toContain(interval);
  });

  it('sends msg 5 every 6 min and msg 24 A then B one second later', () => {
    const a = steady('A', 265000010, 10, { firstStaticMs: 1000 });
    const b = steady('B', 265000011, 10, { firstStaticMs: 2000 });
    const statics = collect(createTraffic(trafficConfig([a, b]), createRng(1)), 1_800_000).filter((r) => r.kind === 'static');
    const t5 = statics.filter((r) => r.fields.type === 5).map((r) => r.t);
    expect(t5).toEqual([0, 1, 2, 3, 4].map((k) => 1000 + k * STATIC_INTERVAL_MS));
    const parts = statics.filter((r) => r.fields.type === 24).map((r) => [r.t, (r.fields as { partno: number }).partno]);
    expect(parts).toEqual(
      [0, 1, 2, 3, 4].flatMap((k) => [
        [2000 + k * STATIC_INTERVAL_MS, 0],
        [2000 + k * STATIC_INTERVAL_MS + PART_B_DELAY_MS, 1],
      ]),
    );
  });

  it('stamps base station reports with the simulated UTC', () => {
    const base: StationSpec = { kind: 'base', mmsi: 2650001, position: { x: 0, y: 0 }, firstReportMs: 2500 };
    const reports = collect(createTraffic(trafficConfig([base]), createRng(1)), 60_000);
    for (const r of reports) {
      const iso = new Date(EPOCH_MS + r.t).toISOString().replace(/\.\d{3}Z$/, 'Z');
      expect(r.fields).toMatchObject({ type: 4, timestamp: iso });
    }
  });

  it('keeps the ships inside their area over hours', () => {
    const traffic = randomTraffic(12, 30, 10, 0);
    for (let t = 0; t <= 6 * 3_600_000; t += 600_000) {
      for (const s of traffic.stations) {
        const p = traffic.positionAt(s.mmsi, t);
        if (p === undefined) throw new Error('ship vanished');
        // 20 NM area; turning back starts at 80 % and a leg is at most 30 min at 25 kn.
        expect(Math.hypot(p.x, p.y) / 1852).toBeLessThan(20 + 12.5);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------------

const corpusFile = (() => {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  return [resolve(root, '../shared'), resolve(root, '../../shared')]
    .map((dir) => resolve(dir, 'corpus/gpsd/sample.aivdm.ju.chk'))
    .find((f) => existsSync(f));
})();

/** gpsd's keys that are not bits on the air. */
const DERIVED = new Set(['class', 'device', 'scaled', 'status_text', 'shiptype_text', 'epfd_text']);

const keyOf = (f: Record<string, unknown>): string =>
  f.type === 24 ? `24${'partno' in f ? f.partno : ''}` : String(f.type === 2 || f.type === 3 ? 1 : f.type);

describe('field records', () => {
  it.skipIf(corpusFile === undefined)('use the keys of gpsdecode -u for types 1–5, 18 and 24 (corpus sample.aivdm.ju.chk)', () => {
    const corpus = new Map<string, string[]>();
    for (const line of readFileSync(corpusFile as string, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const obj = JSON.parse(line) as Record<string, unknown>;
      const keys = Object.keys(obj).filter((k) => !DERIVED.has(k));
      if (![1, 2, 3, 4, 5, 18].includes(obj.type as number)) continue;
      corpus.set(keyOf(obj), keys.sort());
    }
    // gpsdecode merges msg 24 A and B; the simulator emits the halves, which together have the merged keys.
    const merged24 = new Set<string>();
    const ours = new Map<string, string[]>();
    for (const r of collect(randomTraffic(21), 400_000)) {
      const f = r.fields as unknown as Record<string, unknown>;
      if (f.type === 24) {
        for (const k of Object.keys(f)) if (k !== 'partno') merged24.add(k);
      } else {
        ours.set(keyOf(f), Object.keys(f).sort());
      }
    }
    for (const type of ['1', '4', '5', '18']) expect(ours.get(type), `type ${type}`).toEqual(corpus.get(type));
    const corpus24 = readFileSync(corpusFile as string, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"type":24,') && l.includes('"vendorid"'))
      .map((l) => Object.keys(JSON.parse(l) as object).filter((k) => !DERIVED.has(k)))[0];
    expect([...merged24].sort()).toEqual(corpus24?.sort());
  });

  it('keeps every raw field within its M.1371 range', () => {
    const lim = (v: unknown, lo: number, hi: number) => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        for (const r of collect(randomTraffic(seed, 10, 5, 1), 400_000)) {
          const f: AisFields = r.fields;
          expect(f.mmsi).toBe(r.mmsi);
          expect(lim(f.mmsi, 1, 999_999_999)).toBe(true);
          if ('lat' in f) {
            expect(lim(f.lat, -54_000_000, 54_000_000) && lim(f.lon, -108_000_000, 108_000_000)).toBe(true);
            const g = { lat: f.lat / 600_000, lon: f.lon / 600_000 };
            expect(Math.abs(g.lat - CENTRE.lat)).toBeLessThan(1);
            expect(Math.abs(g.lon - CENTRE.lon)).toBeLessThan(2);
          }
          if (f.type === 1 || f.type === 3 || f.type === 18) {
            expect(lim(f.speed, 0, 1022) && lim(f.course, 0, 3600) && lim(f.second, 0, 59)).toBe(true);
            expect(lim(f.heading, 0, 359) || f.heading === 511).toBe(true);
          }
          if (f.type === 1 || f.type === 3) expect(lim(f.turn, -127, 127) && lim(f.radio, 0, 2 ** 19 - 1)).toBe(true);
          if (f.type === 4) expect(lim(f.radio, 0, 2 ** 19 - 1)).toBe(true);
          if (f.type === 18) expect(f.radio).toBe(917_510);
          if (f.type === 5) {
            expect(f.shipname.length <= 20 && f.callsign.length <= 7 && f.destination.length <= 20).toBe(true);
            expect(lim(f.to_bow, 0, 511) && lim(f.to_stern, 0, 511) && lim(f.to_port, 0, 63) && lim(f.to_starboard, 0, 63)).toBe(true);
            expect(lim(f.draught, 0, 255)).toBe(true);
            expect(f.eta).toMatch(/^\d\d-\d\dT\d\d:\d\dZ$/);
            const digits = String(f.imo);
            const sum = [...digits.slice(0, 6)].reduce((s, d, i) => s + Number(d) * (7 - i), 0);
            expect(sum % 10).toBe(Number(digits[6]));
          }
        }
      }),
      { numRuns: 15 },
    );
  });
});
