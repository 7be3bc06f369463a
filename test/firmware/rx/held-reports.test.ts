/** The held plain reports of the attached topology stay bounded per sender, in senders and in all; copies count once. */
import { describe, expect, it } from 'vitest';
import { HeldReports, type HeldReport } from '../../../firmware/rx/held-reports.js';

const held = (mmsi: number, digest: string, second = 100): HeldReport => ({
  bits: { bytes: new Uint8Array(21), bitLength: 168 },
  message: { type: 1, repeat: 0, mmsi },
  lines: [],
  channel: 'A',
  receivedSecond: second,
  receivedMs: second * 1000,
  digest,
  verified: false,
  fed: false,
});

describe('held plain reports', () => {
  it('keeps at most perSender per sender, newest kept; identical copies are held once', () => {
    const store = new HeldReports({ perSender: 3, senders: 10, total: 100 });
    expect(store.hold(held(1, 'a'))).toBe(true);
    expect(store.hold(held(1, 'a'))).toBe(false);
    for (const d of ['b', 'c', 'd']) store.hold(held(1, d));
    expect(store.of(1).map((h) => h.digest)).toEqual(['b', 'c', 'd']);
    expect(store.size).toBe(3);
  });

  it('bounds the reports in all, dropping the least recently heard sender first', () => {
    const store = new HeldReports({ perSender: 8, senders: 1000, total: 20 });
    for (let mmsi = 1; mmsi <= 50; mmsi++) for (const d of ['x', 'y']) store.hold(held(mmsi, d));
    expect(store.size).toBeLessThanOrEqual(20);
    expect(store.of(50)).toHaveLength(2);
    expect(store.of(1)).toEqual([]);
  });

  it('expires by receive second and counts what nothing vouched for', () => {
    const store = new HeldReports({ perSender: 8, senders: 10, total: 100 });
    store.hold(held(1, 'old', 10));
    const vouched = held(1, 'vouched', 10);
    vouched.verified = true;
    store.hold(vouched);
    store.hold(held(1, 'new', 50));
    expect(store.expire(40)).toBe(1);
    expect(store.of(1).map((h) => h.digest)).toEqual(['new']);
    expect(store.size).toBe(1);
  });
});
