/** `bench demo --serve`: the coast station's display lines feed the status page's ship table. */
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../../bench/link/demo.js';
import { ShipTable } from '../../../firmware/daemon/index.js';

describe('bench demo --serve', () => {
  it("fills the ship table from what the coast station's display was shown: verified, plain and rejected", () => {
    const ships = new ShipTable();
    const { cast } = runDemo({ seconds: 20, classA: 8, classB: 2, slotLossP: 0, stepSeconds: 10, onCoastDisplay: (line, nowMs) => ships.push(line, nowMs) }, () => undefined);
    const snap = ships.snapshot().ships;
    expect(snap.some((s) => s.counts.V > 0 && s.lat !== undefined)).toBe(true);
    expect(snap.some((s) => s.counts.U > 0 && s.lat !== undefined)).toBe(true);
    // The spoofer's forgeries under its victim's MMSI are rejected with a reason.
    const victim = snap.find((s) => s.mmsi === cast.victim.mmsi);
    expect(victim?.lastFailure?.reason).toMatch(/^[A-Z_]+$/);
  }, 300_000);
});
