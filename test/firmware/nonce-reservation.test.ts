import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NonceReservation, type GroupSequence } from '../../firmware/nonce-reservation.js';
import { MemoryNonceStore } from '../../hal/nonce-store-sim.js';
import { seededRandom } from './_pkg.js';

const T = 1_795_521_600;
const KEY = 9;
const key = (s: GroupSequence) => `${s.instance}/${s.utcSeconds}/${s.counter}`;

function unit(store: MemoryNonceStore, instance?: number) {
  return new NonceReservation(store, { blockSeconds: 20, maxLeadSeconds: 8, ...(instance === undefined ? {} : { instance }) }, seededRandom('instance'));
}

describe('mode-5 nonce reservation', () => {
  it('writes the mark before the first nonce and then once per block, not per message', () => {
    const store = new MemoryNonceStore();
    const r = unit(store);
    r.next(KEY, T);
    expect(store.writes).toBe(1);
    expect(store.load()?.marks.get(KEY)).toBe(T + 20);
    for (let t = T; t <= T + 20; t++) r.next(KEY, t);
    expect(store.writes).toBe(1);
    r.next(KEY, T + 21);
    expect(store.writes).toBe(2);
  });

  it('after a restart with the clock at a second already used, continues above the mark or refuses — never repeats', () => {
    const store = new MemoryNonceStore();
    const first = unit(store);
    const used = new Set<string>();
    for (let i = 0; i < 5; i++) used.add(key(first.next(KEY, T)));
    const again = unit(store);
    // The clock still reads T: everything up to the reserved mark (T + 20) counts as used; T + 21 is 21 s ahead.
    expect(() => again.next(KEY, T)).toThrow(expect.objectContaining({ code: 'NONCE_EXHAUSTED' }));
    const s = again.next(KEY, T + 13);
    expect(s.utcSeconds).toBe(T + 21);
    expect(used.has(key(s))).toBe(false);
  });

  it('a clock set back continues above the last second used, at most maxLead ahead, then refuses; it never reuses a nonce', () => {
    const store = new MemoryNonceStore();
    const r = unit(store);
    const used = new Set<string>();
    used.add(key(r.next(KEY, T + 100)));
    let sent = 0;
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      try {
        const s = r.next(KEY, T + 97);
        expect(used.has(key(s))).toBe(false);
        expect(s.utcSeconds).toBeGreaterThanOrEqual(T + 100);
        expect(s.utcSeconds - (T + 97)).toBeLessThanOrEqual(8);
        used.add(key(s));
        sent++;
      } catch (e) {
        expect(e).toMatchObject({ code: 'NONCE_EXHAUSTED' });
        refused++;
      }
    }
    expect(sent).toBe(31 + 5 * 32);
    expect(refused).toBe(400 - sent);
    // A step back further than the lead refuses at once.
    expect(() => unit(store).next(KEY, T + 50)).toThrow(expect.objectContaining({ code: 'NONCE_EXHAUSTED' }));
  });

  it('a crash between reserving and sending never lets the next run reuse what was reserved', () => {
    const store = new MemoryNonceStore();
    const crashed = unit(store);
    const reserved = crashed.next(KEY, T); // reserved on disk; the message never left
    const after = unit(store).next(KEY, T + 20);
    expect(after.utcSeconds).toBeGreaterThan(T + 20);
    expect(key(after)).not.toBe(key(reserved));
  });

  it('a failed write refuses the nonce and leaves the state as it was', () => {
    const store = new MemoryNonceStore();
    const r = unit(store);
    r.next(KEY, T);
    store.failNextWrite();
    expect(() => r.next(KEY, T + 30)).toThrow(expect.objectContaining({ code: 'NONCE_STATE_FAILED' }));
    expect(store.load()?.marks.get(KEY)).toBe(T + 20);
    expect(r.next(KEY, T + 31).utcSeconds).toBe(T + 31);
  });

  it('unreadable state refuses mode 5 instead of starting from scratch', () => {
    const store = new MemoryNonceStore();
    unit(store).next(KEY, T);
    store.corrupt();
    const r = unit(store);
    expect(() => r.next(KEY, T + 100)).toThrow(expect.objectContaining({ code: 'NONCE_STATE_FAILED' }));
  });

  it('two units that share an MMSI (and even the saved state) differ in the instance byte', () => {
    const shared = new MemoryNonceStore();
    const a = unit(new MemoryNonceStore(), 1).next(KEY, T);
    const b = unit(shared, 2).next(KEY, T);
    expect([a.utcSeconds, a.counter]).toEqual([b.utcSeconds, b.counter]);
    expect(key(a)).not.toBe(key(b));
  });

  it('keeps the instance it chose across restarts unless one is configured', () => {
    const store = new MemoryNonceStore();
    const r = unit(store);
    r.next(KEY, T);
    const chosen = r.instance;
    const again = unit(store);
    again.next(KEY, T + 60);
    expect(again.instance).toBe(chosen);
  });

  it('a key id evicted from the record is still covered by the floor', () => {
    const store = new MemoryNonceStore();
    const r = unit(store);
    for (let id = 0; id < 70; id++) r.next(id, T + id);
    const rec = store.load();
    expect(rec?.marks.size).toBeLessThanOrEqual(64);
    expect(rec?.floor).toBeGreaterThanOrEqual(T + 20);
    // Key 0's own mark (T + 20) was folded into the floor: a restart continues above it.
    expect(unit(store).next(0, T + 69).utcSeconds).toBeGreaterThan(T + 20);
  });

  it('no (second, counter) repeats over any sequence of clock steps, restarts and crashes (property)', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('send' as const), d: fc.integer({ min: -40, max: 40 }) }),
      fc.record({ kind: fc.constant('restart' as const), d: fc.integer({ min: -40, max: 40 }) }),
      fc.record({ kind: fc.constant('fail-write' as const), d: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), (steps) => {
        const store = new MemoryNonceStore();
        let r = unit(store, 5);
        let clock = T;
        const used = new Set<string>();
        for (const s of steps) {
          clock += s.d;
          if (s.kind === 'restart') r = unit(store, 5);
          if (s.kind === 'fail-write') store.failNextWrite();
          try {
            const n = r.next(KEY, clock);
            expect(used.has(key(n))).toBe(false);
            used.add(key(n));
          } catch (e) {
            expect(['NONCE_EXHAUSTED', 'NONCE_STATE_FAILED']).toContain((e as { code: string }).code);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
