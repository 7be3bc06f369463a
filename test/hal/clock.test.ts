import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../hal/clock-sim.js';
import { UtcCrossCheck, type UtcDisagreement } from '../../hal/clock.js';

describe('FakeClock', () => {
  it('fires timers in deadline order, including ones scheduled while advancing', () => {
    const clock = new FakeClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@20'), 20);
    clock.setTimeout(() => {
      fired.push('a@10');
      clock.setTimeout(() => fired.push('c@15'), 5);
    }, 10);
    const cancelled = clock.setTimeout(() => fired.push('never'), 12);
    clock.clearTimeout(cancelled);
    clock.advance(30);
    expect(fired).toEqual(['a@10', 'c@15', 'b@20']);
    expect(clock.monotonicNow()).toBe(30);
  });

  it('steps UTC without moving monotonic time', () => {
    const clock = new FakeClock(1_000_000);
    clock.stepUtc(-5000);
    expect(clock.utcNow()).toBe(995_000);
    expect(clock.monotonicNow()).toBe(0);
  });
});

describe('UtcCrossCheck', () => {
  const T0 = Date.UTC(2026, 10, 24, 11, 0, 0);

  it('agrees within the tolerance and needs confirming samples before any verdict', () => {
    const clock = new FakeClock(T0);
    const check = new UtcCrossCheck({ clock });
    expect(check.status().state).toBe('unknown');
    check.feed({ source: 'ais-base-station', utcMs: clock.utcNow() + 1000 });
    check.feed({ source: 'ais-base-station', utcMs: clock.utcNow() - 1500 });
    expect(check.status().state).toBe('unknown');
    check.feed({ source: 'gnss', utcMs: clock.utcNow() });
    expect(check.status()).toMatchObject({ state: 'agree', lastOffsetMs: 0, lastSource: 'gnss' });
  });

  it('raises a disagreement once after consecutive samples beyond the tolerance, and clears it', () => {
    const clock = new FakeClock(T0);
    const check = new UtcCrossCheck({ clock, toleranceMs: 2000, confirmSamples: 3 });
    const alarms: UtcDisagreement[] = [];
    const clears: number[] = [];
    check.on('disagree', (d) => alarms.push(d));
    check.on('agree', ({ offsetMs }) => clears.push(offsetMs));
    for (let i = 0; i < 3; i += 1) check.feed({ source: 'gnss', utcMs: clock.utcNow() });
    // The system clock is 60 s fast: references say it is earlier than we think.
    clock.stepUtc(60_000);
    check.feed({ source: 'ais-base-station', utcMs: clock.utcNow() - 60_000 });
    check.feed({ source: 'ais-base-station', utcMs: clock.utcNow() });
    check.feed({ source: 'ais-base-station', utcMs: clock.utcNow() - 60_000 });
    check.feed({ source: 'ais-base-station', utcMs: clock.utcNow() - 60_000 });
    expect(alarms).toEqual([]);
    check.feed({ source: 'ais-base-station', utcMs: clock.utcNow() - 60_000 });
    expect(alarms).toEqual([{ offsetMs: -60_000, source: 'ais-base-station', toleranceMs: 2000 }]);
    check.feed({ source: 'ais-base-station', utcMs: clock.utcNow() - 60_000 });
    expect(alarms).toHaveLength(1);
    clock.stepUtc(-60_000);
    for (let i = 0; i < 3; i += 1) check.feed({ source: 'gnss', utcMs: clock.utcNow() });
    expect(clears).toEqual([0]);
    expect(check.status().state).toBe('agree');
  });

  it('measures the offset at the reception time of a sample processed late', () => {
    const clock = new FakeClock(T0);
    const check = new UtcCrossCheck({ clock, confirmSamples: 1 });
    const receivedAt = clock.monotonicNow();
    const utcAtReception = clock.utcNow();
    clock.advance(5000);
    check.feed({ source: 'gnss', utcMs: utcAtReception, receivedAtMonotonicMs: receivedAt });
    expect(check.status()).toMatchObject({ state: 'agree', lastOffsetMs: 0, ageMs: 5000 });
  });

  it('reports unknown again when the reference is stale', () => {
    const clock = new FakeClock(T0);
    const check = new UtcCrossCheck({ clock, confirmSamples: 1, maxReferenceAgeMs: 60_000 });
    check.feed({ source: 'gnss', utcMs: clock.utcNow() });
    clock.advance(60_001);
    expect(check.status().state).toBe('unknown');
  });

  it('rejects misuse', () => {
    const check = new UtcCrossCheck({ clock: new FakeClock(T0) });
    expect(() => check.feed({ source: 'ntp' as never, utcMs: 0 })).toThrow(TypeError);
    expect(() => check.feed({ source: 'gnss', utcMs: Number.NaN })).toThrow(TypeError);
    expect(() => new UtcCrossCheck({ toleranceMs: 0 })).toThrow(RangeError);
  });
});
