import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appDataCapacity, slotsFor, slotsForPlainBits } from '../../firmware/capacity.js';
import { decodeEnvelopeMessage, encodeEnvelopeMessage, headerBytes, Kind } from '../../firmware/envelope.js';
import { fragmentBody, planFragments } from '../../firmware/fragmenter.js';
import { MAX_HEADS, Reassembler, type ReassemblyOutcome } from '../../firmware/reassembler.js';

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
    // 2-byte fragment headers; fragment 0 also carries the 4-byte commitment.
    expect(planFragments(87, { messageType: 8 })).toEqual({ slots: [3, 2], chunkSizes: [60, 27], totalSlots: 5 });
  });
  it('uses a 1-slot tail when it suffices', () => {
    expect(planFragments(66, { messageType: 8 })).toEqual({ slots: [3, 1], chunkSizes: [60, 6], totalSlots: 4 });
  });
  it('carries a 236-byte mode-4 body in four 3-slot messages 6', () => {
    expect(planFragments(236, { messageType: 6 })).toEqual({ slots: [3, 3, 3, 3], chunkSizes: [56, 60, 60, 60], totalSlots: 12 });
  });
  it('never exceeds the per-message slot limit and never wastes a slot', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 256 }), fc.constantFrom<6 | 8>(6, 8), fc.integer({ min: 1, max: 3 }), (len, type, maxSlots) => {
        // The most a body can be: one message, or four fragments of which the first also holds the commitment.
        const app = appDataCapacity(type, maxSlots);
        const fits = Math.max(app - 1, app - 6 >= 1 ? 4 * (app - 2) - 4 : 0);
        if (len > fits) {
          expect(() => planFragments(len, { messageType: type, maxSlotsPerMessage: maxSlots })).toThrow(/does not fit/);
          return;
        }
        const plan = planFragments(len, { messageType: type, maxSlotsPerMessage: maxSlots });
        expect(plan.chunkSizes.reduce((a, b) => a + b, 0)).toBe(len);
        expect(plan.chunkSizes.every((c) => c >= 1)).toBe(true);
        expect(plan.slots.every((s) => s >= 1 && s <= maxSlots)).toBe(true);
        // Each message holds its header (with fragment 0's digests) and its chunk.
        const n = plan.slots.length;
        const hdr = (i: number) => headerBytes(n > 1, i);
        plan.slots.forEach((s, i) => expect(plan.chunkSizes[i]! + hdr(i)).toBeLessThanOrEqual(appDataCapacity(type, s)));
        // One slot fewer in any message would not carry the body.
        plan.slots.forEach((s, i) => {
          if (s === 1) return;
          const shrunk = plan.slots.map((x, j) => (j === i ? x - 1 : x));
          const carried = shrunk.reduce((a, x, j) => a + appDataCapacity(type, x) - hdr(j), 0);
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

  it('forged fragments 0 in the same group, before and after the genuine one, do not hide the genuine body', () => {
    const r = new Reassembler();
    const genuine = fragmentBody(Kind.SignedInline, false, body(100, 1), 5, { messageType: 8 });
    const forged = Array.from({ length: 40 }, (_, k) => k + 2).map((seed) => fragmentBody(Kind.SignedInline, false, body(100, seed), 5, { messageType: 8 }));
    const codes: string[] = [];
    // More than MAX_HEADS pre-sent ahead of the genuine fragment 0: the older ones make way.
    for (const f of forged.slice(0, MAX_HEADS + 1)) codes.push(...r.push({ source: 9 }, decodeEnvelopeMessage(f[0]!), 0).dropped.map((e) => e.code));
    expect(r.push({ source: 9 }, decodeEnvelopeMessage(genuine[0]!), 0).status).toBe('pending');
    expect(codes.filter((c) => c === 'FRAGMENT_CONFLICT').length).toBe(1);
    const done = r.push({ source: 9 }, decodeEnvelopeMessage(genuine[1]!), 0);
    if (done.status !== 'complete') throw new Error('expected completion');
    expect(Array.from(done.body)).toEqual(Array.from(body(100, 1)));
    expect(done.candidates).toHaveLength(1);
    expect(r.pendingGroups).toBe(1); // held until the body is accepted
    done.settle();
    expect(r.pendingGroups).toBe(0);
    // Heard first, the genuine fragment 0 stays however many forgeries follow it.
    const r2 = new Reassembler();
    r2.push({ source: 9 }, decodeEnvelopeMessage(genuine[0]!), 0);
    for (const f of forged) r2.push({ source: 9 }, decodeEnvelopeMessage(f[0]!), 0);
    const done2 = r2.push({ source: 9 }, decodeEnvelopeMessage(genuine[1]!), 0);
    expect(done2.status === 'complete' && Array.from(done2.body)).toEqual(Array.from(body(100, 1)));
  });

  it('forged variants of later fragments, pre-sent in any number, never join the genuine body', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 170, max: 230 }), // 3 or 4 fragments
        fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.uint8Array({ minLength: 1, maxLength: 60 }), fc.boolean()), { minLength: 2, maxLength: 12 }),
        fc.integer({ min: 0, max: 15 }),
        (len, forgeries, group) => {
          const genuine = fragmentBody(Kind.SignedInline, false, body(len, 7), group, { messageType: 8 }).map(decodeEnvelopeMessage);
          const count = genuine.length;
          const r = new Reassembler();
          const outs: ReassemblyOutcome[] = [];
          const push = (m: ReturnType<typeof decodeEnvelopeMessage>) => outs.push(r.push({ source: 9 }, m, 0));
          // Forged chunks for every later index: some before the genuine fragment 0, some between the genuine ones.
          const forged = forgeries.map(([i, chunk, early]) => ({ early, m: { ...genuine[Math.min(i, count - 1)]!, chunk } }));
          for (const f of forged) if (f.early) push(f.m);
          genuine.forEach((g, i) => {
            push(g);
            if (i === 0) for (const f of forged) if (!f.early) push(f.m);
          });
          const complete = outs.filter((o) => o.status === 'complete');
          expect(complete).toHaveLength(1);
          for (const o of complete) {
            expect(o.candidates).toHaveLength(1);
            expect(Array.from(o.body)).toEqual(Array.from(body(len, 7)));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('offers at most one candidate per completed body for any mix of forged variants', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 30 }), (script) => {
        // Six senders of consistent bodies into one group: the genuine one and five forgers with their own digests.
        const bodies = [0, 1, 2, 3, 4, 5].map((k) => fragmentBody(Kind.SignedInline, false, body(190, k), 7, { messageType: 8 }).map(decodeEnvelopeMessage));
        const r = new Reassembler();
        for (const [who, index] of script) {
          const o = r.push({ source: 9 }, bodies[who]![Math.min(index, bodies[who]!.length - 1)]!, 0);
          if (o.status !== 'complete') continue;
          expect(o.candidates).toHaveLength(1);
          // The candidate is one sender's whole body, never a mix.
          expect(bodies.map((b) => b.map((m) => Array.from(m.chunk)).flat())).toContainEqual(Array.from(o.body));
        }
      }),
    );
  });

  it('a flood of incomplete groups, under many MMSIs and under the victim\'s, does not push out the victim\'s group', () => {
    const victim = 244_123_456;
    const r = new Reassembler();
    const genuine = fragmentBody(Kind.SignedInline, false, body(100, 1), 12, { messageType: 8 }).map(decodeEnvelopeMessage);
    const junk = (i: number) => decodeEnvelopeMessage(fragmentBody(Kind.SignedInline, false, body(100, i), i % 16, { messageType: 8 })[i % 2]!);
    let evicted = 0;
    const flood = (n: number, from: (i: number) => number, offset: number) => {
      for (let i = 0; i < n; i++) evicted += r.push({ source: from(i) }, junk(offset + i), 0).dropped.filter((e) => e.code === 'FRAGMENT_EVICTED').length;
    };
    // Before the genuine fragment 0: the table fills and churns.
    flood(2000, (i) => (i % 3 === 0 ? victim : 200_000_000 + i), 0);
    expect(r.push({ source: victim }, genuine[0]!, 0).status).toBe('pending');
    // Between the genuine fragments: 300 messages, four seconds of both VHF channels saturated.
    flood(150, () => victim, 5000);
    flood(150, (i) => 300_000_000 + i, 6000);
    const done = r.push({ source: victim }, genuine[1]!, 0);
    expect(done.status).toBe('complete');
    expect(r.pendingGroups).toBeLessThanOrEqual(512);
    expect(evicted).toBeGreaterThan(900); // the table churned while the group waited
  });

  it('a sender at its cap loses its own oldest group, never another sender\'s', () => {
    const r = new Reassembler({ maxPendingGroups: 8, maxPendingPerSender: 4 });
    const first = (g: number) => decodeEnvelopeMessage(fragmentBody(Kind.SignedInline, false, body(100, g), g, { messageType: 8 })[0]!);
    r.push({ source: 1 }, first(1), 0);
    r.push({ source: 2 }, first(2), 0);
    for (let g = 3; g < 16; g++) r.push({ source: 3 }, first(g), 0);
    expect(r.pendingGroups).toBe(6);
    for (const [source, g] of [[1, 1], [2, 2], [3, 15]] as const) {
      const second = decodeEnvelopeMessage(fragmentBody(Kind.SignedInline, false, body(100, g), g, { messageType: 8 })[1]!);
      expect(r.push({ source }, second, 0).status).toBe('complete');
    }
  });

  it('fragment 0 commits to kind, group and count as well as the body', () => {
    const [f0, f1] = fragmentBody(Kind.SignedInline, false, body(100, 1), 9, { messageType: 8 }).map(decodeEnvelopeMessage);
    const r = new Reassembler();
    // The same bytes announced for another group do not complete anything.
    const moved = [f0!, f1!].map((m) => decodeEnvelopeMessage(encodeEnvelopeMessage({ ...m, fragment: { ...m.fragment!, group: 10 } })));
    r.push({ source: 1 }, moved[0]!, 0);
    expect(r.push({ source: 1 }, moved[1]!, 0).status).toBe('pending');
    r.push({ source: 1 }, f0!, 0);
    expect(r.push({ source: 1 }, f1!, 0).status).toBe('complete');
  });

  it('rejects foreign and malformed application data with typed errors', () => {
    expect(() => decodeEnvelopeMessage(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'ENVELOPE_TRUNCATED' }));
    expect(() => decodeEnvelopeMessage(Uint8Array.of(0x00, 1))).toThrow(expect.objectContaining({ code: 'ENVELOPE_VERSION' }));
    // Version 1 is refused: there is no v1 fleet to keep.
    expect(() => decodeEnvelopeMessage(Uint8Array.of(0x40 | (1 << 2), 1, 2, 3))).toThrow(expect.objectContaining({ code: 'ENVELOPE_VERSION' }));
    expect(() => decodeEnvelopeMessage(Uint8Array.of(0x80 | (15 << 2), 1))).toThrow(expect.objectContaining({ code: 'ENVELOPE_KIND' }));
    expect(() => decodeEnvelopeMessage(Uint8Array.of(0x80 | (1 << 2) | 2, 0x00, 0x0d, 1))).toThrow(expect.objectContaining({ code: 'FRAGMENT_COUNT' }));
    expect(() => decodeEnvelopeMessage(Uint8Array.of(0x80 | (1 << 2) | 2, 0x01, 1, 2, 3, 4))).toThrow(expect.objectContaining({ code: 'ENVELOPE_TRUNCATED' }));
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
