/** Trusted time from the ship's GNSS: gained by agreeing references, lost by a step, a disagreement or silence. */
import { describe, expect, it } from 'vitest';
import { FakeClock, TrustedTime, type TimeTrustStatus } from '../../hal/index.js';

function rig() {
  const clock = new FakeClock();
  const time = new TrustedTime({ clock, boundMs: 2_000, confirmSamples: 2, maxReferenceAgeMs: 60_000 });
  const changes: TimeTrustStatus[] = [];
  time.on('change', (s) => changes.push(s));
  const gnss = (offsetMs = 0) => time.feed({ utcMs: clock.utcNow() + offsetMs });
  return { clock, time, changes, gnss };
}

describe('TrustedTime', () => {
  it('starts untrusted and is trusted after two agreeing references, not after one', () => {
    const { time, gnss, clock } = rig();
    expect(time.status()).toMatchObject({ trusted: false, reason: 'no-reference' });
    gnss(500);
    expect(time.trusted).toBe(false);
    clock.advance(1_000);
    gnss(-500);
    expect(time.status()).toMatchObject({ trusted: true, reason: 'confirmed' });
  });

  it('loses trust at once on one reference beyond the bound, and needs two again to regain it', () => {
    const { time, gnss, changes } = rig();
    gnss();
    gnss();
    gnss(2_001);
    expect(time.status()).toMatchObject({ trusted: false, reason: 'disagrees', lastOffsetMs: 2_001 });
    gnss();
    expect(time.trusted).toBe(false);
    gnss();
    expect(changes.map((c) => `${c.trusted}:${c.reason}`)).toEqual(['true:confirmed', 'false:disagrees', 'true:confirmed']);
  });

  it('loses trust when the system clock steps back (or forward) beyond the bound, not when it is slewed within it', () => {
    const { time, gnss, clock } = rig();
    gnss();
    gnss();
    clock.stepUtc(-1_500);
    time.check();
    expect(time.trusted).toBe(true);
    clock.stepUtc(-2_500);
    time.check();
    expect(time.status()).toMatchObject({ trusted: false, reason: 'clock-stepped', lastStepMs: -2_500 });
    // A step is also caught when the next reference arrives before any periodic check: the step is seen first.
    const { time: t2, gnss: g2, clock: c2 } = rig();
    g2();
    g2();
    c2.stepUtc(30_000);
    g2(-30_000); // a reference that agrees with the old clock: the system clock moved, the GNSS did not
    expect(t2.status()).toMatchObject({ trusted: false });
  });

  it('loses trust when no reference confirmed it for the maximum age', () => {
    const { time, gnss, clock } = rig();
    gnss();
    gnss();
    clock.advance(60_000);
    time.check();
    expect(time.trusted).toBe(true);
    clock.advance(1);
    time.check();
    expect(time.status()).toMatchObject({ trusted: false, reason: 'reference-lost' });
  });
});
