/**
 * Smoke run of the simulator alone: 100 ships (80 Class A, 20 Class B "CS") and 2 base stations off Göteborg for
 * 5 simulated minutes in plain AIS, printing the slot load per channel and minute and the link counters.
 * `npx tsx bench/sim/run-plain.ts [seed]`.
 */
import { randomFleet } from './fleet.js';
import { createRng } from './rng.js';
import { Scenario, plainAis } from './scenario.js';
import { FRAME_MS } from './vdl.js';
import { createTraffic } from './vessels.js';
import { writeResults } from '../results.js';

const seed = Number(process.argv[2] ?? 1);
/** 2026-01-01T00:00:00Z: a fixed epoch, so the output does not depend on the day it runs. */
const epochMs = 1_767_225_600_000;
const rng = createRng(seed);
const areaRadiusNm = 20;
const stations = randomFleet(rng.fork(1), { classA: 80, classB: 20, baseStations: 2, areaRadiusNm, epochMs });
const traffic = createTraffic({ centre: { lat: 57.7, lon: 11.6 }, areaRadiusNm, epochMs, stations }, rng.fork(2));
const scenario = new Scenario({
  traffic,
  link: { rangeNm: 30, slotLossP: 0.05, corruptionP: 0.001 },
  rng: rng.fork(3),
  hooks: plainAis,
});
const minutes = 5;
scenario.runUntil(minutes * FRAME_MS);

console.log(`seed ${seed}: ${stations.length} stations, ${minutes} simulated minutes, plain AIS`);
console.log('minute  slots A  load A  slots B  load B');
for (const f of scenario.vdl.frameLoads().filter((f) => f.frame < minutes)) {
  console.log(
    `${String(f.frame).padStart(6)}  ${String(f.slotsUsed.A).padStart(7)}  ${f.percent.A.toFixed(2).padStart(5)} %` +
      `  ${String(f.slotsUsed.B).padStart(7)}  ${f.percent.B.toFixed(2).padStart(5)} %`,
  );
}
const c = scenario.vdl.counters();
const inRange = c.receptions + c.lostSlot + c.collisions + c.halfDuplex;
const pct = (n: number): string => `${((100 * n) / inRange).toFixed(2)} %`;
console.log(`messages: ${c.scheduled} sent (${c.rejected} rejected, ${c.slotsReused} into reused slots)`);
console.log(`in-range (message, receiver) pairs: ${inRange}; received ${pct(c.receptions)} (${c.corrupted} corrupted)`);
console.log(`lost: slot loss ${pct(c.lostSlot)}, collisions ${pct(c.collisions)}, receiver transmitting ${pct(c.halfDuplex)}`);
if (c.slotsReused === 0 && c.collisions > 0) {
  console.log('no slot was reused: every collision is between stations out of range of each other (hidden terminals)');
}
writeResults('sim', { counters: c });
