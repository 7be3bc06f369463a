import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LocalPoint } from '../../../bench/sim/geo.js';
import { createRng } from '../../../bench/sim/rng.js';
import {
  SLOTS_PER_FRAME,
  SLOT_MS,
  Vdl,
  slotsForBits,
  type Reception,
  type Transmission,
  type VdlConfig,
} from '../../../bench/sim/vdl.js';

const NM = 1852;

/** A link over fixed stations; `drive` feeds it transmissions in time order, as the scenario loop does. */
function link(positions: Map<number, LocalPoint>, config: Partial<VdlConfig> = {}, seed = 1) {
  const vdl = new Vdl<number>(
    { rangeNm: 30, slotLossP: 0, corruptionP: 0, ...config },
    { rng: createRng(seed), locate: (s) => positions.get(s), receivers: [...positions.keys()] },
  );
  const received: Reception<number>[] = [];
  const drive = (txs: readonly Transmission<number>[], untilMs: number) => {
    for (const tx of [...txs].sort((a, b) => a.t - b.t)) {
      received.push(...vdl.resolveUntil(tx.t));
      vdl.submit(tx);
    }
    received.push(...vdl.resolveUntil(untilMs));
  };
  return { vdl, received, drive };
}

/** n stations within a 2 NM square: everyone hears everyone. */
function cluster(n: number, seed = 2): Map<number, LocalPoint> {
  const rng = createRng(seed);
  return new Map(Array.from({ length: n }, (_, i) => [i + 1, { x: rng.uniform(0, 2 * NM), y: rng.uniform(0, 2 * NM) }]));
}

/** Every station sends a `slots`-slot message every `intervalMs`, from a random phase, until `untilMs`. */
function periodic(stations: Iterable<number>, intervalMs: number, untilMs: number, slots = 1, seed = 3): Transmission<number>[] {
  const rng = createRng(seed);
  const out: Transmission<number>[] = [];
  for (const sender of stations) {
    for (let t = rng.uniform(0, intervalMs); t < untilMs; t += intervalMs) out.push({ t, sender, slots, payload: out.length });
  }
  return out;
}

describe('slotsForBits', () => {
  it('gives 1 slot for a 168-bit report and 2 for the 424-bit msg 5', () => {
    expect(slotsForBits(168)).toBe(1);
    expect(slotsForBits(160)).toBe(1);
    expect(slotsForBits(424)).toBe(2);
    expect(slotsForBits(425)).toBe(3);
  });
  it('follows M.1371-5 Table 58 for binary messages', () => {
    expect([136, 360, 584, 808, 1008].map((b) => slotsForBits(b, 'binary'))).toEqual([1, 2, 3, 4, 5]);
    expect([169, 361, 585, 809].map((b) => slotsForBits(b, 'binary'))).toEqual([2, 3, 4, 5]);
  });
  it('rejects lengths no AIS message has', () => {
    expect(() => slotsForBits(0)).toThrow(RangeError);
    expect(() => slotsForBits(1200)).toThrow(RangeError);
    expect(() => slotsForBits(1033, 'binary')).toThrow(RangeError);
  });
});

describe('slot selection', () => {
  it('alternates A and B per message when no channel is asked for', () => {
    const { vdl } = link(new Map([[1, { x: 0, y: 0 }]]));
    const channels = [0, 1, 2, 3, 4].map((k) => vdl.submit({ t: k * 1000, sender: 1, slots: 1, payload: k })?.channel);
    expect(channels).toEqual(['A', 'B', 'A', 'B', 'A']);
  });

  it('never starts before the request and stays within the selection interval', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 5 }), (t, slots) => {
        const { vdl } = link(new Map([[1, { x: 0, y: 0 }]]), { selectionSlots: 20 });
        const at = vdl.submit({ t, sender: 1, slots, payload: 0 });
        expect(at).toBeDefined();
        expect(at?.startMs).toBeGreaterThanOrEqual(t - 1e-6);
        expect(at?.startMs).toBeLessThan(t + 21 * SLOT_MS);
        expect((at?.endMs ?? 0) - (at?.startMs ?? 0)).toBeCloseTo(slots * SLOT_MS, 6);
      }),
    );
  });

  it('gives one station never two overlapping slots, on either channel', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.constantFrom('A', 'B')), { maxLength: 12 }), (msgs) => {
        const { vdl } = link(new Map([[1, { x: 0, y: 0 }]]), { selectionSlots: 75 });
        const used = new Set<number>();
        for (const [slots, channel] of msgs) {
          const at = vdl.submit({ t: 0, sender: 1, slots, channel, payload: 0 });
          if (at === undefined) continue;
          for (let s = at.slot; s < at.slot + slots; s++) {
            expect(used.has(s)).toBe(false);
            used.add(s);
          }
        }
      }),
    );
    // With a one-slot selection interval the second message has nowhere to go.
    const { vdl } = link(new Map([[1, { x: 0, y: 0 }]]), { selectionSlots: 1 });
    expect(vdl.submit({ t: 0, sender: 1, slots: 1, channel: 'A', payload: 0 })).toBeDefined();
    expect(vdl.submit({ t: 0, sender: 1, slots: 1, channel: 'B', payload: 0 })).toBeUndefined();
    expect(vdl.counters().rejected).toBe(1);
  });

  it('refuses time running backwards', () => {
    const { vdl } = link(new Map([[1, { x: 0, y: 0 }]]));
    vdl.resolveUntil(5000);
    expect(() => vdl.submit({ t: 4000, sender: 1, slots: 1, payload: 0 })).toThrow(RangeError);
  });
});

describe('slot load accounting', () => {
  it('counts N stations × rate × slots as the expected share of each channel', () => {
    for (const [n, intervalMs, slots] of [[50, 10_000, 1], [100, 6000, 1], [40, 10_000, 2]] as const) {
      const positions = cluster(n);
      const { vdl, drive } = link(positions);
      const minutes = 6;
      drive(periodic(positions.keys(), intervalMs, minutes * 60_000, slots), minutes * 60_000 + 10_000);
      // Each station alternates channels, so each channel carries half its messages.
      const expected = (n * (60_000 / intervalMs) * slots) / 2;
      // A message may slip across a frame edge (selection interval ≤ 2 s): at most one per station and edge.
      const tolerance = n * slots;
      const frames = vdl.frameLoads().filter((f) => f.frame >= 1 && f.frame < minutes);
      expect(frames).toHaveLength(minutes - 1);
      for (const f of frames) {
        for (const c of ['A', 'B'] as const) {
          expect(Math.abs(f.slotsUsed[c] - expected)).toBeLessThanOrEqual(tolerance);
          expect(f.percent[c]).toBeCloseTo((100 * f.slotsUsed[c]) / SLOTS_PER_FRAME, 9);
        }
      }
      const c = vdl.counters();
      expect(c.slotsTransmitted.A + c.slotsTransmitted.B).toBe(c.scheduled * slots);
    }
  });
});

describe('reception', () => {
  it('receives ≈ (1 − p)^k of the messages under per-slot loss p', () => {
    for (const [p, slots] of [[0.05, 1], [0.2, 1], [0.2, 3]] as const) {
      const positions = new Map([[1, { x: 0, y: 0 }], [2, { x: 5 * NM, y: 0 }]]);
      const { vdl, received, drive } = link(positions, { slotLossP: p }, 17);
      const txs = periodic([1], 2000, 20_000 * 2000, slots);
      drive(txs, Infinity);
      const expected = (1 - p) ** slots;
      const sd = Math.sqrt((expected * (1 - expected)) / txs.length);
      const rate = received.length / txs.length;
      // Five standard deviations: a fixed seed makes it deterministic, the bound says the model is right.
      expect(Math.abs(rate - expected)).toBeLessThan(5 * sd);
      expect(vdl.counters().lostSlot + vdl.counters().receptions).toBe(txs.length);
    }
  });

  it('flags about corruptionP of the received messages as corrupted', () => {
    const positions = new Map([[1, { x: 0, y: 0 }], [2, { x: NM, y: 0 }]]);
    const { received, drive } = link(positions, { corruptionP: 0.1 }, 5);
    drive(periodic([1], 2000, 20_000 * 2000), Infinity);
    const share = received.filter((r) => r.corrupted).length / received.length;
    expect(Math.abs(share - 0.1)).toBeLessThan(5 * Math.sqrt(0.09 / received.length));
  });

  it('cuts off at the nominal range', () => {
    const positions = new Map<number, LocalPoint>([
      [1, { x: 0, y: 0 }],
      [2, { x: 10 * NM, y: 0 }],
      [3, { x: 0, y: 29.9 * NM }],
      [4, { x: -30.1 * NM, y: 0 }],
      [5, { x: 50 * NM, y: 0 }],
    ]);
    const { vdl, received, drive } = link(positions, { rangeNm: 30 });
    drive([{ t: 0, sender: 1, slots: 1, payload: 7 }], Infinity);
    expect(received.map((r) => r.receiver).sort()).toEqual([2, 3]);
    expect(received.every((r) => r.sender === 1 && r.payload === 7 && !r.corrupted)).toBe(true);
    expect(vdl.counters().outOfRange).toBe(2);
  });

  it('delivers at the end of the last slot, on the channel used', () => {
    const positions = new Map([[1, { x: 0, y: 0 }], [2, { x: NM, y: 0 }]]);
    const { vdl, received } = link(positions);
    const at = vdl.submit({ t: 100, sender: 1, slots: 2, channel: 'B', payload: 1 });
    received.push(...vdl.resolveUntil(10_000));
    expect(received).toEqual([{ t: at?.endMs, receiver: 2, sender: 1, channel: 'B', payload: 1, corrupted: false }]);
  });
});

describe('accounting', () => {
  it('settles every (message, other station) pair exactly once: received, lost, collided, deaf or out of range', () => {
    const station = fc.record({ x: fc.integer({ min: -60, max: 60 }), y: fc.integer({ min: -60, max: 60 }) });
    const tx = fc.record({ t: fc.integer({ min: 0, max: 20_000 }), sender: fc.nat(), slots: fc.integer({ min: 1, max: 5 }) });
    fc.assert(
      fc.property(
        fc.array(station, { minLength: 2, maxLength: 12 }),
        fc.array(tx, { maxLength: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer(),
        (places, txs, p, seed) => {
          const positions = new Map(places.map((q, i) => [i, { x: q.x * NM, y: q.y * NM }]));
          const { vdl, received, drive } = link(positions, { slotLossP: p, selectionSlots: 10 }, seed);
          drive(txs.map((x, i) => ({ ...x, sender: x.sender % places.length, payload: i })), Infinity);
          const c = vdl.counters();
          expect(c.scheduled + c.rejected).toBe(txs.length);
          expect(c.receptions).toBe(received.length);
          expect(c.receptions + c.lostSlot + c.collisions + c.halfDuplex + c.outOfRange).toBe(c.scheduled * (places.length - 1));
          expect(c.slotsTransmitted.A + c.slotsTransmitted.B).toBeGreaterThanOrEqual(c.scheduled);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('collisions', () => {
  it('appear only as the channel nears saturation', () => {
    // Reuse starts when fewer than 4 candidates are free in the 75-slot interval: seen from ≈ 80 % load.
    // All in range of each other; 1-slot reports every 2 s.
    const run = (n: number) => {
      const positions = cluster(n);
      const { vdl, drive } = link(positions);
      drive(periodic(positions.keys(), 2000, 180_000), 200_000);
      return vdl;
    };
    const light = run(75); // 75 × 30 / 2 = 1125 slots per channel and minute: 50 %
    expect(Math.max(...light.frameLoads().map((f) => Math.max(f.percent.A, f.percent.B)))).toBeGreaterThan(45);
    expect(light.counters().collisions).toBe(0);
    expect(light.counters().slotsReused).toBe(0);
    const busy = run(100); // 67 %
    expect(busy.counters().collisions).toBe(0);
    const heavy = run(225); // 150 % of the channels
    expect(heavy.counters().slotsReused).toBeGreaterThan(0);
    expect(heavy.counters().collisions).toBeGreaterThan(0);
    for (const f of heavy.frameLoads().filter((f) => f.frame === 1)) expect(Math.min(f.percent.A, f.percent.B)).toBeGreaterThan(85);
  });

  it('hit a receiver between two stations that cannot hear each other (hidden terminals)', () => {
    const positions = new Map<number, LocalPoint>([
      [1, { x: -25 * NM, y: 0 }],
      [2, { x: 25 * NM, y: 0 }],
      [3, { x: 0, y: 0 }],
    ]);
    const { vdl, received, drive } = link(positions, { selectionSlots: 1 });
    drive([{ t: 0, sender: 1, slots: 1, channel: 'A', payload: 1 }, { t: 0, sender: 2, slots: 1, channel: 'A', payload: 2 }], Infinity);
    expect(received).toEqual([]);
    expect(vdl.counters().collisions).toBe(2);
  });

  it('capture: the near station wins over a far one in the same slot', () => {
    const positions = new Map<number, LocalPoint>([
      [1, { x: -26 * NM, y: 0 }],
      [2, { x: 26 * NM, y: 0 }],
      [3, { x: 22 * NM, y: 0 }], // 4 NM from 2, 48 NM from 1: 21.6 dB apart
    ]);
    const noCapture = link(positions, { selectionSlots: 1, rangeNm: 50 });
    const capture = link(positions, { selectionSlots: 1, rangeNm: 50, captureDb: 10 });
    const txs: Transmission<number>[] = [
      { t: 0, sender: 1, slots: 1, channel: 'A', payload: 1 },
      { t: 0, sender: 2, slots: 1, channel: 'A', payload: 2 },
    ];
    noCapture.drive(txs, Infinity);
    capture.drive(txs, Infinity);
    expect(noCapture.received.filter((r) => r.receiver === 3)).toEqual([]);
    expect(capture.received.filter((r) => r.receiver === 3).map((r) => r.payload)).toEqual([2]);
  });

  it('never reuse a slot for carrier-sense (Class B "CS") transmissions', () => {
    const positions = cluster(3);
    // One candidate slot: station 2 must reuse station 1's, and station 3 finds it busy.
    const { vdl } = link(positions, { selectionSlots: 1 });
    vdl.submit({ t: 0, sender: 1, slots: 1, channel: 'A', payload: 1 });
    vdl.submit({ t: 0, sender: 2, slots: 1, channel: 'A', payload: 2 });
    expect(vdl.submit({ t: 0, sender: 3, slots: 1, channel: 'A', access: 'cs', payload: 3 })).toBeUndefined();
    expect(vdl.submit({ t: 0, sender: 3, slots: 1, channel: 'A', payload: 3 })?.reused).toBe(true);
  });

  it('deafen a station while it transmits itself', () => {
    const positions = new Map([[1, { x: 0, y: 0 }], [2, { x: NM, y: 0 }]]);
    const { vdl, received, drive } = link(positions, { selectionSlots: 1 });
    drive([{ t: 0, sender: 1, slots: 1, channel: 'A', payload: 1 }, { t: 0, sender: 2, slots: 1, channel: 'B', payload: 2 }], Infinity);
    expect(received).toEqual([]);
    expect(vdl.counters().halfDuplex).toBe(2);
  });
});
