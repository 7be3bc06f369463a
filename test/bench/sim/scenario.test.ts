import { describe, expect, it } from 'vitest';
import { randomFleet } from '../../../bench/sim/fleet.js';
import { createRng } from '../../../bench/sim/rng.js';
import { Scenario, plainAis, type ScenarioHooks } from '../../../bench/sim/scenario.js';
import type { Reception, VdlConfig } from '../../../bench/sim/vdl.js';
import { createTraffic, type StationSpec, type TransmissionRequest } from '../../../bench/sim/vessels.js';
import { EPOCH_MS, steady, trafficConfig } from './_fixtures.js';

const LINK: VdlConfig = { rangeNm: 30, slotLossP: 0.05, corruptionP: 0.01 };

function fleetTraffic(seed: number, classA = 40, classB = 10) {
  const rng = createRng(seed);
  const stations = randomFleet(rng.fork(1), { classA, classB, baseStations: 2, areaRadiusNm: 15, epochMs: EPOCH_MS });
  return createTraffic(trafficConfig(stations, 15), rng.fork(2));
}

/** Runs plain AIS and returns a compact log of every reception and the link counters. */
function plainRun(seed: number, link: VdlConfig = LINK, steps = [120_000]) {
  const log: string[] = [];
  const requests: TransmissionRequest[] = [];
  const hooks: ScenarioHooks<TransmissionRequest> = {
    onTransmit: (r, ctx) => {
      requests.push(r);
      return plainAis.onTransmit(r, ctx);
    },
    onReceive: (r) => {
      log.push(`${r.t.toFixed(3)} ${r.sender}>${r.receiver} ${r.channel} ${r.payload.fields.type}${r.corrupted ? '!' : ''}`);
    },
  };
  const scenario = new Scenario({ traffic: fleetTraffic(seed), link, rng: createRng(seed + 1000), hooks });
  for (const t of steps) scenario.runUntil(t);
  return { log, requests, counters: scenario.vdl.counters(), loads: scenario.vdl.frameLoads() };
}

describe('Scenario', () => {
  it('is deterministic: the same seed gives the same receptions, another seed others', () => {
    const a = plainRun(1);
    expect(a.log.length).toBeGreaterThan(10_000);
    expect(plainRun(1)).toEqual(a);
    expect(plainRun(2).log).not.toEqual(a.log);
  });

  it('gives the same result whether run in one go or in steps (a progress display cannot change it)', () => {
    expect(plainRun(3, LINK, [10_000, 10_000, 55_555, 120_000])).toEqual(plainRun(3));
  });

  it('keeps the traffic independent of the link: loss changes receptions, not the reports', () => {
    const clean = plainRun(4, { ...LINK, slotLossP: 0 });
    const lossy = plainRun(4, { ...LINK, slotLossP: 0.2 });
    expect(lossy.requests).toEqual(clean.requests);
    expect(lossy.log.length).toBeLessThan(clean.log.length);
  });

  it('sends plain AIS as one message per report, 2 slots for msg 5 and 1 for the others', () => {
    const stations: StationSpec[] = [
      steady('A', 265000001, 10),
      { kind: 'base', mmsi: 2650001, position: { x: 1000, y: 0 }, firstReportMs: 5 },
    ];
    const requests: TransmissionRequest[] = [];
    const scenario = new Scenario({
      traffic: createTraffic(trafficConfig(stations), createRng(1)),
      link: { ...LINK, slotLossP: 0, corruptionP: 0 },
      rng: createRng(2),
      hooks: { onTransmit: (r, ctx) => (requests.push(r), plainAis.onTransmit(r, ctx)) },
    });
    scenario.runUntil(719_000);
    const c = scenario.vdl.counters();
    const msg5 = requests.filter((r) => r.fields.type === 5).length;
    expect(msg5).toBe(2);
    expect(c.scheduled).toBe(requests.length);
    expect(c.slotsTransmitted.A + c.slotsTransmitted.B).toBe(requests.length + msg5);
  });

  it('puts every message a hook returns on the air (one report → several secured fragments)', () => {
    const stations: StationSpec[] = [steady('A', 265000001, 10), steady('A', 265000002, 10, { start: { x: 2000, y: 0 } })];
    const got: Reception<string>[] = [];
    const scenario = new Scenario<string>({
      traffic: createTraffic(trafficConfig(stations), createRng(1)),
      link: { rangeNm: 20, slotLossP: 0, corruptionP: 0 },
      rng: createRng(2),
      hooks: {
        onTransmit: (r) => [1, 2, 3].map((i) => ({ slots: i, payload: `${r.mmsi}:${r.t}:${i}/3` })),
        onReceive: (r) => got.push(r),
      },
    });
    scenario.runUntil(60_000);
    const c = scenario.vdl.counters();
    expect(c.scheduled % 3).toBe(0);
    expect(c.slotsTransmitted.A + c.slotsTransmitted.B).toBe((c.scheduled / 3) * 6);
    // Two ships in view of each other: every fragment arrives unless the receiver was itself on the air.
    expect(got.length + c.halfDuplex + scenario.vdl.pendingCount).toBe(c.scheduled);
    expect(got.length).toBeGreaterThan(30);
    for (const r of got) expect(r.payload.startsWith(`${r.sender}:`)).toBe(true);
  });

  it('lets a receiving station answer through the context (e.g. a key request and its reply)', () => {
    const asker = 265000001;
    const server = 2650001;
    const stations: StationSpec[] = [
      steady('A', asker, 10),
      { kind: 'base', mmsi: server, position: { x: 3000, y: 0 }, firstReportMs: 0 },
    ];
    type Msg = { kind: 'report' | 'request' | 'reply'; from: number };
    const log: string[] = [];
    const scenario = new Scenario<Msg>({
      traffic: createTraffic(trafficConfig(stations), createRng(1)),
      link: { rangeNm: 20, slotLossP: 0, corruptionP: 0 },
      rng: createRng(2),
      hooks: {
        onTransmit: (r) => {
          const kind = r.mmsi === asker && r.kind === 'position' ? 'request' : 'report';
          return [{ slots: 1, payload: { kind, from: r.mmsi } }];
        },
        onReceive: (r, ctx) => {
          log.push(`${r.receiver}<${r.payload.kind}`);
          if (r.receiver === server && r.payload.kind === 'request') {
            const [at] = ctx.transmit(server, [{ slots: 2, payload: { kind: 'reply', from: server } }]);
            expect(at?.startMs).toBeGreaterThanOrEqual(ctx.now);
          }
        },
      },
    });
    scenario.runUntil(30_000);
    expect(log.filter((l) => l === `${server}<request`).length).toBeGreaterThan(0);
    expect(log.filter((l) => l === `${asker}<reply`).length).toBe(log.filter((l) => l === `${server}<request`).length);
  });

  it('refuses to run the clock backwards', () => {
    const scenario = new Scenario({ traffic: fleetTraffic(1, 2, 0), link: LINK, rng: createRng(1), hooks: plainAis });
    scenario.runUntil(5000);
    expect(scenario.now).toBe(5000);
    expect(() => scenario.runUntil(4000)).toThrow(RangeError);
  });
});
