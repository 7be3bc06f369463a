/** Randomised: losses, delays and forged reports never produce an early or a false "authenticated". */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AmortisedSender, disclosureTimeOf, intervalOf, type TeslaParams } from '../../../firmware/amortised/index.js';
import { T } from './_craft.js';
import { MMSI, fakeSign, link, positionReport, seeds } from './_harness.js';

const paramsArb: fc.Arbitrary<TeslaParams> = fc
  .record({
    intervalS: fc.constantFrom(10, 15, 20, 30, 60),
    short: fc.boolean(),
    tagBytes: fc.constantFrom(3, 4),
    window: fc.constantFrom(1, 2),
  })
  .map((r) => ({
    intervalS: r.intervalS,
    disclosureDelayS: r.short ? 8 : r.intervalS,
    tagBytes: r.tagBytes,
    keyBytes: 8,
    window: r.window,
  }));

describe('receiver under random loss, delay and forgery', () => {
  it('authenticates only genuine reports, and only after their key is out', () => {
    fc.assert(
      fc.property(
        paramsArb,
        fc.integer({ min: 2, max: 12 }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (params, every, loss, seed) => {
          let x = seed;
          const draw = (): number => {
            x = (x * 48271) % 2147483647;
            return x / 2147483647;
          };
          const l = link(params);
          const genuine = new Set<number>();
          const forged = new Set<number>();
          const secondOf = new Map<number, number>();
          for (let t = T; t <= T + 600; t++) {
            if ((t - T) % every === 0) {
              const r = positionReport(t, t % 2 === 0 ? 'A' : 'B');
              l.sender.addReport(r);
              if (draw() >= loss) {
                const ev = l.receiver.onReport(MMSI, r, t + 0.1);
                const e = ev[0];
                if (e?.type === 'report') {
                  genuine.add(e.id);
                  secondOf.set(e.id, t);
                }
                l.events.push(...ev);
              }
            }
            if (draw() < 0.1) {
              const f = positionReport(t, 'A', 1 + Math.floor(draw() * 1e6));
              const ev = l.receiver.onReport(MMSI, f, t + 0.2);
              const e = ev[0];
              if (e?.type === 'report') {
                forged.add(e.id);
                secondOf.set(e.id, t);
              }
              l.events.push(...ev);
            }
            for (const e of l.sender.poll(t)) {
              if (draw() < loss) continue;
              l.events.push(...l.receiver.onBody(MMSI, e.kind, e.body, t + 0.5 + draw() * 3.4));
            }
            l.events.push(...l.receiver.tick(t + 0.95));
          }
          for (const ev of l.events) {
            if (ev.type !== 'report' || ev.status !== 'authenticated') continue;
            expect(forged.has(ev.id)).toBe(false);
            expect(genuine.has(ev.id)).toBe(true);
            const s = secondOf.get(ev.id) ?? 0;
            expect(ev.atS).toBeGreaterThanOrEqual(disclosureTimeOf(params, intervalOf(params, s)));
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('refuses a disclosure delay too short for any batch to arrive safely', () => {
    const params: TeslaParams = { intervalS: 30, disclosureDelayS: 5, tagBytes: 3, keyBytes: 8, window: 1 };
    expect(() => new AmortisedSender({ mmsi: MMSI, params, sign: fakeSign(MMSI), randomSeed: seeds('x') })).toThrow(RangeError);
  });
});
