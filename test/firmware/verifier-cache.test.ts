/**
 * The receiver's verifier cache admits by frequency (firmware/keyring.ts `VerifierCache`, TinyLFU admission): a
 * sender heard once is verified unprepared, a scan of many ships cannot evict the ones heard most, and a sender
 * heard more often than the least recent entry takes its place.
 */
import { describe, expect, it } from 'vitest';
import { FrequencySketch } from '../../firmware/frequency-sketch.js';
import { VerifierCache } from '../../firmware/keyring.js';
import { SecureRx } from '../../firmware/secure-rx.js';
import { testPkg } from './_pkg.js';

const pkg = testPkg('verifier cache');
const EPOCH = 7;

describe('VerifierCache admission', () => {
  it('verifies a sender heard once without preparing it, and prepares it on the second sighting', () => {
    const cache = new VerifierCache(pkg.params, 4);
    const alice = pkg.identity(244_000_001, [EPOCH]);
    const msg = new TextEncoder().encode('position report');
    const sig = alice.signer(EPOCH).sign(msg);
    expect(cache.get('mmsi', 244_000_001, EPOCH).verify(msg, sig)).toBe(true);
    expect(cache.get('mmsi', 244_000_002, EPOCH).verify(msg, sig)).toBe(false);
    const other = new TextEncoder().encode('another report');
    expect(cache.get('mmsi', 244_000_003, EPOCH).verifyAny([other, msg], sig)).toBe(-1);
    expect(new VerifierCache(pkg.params, 4).get('mmsi', 244_000_001, EPOCH).verifyAny([other, msg], sig)).toBe(1);
    expect(cache.size).toBe(0);
    expect(cache.stats.bypassed).toBe(3);
    expect(cache.get('mmsi', 244_000_001, EPOCH).verify(msg, sig)).toBe(true);
    expect(cache.has('mmsi', 244_000_001, EPOCH)).toBe(true);
    expect(cache.stats.admitted).toBe(1);
    expect(cache.get('mmsi', 244_000_001, EPOCH).verify(msg, sig)).toBe(true);
    expect(cache.stats.hits).toBe(1);
    cache.clear();
  });

  it('keeps the regulars through a scan of many ships heard once or twice', () => {
    const cache = new VerifierCache(pkg.params, 8);
    const regulars = Array.from({ length: 8 }, (_, i) => 211_000_000 + i);
    for (let round = 0; round < 5; round++) for (const m of regulars) cache.get('mmsi', m, EPOCH);
    expect(regulars.every((m) => cache.has('mmsi', m, EPOCH))).toBe(true);
    // A sweep of 400 passing ships, each heard twice (past the second-sighting door), while the regulars go on
    // reporting at their own rate.
    for (let i = 0; i < 400; i++) {
      cache.get('mmsi', 300_000_000 + i, EPOCH);
      for (let k = 0; k < 4; k++) cache.get('mmsi', regulars[(8 * i + k) % 8]!, EPOCH);
      cache.get('mmsi', 300_000_000 + i, EPOCH);
      for (let k = 4; k < 8; k++) cache.get('mmsi', regulars[(8 * i + k) % 8]!, EPOCH);
    }
    expect(cache.stats.admitted).toBe(8);
    expect(regulars.filter((m) => cache.has('mmsi', m, EPOCH))).toEqual(regulars);
    expect(cache.size).toBe(8);
    cache.clear();
  });

  it('lets a sender heard more often than the least recent entry take its place', () => {
    const cache = new VerifierCache(pkg.params, 2);
    for (let k = 0; k < 2; k++) for (const m of [1, 2]) cache.get('mmsi', 211_000_000 + m, EPOCH);
    expect(cache.size).toBe(2);
    for (let k = 0; k < 5; k++) cache.get('mmsi', 211_000_003, EPOCH);
    expect(cache.has('mmsi', 211_000_003, EPOCH)).toBe(true);
    expect(cache.has('mmsi', 211_000_001, EPOCH)).toBe(false);
    expect(cache.has('mmsi', 211_000_002, EPOCH)).toBe(true);
    expect(cache.size).toBe(2);
    cache.clear();
  });

  it('keys by identity kind and epoch as well as MMSI', () => {
    const cache = new VerifierCache(pkg.params, 4);
    cache.get('mmsi', 211_000_001, EPOCH);
    cache.get('mmsi', 211_000_001, EPOCH);
    expect(cache.has('mmsi', 211_000_001, EPOCH)).toBe(true);
    expect(cache.has('mmsi', 211_000_001, EPOCH + 1)).toBe(false);
    expect(cache.has('pseudo-mmsi', 211_000_001, EPOCH)).toBe(false);
    cache.clear();
  });
});

describe('FrequencySketch', () => {
  it('never counts a key below its sightings until it halves, then ages every count', () => {
    const sketch = new FrequencySketch(16);
    for (let i = 0; i < 100; i++) sketch.increment(`k${i % 10}`);
    for (let i = 0; i < 10; i++) expect(sketch.estimate(`k${i}`)).toBeGreaterThanOrEqual(10);
    expect(sketch.estimate('never seen')).toBeLessThan(10);
    for (let i = 0; i < sketch.sampleSize; i++) sketch.increment(`other${i}`);
    expect(sketch.estimate('k0')).toBeLessThan(10);
    expect(sketch.bytes).toBe(4 * 64);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new FrequencySketch(0)).toThrow(RangeError);
    expect(() => new VerifierCache(pkg.params, 1.5)).toThrow(RangeError);
  });

  it('is the bound the receive path is configured with', () => {
    expect(() => new SecureRx({ verifierCache: 0 }, { params: pkg.params })).toThrow(/verifier cache capacity/);
    expect(() => new SecureRx({ verifierCache: 16 }, { params: pkg.params })).not.toThrow();
  });
});
