/**
 * Structure-aware fuzzing of the receive path (bench/fuzz/rx-cases.ts): 10⁴ cases of every envelope kind, fragmented
 * and not, every header and body field across its bit width, in valid NMEA. None may throw out of the receiver or
 * need its last-resort containment; each lands as a shown result or a typed rejection. `npm run fuzz:rx` runs 10⁶.
 */
import { describe, expect, it } from 'vitest';
import { rxFuzzFixture } from '../../bench/fuzz/rx-fixture.js';
import { runRxFuzz } from '../../bench/fuzz/rx-run.js';
import { rxFuzzCases } from '../../bench/fuzz/rx-cases.js';
import { createRng } from '../../bench/sim/rng.js';
import { SecureTx } from '../../firmware/secure-tx.js';
import { NOW_MS } from './_pkg.js';

describe('receive-path fuzzing', () => {
  it('10⁴ structure-aware cases: no crash, every kind reached, genuine traffic still verifies', () => {
    const fixture = rxFuzzFixture('rx-fuzz test', NOW_MS);
    const res = runRxFuzz({ cases: 10_000, seed: 11, startMs: NOW_MS, config: fixture.config, receiver: fixture.receiver, casesPerReceiver: 5_000 });
    expect(res.firstCrash?.error).toBeUndefined();
    expect(res.crashes).toBe(0);
    expect(res.cases).toBe(10_000);
    for (const k of [1, 2, 3, 4, 5, 6]) {
      expect(res.byLabel[`kind${k}/frag`], `kind ${k} fragmented`).toBeGreaterThan(0);
    }
    for (const k of [1, 2, 3, 5, 6]) expect(res.byLabel[`kind${k}`], `kind ${k}`).toBeGreaterThan(0);
    // Deep paths were reached: verified, decrypted, pending and plain results beside the failures.
    for (const r of ['V', 'D', 'P', 'U', 'F']) expect(res.statuses[r], `result ${r}`).toBeGreaterThan(0);
    for (const code of ['INVALID_MMSI', 'BAD_SIGNATURE', 'MALFORMED', 'ENVELOPE_KIND', 'ENVELOPE_VERSION', 'FRAGMENT_COUNT', 'REPLAY', 'NO_GROUP_KEY']) {
      expect(res.rejected[code], code).toBeGreaterThan(0);
    }
    expect(res.rejected.INTERNAL).toBeUndefined();
  });

  let txFixture: ReturnType<typeof rxFuzzFixture> | undefined;
  it.each([1, 2, 4] as const)('transmit path, mode %i: 500 cases as own-ship VDO and VDM never throw nor need the containment', (mode) => {
    const fixture = (txFixture ??= rxFuzzFixture('tx-fuzz test', NOW_MS));
    const tx = new SecureTx({ mode, emit: mode === 2 ? 'vdm' : 'bbm', ownShip: 'any', to: 244_123_456, timeTrusted: true }, fixture.keys);
    const rng = createRng(mode);
    const next = rxFuzzCases(rng.fork(1), fixture.config);
    let now = NOW_MS;
    let out = 0;
    for (let i = 0; i < 500; i++) {
      now += rng.int(0, 3_000);
      for (const line of next(Math.floor(now / 1000)).lines) {
        const l = rng.bernoulli(0.5) ? line.replace('!AIVDM', '!AIVDO') : line;
        expect(() => (out += tx.push(l, now).length)).not.toThrow();
      }
      if (i % 20 === 0) expect(() => tx.tick(now)).not.toThrow();
    }
    expect(tx.counters.byReason.INTERNAL).toBeUndefined();
    expect(out).toBeGreaterThan(0);
  });
});

