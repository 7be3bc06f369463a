import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appDataCapacity, slotsFor, slotsForPlainBits } from '../../firmware/capacity.js';
import { decodeEnvelopeMessage, Kind } from '../../firmware/envelope.js';
import { fragmentBody, planFragments } from '../../firmware/fragmenter.js';
import { Reassembler } from '../../firmware/reassembler.js';

describe('slot capacity (ITU-R M.1371-5 Tables 55/58)', () => {
  it('gives the application data of messages 6 and 8', () => {
    expect([1, 2, 3, 4, 5].map((s) => appDataCapacity(8, s))).toEqual([10, 38, 66, 94, 119]);
    expect([1, 2, 3, 4, 5].map((s) => appDataCapacity(6, s))).toEqual([6, 34, 62, 90, 115]);
    expect(slotsFor(8, 66)).toBe(3);
    expect(slotsFor(8, 67)).toBe(4);
    expect(slotsFor(8, 120)).toBeUndefined();
  });
  it('counts plain reports as the standard does', () => {
    expect(slotsForPlainBits(168)).toBe(1); // msg 1
    expect(slotsForPlainBits(424)).toBe(2); // msg 5
    expect(slotsForPlainBits(312)).toBe(2); // msg 19
  });
});

describe('fragment planning', () => {
  it('keeps a body in one message when it fits 3 slots', () => {
    expect(planFragments(65, { messageType: 8 })).toEqual({ slots: [3], chunkSizes: [65], totalSlots: 3 });
    expect(planFragments(9, { messageType: 8 })).toEqual({ slots: [1], chunkSizes: [9], totalSlots: 1 });
  });
  it('splits a signed position report (87 B) into 3 + 2 slots', () => {
    expect(planFragments(87, { messageType: 8 })).toEqual({ slots: [3, 2], chunkSizes: [64, 23], totalSlots: 5 });
  });
  it('uses a 1-slot tail when it suffices', () => {
    expect(planFragments(66, { messageType: 8 })).toEqual({ slots: [3, 1], chunkSizes: [64, 2], totalSlots: 4 });
  });
  it('never exceeds the per-message slot limit and never wastes a slot', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 256 }), fc.constantFrom<6 | 8>(6, 8), fc.integer({ min: 1, max: 3 }), (len, type, maxSlots) => {
        const fits = 4 * (appDataCapacity(type, maxSlots) - 2);
        if (len > fits) {
          expect(() => planFragments(len, { messageType: type, maxSlotsPerMessage: maxSlots })).toThrow(/does not fit/);
          return;
        }
        const plan = planFragments(len, { messageType: type, maxSlotsPerMessage: maxSlots });
        expect(plan.chunkSizes.reduce((a, b) => a + b, 0)).toBe(len);
        expect(plan.chunkSizes.every((c) => c >= 1)).toBe(true);
        expect(plan.slots.every((s) => s >= 1 && s <= maxSlots)).toBe(true);
        // Lower bound: the body plus a 2-byte header per message, at the best bytes-per-slot rate.
        const hdr = plan.slots.length === 1 ? 1 : 2;
        plan.slots.forEach((s, i) => expect(plan.chunkSizes[i]! + hdr).toBeLessThanOrEqual(appDataCapacity(type, s)));
        // One slot fewer in any message would not carry the body.
        plan.slots.forEach((s, i) => {
          if (s === 1) return;
          const shrunk = plan.slots.map((x, j) => (j === i ? x - 1 : x));
          const carried = shrunk.reduce((a, x) => a + appDataCapacity(type, x) - hdr, 0);
          expect(carried).toBeLessThan(len);
        });
      }),
    );
  });
});

describe('fragmentation and reassembly', () => {
  const body = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

  it('round-trips a body through messages in any order, with duplicates', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 250 }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (len, group, seed) => {
        const b = body(len, seed);
        const msgs = fragmentBody(Kind.SignedInline, false, b, group, { messageType: 8 });
        const order = msgs.map((m, i) => ({ m, k: (seed >>> i) % 7 })).sort((x, y) => x.k - y.k).map((x) => x.m);
        // Every fragment but the completing one arrives twice (a repeater, or both channels).
        const arrivals = [...order.slice(0, -1).flatMap((m) => [m, m]), order[order.length - 1]!];
        const r = new Reassembler();
        const outs = arrivals.map((m) => r.push({ source: 123456789 }, decodeEnvelopeMessage(m), 0));
        const done = outs.filter((o) => o.status === 'complete');
        expect(done).toHaveLength(1);
        expect(done[0]!.status === 'complete' && Array.from(done[0]!.body)).toEqual(Array.from(b));
        expect(outs.filter((o) => o.status === 'duplicate')).toHaveLength(msgs.length === 1 ? 0 : msgs.length - 1);
        expect(r.pendingGroups).toBe(msgs.length === 1 ? 0 : 1); // held until the caller accepts the body
        if (done[0]!.status === 'complete') done[0]!.settle();
        expect(r.pendingGroups).toBe(0);
      }),
    );
  });

  it('never mixes fragments of two senders or two groups', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(111111111, 222222222), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 6 }), fc.integer(), (senders, seed) => {
        const sent = new Map<string, number[]>();
        const queue: { source: number; data: Uint8Array }[] = [];
        senders.forEach(([source, group], i) => {
          const key = `${source}:${group}`;
          if (sent.has(key)) return;
          const b = body(90 + i, seed + i);
          sent.set(key, Array.from(b));
          for (const data of fragmentBody(Kind.SignedInline, false, b, group, { messageType: 8 })) queue.push({ source, data });
        });
        queue.sort((a, b) => ((a.data[a.data.length - 1]! ^ seed) & 3) - ((b.data[b.data.length - 1]! ^ seed) & 3));
        const r = new Reassembler();
        const got: number[][] = [];
        for (const q of queue) {
          const o = r.push({ source: q.source }, decodeEnvelopeMessage(q.data), 0);
          if (o.status === 'complete') got.push(Array.from(o.body));
        }
        const expected = [...sent.values()];
        expect(got.length).toBe(expected.length);
        for (const g of got) expect(expected).toContainEqual(g);
      }),
    );
  });

  it('releases a group that never completes and says so', () => {
    const r = new Reassembler({ fragmentTimeoutMs: 1000 });
    const [first] = fragmentBody(Kind.SignedInline, false, body(100, 1), 3, { messageType: 8 });
    expect(r.push({ source: 1 }, decodeEnvelopeMessage(first!), 0).status).toBe('pending');
    expect(r.pendingGroups).toBe(1);
    const expired = r.expire(1000);
    expect(expired.map((e) => e.code)).toEqual(['FRAGMENT_EXPIRED']);
    expect(r.pendingGroups).toBe(0);
  });

  it('caps pending groups per sender and in all, reporting evictions', () => {
    const r = new Reassembler({ maxPendingGroups: 8, maxPendingPerSender: 2 });
    const codes: string[] = [];
    for (let source = 1; source <= 6; source++) {
      for (let group = 0; group < 4; group++) {
        const [first] = fragmentBody(Kind.SignedInline, false, body(100, group), group, { messageType: 8 });
        const o = r.push({ source }, decodeEnvelopeMessage(first!), 0);
        codes.push(...o.dropped.map((e) => e.code));
        expect(r.pendingGroups).toBeLessThanOrEqual(8);
      }
    }
    expect(codes.filter((c) => c === 'FRAGMENT_EVICTED').length).toBe(6 * 4 - 8);
  });

  it('keeps a contested fragment in both versions and offers every combination; a third version is ignored', () => {
    const r = new Reassembler();
    const a = fragmentBody(Kind.SignedInline, false, body(100, 1), 5, { messageType: 8 });
    const b = fragmentBody(Kind.SignedInline, false, body(100, 2), 5, { messageType: 8 });
    const c = fragmentBody(Kind.SignedInline, false, body(100, 3), 5, { messageType: 8 });
    expect(r.push({ source: 9 }, decodeEnvelopeMessage(a[0]!), 0).status).toBe('pending');
    expect(r.push({ source: 9 }, decodeEnvelopeMessage(b[0]!), 0).status).toBe('pending'); // injected under the same MMSI
    const third = r.push({ source: 9 }, decodeEnvelopeMessage(c[0]!), 0);
    expect(third.dropped.map((e) => e.code)).toEqual(['FRAGMENT_CONFLICT']);
    const done = r.push({ source: 9 }, decodeEnvelopeMessage(b[1]!), 0);
    if (done.status !== 'complete') throw new Error('expected completion');
    expect(done.candidates.map((x) => Array.from(x))).toContainEqual(Array.from(body(100, 2)));
    expect(done.candidates).toHaveLength(2);
    expect(r.pendingGroups).toBe(1); // held until a candidate is accepted
    done.settle();
    expect(r.pendingGroups).toBe(0);
  });

  it('rejects foreign and malformed application data with typed errors', () => {
    expect(() => decodeEnvelopeMessage(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'ENVELOPE_TRUNCATED' }));
    expect(() => decodeEnvelopeMessage(Uint8Array.of(0x00, 1))).toThrow(expect.objectContaining({ code: 'ENVELOPE_VERSION' }));
    expect(() => decodeEnvelopeMessage(Uint8Array.of(0x40 | (15 << 2), 1))).toThrow(expect.objectContaining({ code: 'ENVELOPE_KIND' }));
    expect(() => decodeEnvelopeMessage(Uint8Array.of(0x40 | (1 << 2) | 2, 0x0d, 1))).toThrow(expect.objectContaining({ code: 'FRAGMENT_COUNT' }));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 130 }), (data) => {
        try {
          decodeEnvelopeMessage(data);
        } catch (e) {
          expect((e as { code?: string }).code).toMatch(/^(ENVELOPE|FRAGMENT)_/);
        }
      }),
    );
  });
});
