/** Issue 8 acceptance: none of these attacks gets a report shown as authenticated. */
import { describe, expect, it } from 'vitest';
import { intervalOf, type Report, type TeslaParams } from '../../../firmware/amortised/index.js';
import { Crafter, T, idOf, noticed, receiver, statusIn } from './_craft.js';
import { MMSI, PARAMS, fakeSign, positionReport } from './_harness.js';

const m0 = intervalOf(PARAMS, T);

/** Anchor at T, genuine reports at T+10 and T+20, batch m0 at T+30, batch m0+1 (discloses K_m0) at T+60. */
function baseline(c: Crafter, heard: Report[], rx: ReturnType<typeof receiver>) {
  const genuine = [positionReport(T + 10, 'A'), positionReport(T + 20, 'B')];
  rx.log.push(...rx.rx.onBody(MMSI, 5, c.anchor(T, m0 - 1), T + 0.5));
  const ids = heard.map((r) => {
    const ev = rx.rx.onReport(MMSI, r, r.second + 0.1);
    rx.log.push(...ev);
    return idOf(ev);
  });
  rx.log.push(...rx.rx.onBody(MMSI, 6, c.batch(T + 30, genuine), T + 31));
  return { genuine, ids };
}

const discloseKm0 = (c: Crafter, rx: ReturnType<typeof receiver>, extra: Report[] = []): void => {
  rx.log.push(...rx.rx.onBody(MMSI, 6, c.batch(T + 60, extra), T + 61));
  rx.log.push(...rx.rx.tick(T + 200));
};

describe('forgery of a report inside a batch', () => {
  it('an altered report (bits, channel or type) fails with tag-mismatch; the genuine one authenticates', () => {
    const c = new Crafter(PARAMS);
    const rx = receiver();
    const g10 = positionReport(T + 10, 'A');
    const altered: Report = { ...g10, bits: g10.bits.slice() };
    altered.bits[5] = (altered.bits[5] ?? 0) ^ 0x10;
    const { ids } = baseline(c, [altered, { ...positionReport(T + 20, 'B'), channel: 'A' }], rx);
    expect(ids.map((id) => rx.rx.statusOf(MMSI, id))).toEqual(['pending', 'pending']);
    discloseKm0(c, rx);
    expect(ids.map((id) => statusIn(rx.log, id))).toEqual(['failed:tag-mismatch', 'failed:tag-mismatch']);

    const rx2 = receiver();
    const g = baseline(c, [{ ...positionReport(T + 10, 'A'), msgType: 3 }, positionReport(T + 20, 'B')], rx2);
    discloseKm0(c, rx2);
    expect(g.ids.map((id) => statusIn(rx2.log, id))).toEqual(['failed:tag-mismatch', 'authenticated']);
  });

  it('a report is never authenticated before the key of its interval is disclosed', () => {
    const c = new Crafter(PARAMS);
    const rx = receiver();
    const { ids } = baseline(c, [positionReport(T + 10, 'A')], rx);
    rx.log.push(...rx.rx.tick(T + 59.9));
    expect(statusIn(rx.log, ids[0] ?? 0)).toBe('pending');
    discloseKm0(c, rx);
    const auth = rx.log.find((e) => e.type === 'report' && e.status === 'authenticated');
    expect(auth?.atS).toBeGreaterThanOrEqual(T + 60);
  });
});

describe('replayed batch', () => {
  it('a genuine batch replayed after its key is out is unsafe and changes nothing', () => {
    const c = new Crafter(PARAMS);
    const rx = receiver();
    const forged = positionReport(T + 20, 'B', 666);
    const { ids } = baseline(c, [positionReport(T + 10, 'A'), forged], rx);
    const first = c.batch(T + 30, [positionReport(T + 10, 'A'), positionReport(T + 20, 'B')]);
    rx.log.push(...rx.rx.onBody(MMSI, 6, c.batch(T + 60, []), T + 61));
    rx.log.push(...rx.rx.onBody(MMSI, 6, first, T + 62));
    expect(noticed(rx.log, 'batch-unsafe')).toBe(true);
    rx.log.push(...rx.rx.tick(T + 200));
    expect(ids.map((id) => statusIn(rx.log, id))).toEqual(['authenticated', 'failed:tag-mismatch']);
  });

  it('a batch replayed 64 s later reconstructs to a later interval: its old key is rejected and its tags dropped', () => {
    const c = new Crafter(PARAMS);
    const rx = receiver();
    rx.log.push(...rx.rx.onBody(MMSI, 5, c.anchor(T, m0 - 1), T + 0.5));
    const old = c.batch(T + 30, [positionReport(T + 10, 'A')]);
    // Reports at the seconds the replayed offsets now point to (T+30+10+30 = T+70).
    const victim = positionReport(T + 70, 'A', 1);
    const id = idOf(rx.rx.onReport(MMSI, victim, T + 70.1));
    rx.log.push(...rx.rx.onBody(MMSI, 6, c.batch(T + 60, []), T + 60.5));
    rx.log.push(...rx.rx.onBody(MMSI, 6, old, T + 94.2));
    expect(noticed(rx.log, 'key-rejected')).toBe(true);
    rx.log.push(...rx.rx.onBody(MMSI, 6, c.batch(T + 90, []), T + 91));
    rx.log.push(...rx.rx.onBody(MMSI, 6, c.batch(T + 120, []), T + 121));
    rx.log.push(...rx.rx.onBody(MMSI, 6, c.batch(T + 150, []), T + 151));
    rx.log.push(...rx.rx.tick(T + 400));
    // The genuine batches around it are empty: nothing names or covers T+70, so it can only be unverifiable.
    expect(statusIn(rx.log, id)).toBe('failed:unverifiable');
  });

  it('an anchor replayed 64 s or more later fails its signature (the full second is signed)', () => {
    const c = new Crafter(PARAMS);
    const rx = receiver();
    const body = c.anchor(T, m0 - 1);
    rx.log.push(...rx.rx.onBody(MMSI, 5, body, T + 64.3));
    expect(noticed(rx.log, 'anchor-bad-signature')).toBe(true);
    expect(noticed(rx.log, 'anchor-accepted')).toBe(false);
  });

  it('a report replayed later than the time tolerance is stale', () => {
    const rx = receiver();
    const ev = rx.rx.onReport(MMSI, positionReport(T + 10, 'A'), T + 14);
    expect(statusIn(ev, idOf(ev))).toBe('failed:stale');
  });
});

describe('batch for reports never sent', () => {
  it('reports the sender never made fail: no-tag when its batch is heard, tag-mismatch against invented tags', () => {
    const c = new Crafter(PARAMS);
    const rx = receiver();
    const spoofA = positionReport(T + 15, 'A', 7);
    const spoofB = positionReport(T + 25, 'B', 8);
    const { ids } = baseline(c, [positionReport(T + 10, 'A'), spoofA, spoofB], rx);
    // The attacker's own batch for m0, sent after the genuine one made K_{m0−1} public, with tags under a key it knows.
    const attackerKey = new Uint8Array(PARAMS.keyBytes).fill(0xaa);
    rx.log.push(...rx.rx.onBody(MMSI, 6, c.batch(T + 30, [spoofB], { tagKey: attackerKey }), T + 33));
    discloseKm0(c, rx);
    expect(ids.map((id) => statusIn(rx.log, id))).toEqual(['authenticated', 'failed:no-tag', 'failed:tag-mismatch']);
  });

  it('a whole forged batch with a made-up disclosed key is discarded', () => {
    const c = new Crafter(PARAMS);
    const rx = receiver();
    rx.log.push(...rx.rx.onBody(MMSI, 5, c.anchor(T, m0 - 1), T + 0.5));
    const spoof = positionReport(T + 12, 'A', 9);
    const id = idOf(rx.rx.onReport(MMSI, spoof, T + 12.1));
    const fake = new Crafter(PARAMS, MMSI, 0, m0 + 50);
    rx.log.push(...rx.rx.onBody(MMSI, 6, fake.batch(T + 30, [spoof], { tagKey: fake.chain.key(m0 + 60), disclosed: fake.chain.key(m0 + 60) }), T + 30.2));
    expect(noticed(rx.log, 'key-rejected')).toBe(true);
    discloseKm0(c, rx);
    expect(statusIn(rx.log, id)).toBe('failed:unverifiable');
  });
});

describe('tag collisions within the tag length', () => {
  // Bound: a forged report is accepted with probability ≤ 2^(−8τ) per guess, and a receiver takes at most
  // maxReportsPerSenderSecond (2) reports per sender-second, each matched against the tags within ±1 s:
  // ≤ 2·3·2^(−8τ) per sender-second, 3.6·10^−7 at τ = 3. Collisions found after disclosure are useless (stale).
  const P1: TeslaParams = { ...PARAMS, tagBytes: 1 };

  function collidingVariant(c: Crafter, m: number, genuine: Report): Report {
    const want = c.tag(m, genuine);
    for (let v = 1; v < 100_000; v++) {
      const r = positionReport(genuine.second, genuine.channel, v);
      if (c.tag(m, r).every((b, i) => b === want[i])) return r;
    }
    throw new Error('no collision found');
  }

  it('two reports matching one tag both fail (collision), even at τ = 1', () => {
    const c = new Crafter(P1);
    const rx = receiver();
    const genuine = positionReport(T + 10, 'A');
    const twin = collidingVariant(c, m0, genuine);
    rx.log.push(...rx.rx.onBody(MMSI, 5, c.anchor(T, m0 - 1), T + 0.5));
    const ids = [genuine, twin].map((r) => idOf(rx.rx.onReport(MMSI, r, T + 10.1)));
    rx.log.push(...rx.rx.onBody(MMSI, 6, c.batch(T + 30, [genuine]), T + 31));
    discloseKm0(c, rx);
    expect(ids.map((id) => statusIn(rx.log, id))).toEqual(['failed:collision', 'failed:collision']);
  });

  it('flooding guesses at one second fails them all (bounded online guessing), even at τ = 1', () => {
    const c = new Crafter(P1);
    const rx = receiver();
    rx.log.push(...rx.rx.onBody(MMSI, 5, c.anchor(T, m0 - 1), T + 0.5));
    const genuine = positionReport(T + 10, 'A');
    const ids: number[] = [];
    for (let v = 1; v <= 300; v++) {
      const ev = rx.rx.onReport(MMSI, positionReport(T + 10, 'A', v), T + 10.1);
      rx.log.push(...ev);
      ids.push(idOf(ev));
    }
    rx.log.push(...rx.rx.onBody(MMSI, 6, c.batch(T + 30, [genuine]), T + 31));
    discloseKm0(c, rx);
    expect(ids.some((id) => statusIn(rx.log, id) === 'authenticated')).toBe(false);
  });

  it('a collision computed after disclosure (τ = 2, brute force) arrives too late to be accepted', () => {
    const P2: TeslaParams = { ...PARAMS, tagBytes: 2 };
    const c = new Crafter(P2);
    const rx = receiver();
    const genuine = positionReport(T + 10, 'A');
    rx.log.push(...rx.rx.onBody(MMSI, 5, c.anchor(T, m0 - 1), T + 0.5));
    rx.log.push(...rx.rx.onBody(MMSI, 6, c.batch(T + 30, [genuine]), T + 31));
    rx.log.push(...rx.rx.onBody(MMSI, 6, c.batch(T + 60, []), T + 61));
    const twin = collidingVariant(c, m0, genuine);
    const lateEv = rx.rx.onReport(MMSI, twin, T + 62);
    rx.log.push(...lateEv);
    const nowEv = rx.rx.onReport(MMSI, { ...twin, second: T + 62 }, T + 62.1);
    rx.log.push(...nowEv);
    rx.log.push(...rx.rx.onBody(MMSI, 6, c.batch(T + 90, []), T + 91));
    rx.log.push(...rx.rx.onBody(MMSI, 6, c.batch(T + 120, []), T + 121));
    rx.log.push(...rx.rx.tick(T + 400));
    expect(statusIn(rx.log, idOf(lateEv))).toBe('failed:stale');
    const now = idOf(nowEv);
    expect(statusIn(rx.log, now)).toBe('failed:unverifiable');
  });
});

describe('forged TESLA key disclosure', () => {
  const SHORT: TeslaParams = { intervalS: 30, disclosureDelayS: 8, tagBytes: 3, keyBytes: 8, window: 1 };

  it('a made-up key, early or on time, is rejected and authenticates nothing', () => {
    const c = new Crafter(SHORT);
    const rx = receiver();
    rx.log.push(...rx.rx.onBody(MMSI, 5, c.anchor(T, m0 - 1), T + 0.5));
    const spoof = positionReport(T + 10, 'A', 3);
    const id = idOf(rx.rx.onReport(MMSI, spoof, T + 10.1));
    const attackerKey = new Uint8Array(8).fill(0x55);
    // Tags under the attacker's key, then the attacker "discloses" it as K_m0 — before and at the scheduled time.
    rx.log.push(...rx.rx.onBody(MMSI, 6, c.batch(T + 30, [spoof], { tagKey: attackerKey }), T + 30.5));
    rx.log.push(...rx.rx.onBody(MMSI, 6, c.bareKey(T + 38, attackerKey), T + 33));
    rx.log.push(...rx.rx.onBody(MMSI, 6, c.bareKey(T + 38, attackerKey), T + 38.5));
    expect(rx.log.filter((e) => e.type === 'notice' && e.code === 'key-rejected').length).toBe(2);
    expect(rx.rx.statusOf(MMSI, id)).toBe('pending');
    rx.log.push(...rx.rx.onBody(MMSI, 6, c.bareKey(T + 38), T + 39));
    rx.log.push(...rx.rx.tick(T + 200));
    expect(statusIn(rx.log, id)).toBe('failed:tag-mismatch');
  });

  it('a key far beyond the step bound is not even hashed', () => {
    const c = new Crafter(SHORT);
    const rx = receiver({ maxChainSteps: 16 });
    rx.log.push(...rx.rx.onBody(MMSI, 5, c.anchor(T, m0 - 1), T + 0.5));
    rx.log.push(...rx.rx.onBody(MMSI, 6, c.bareKey(T + 30 * 40 + 8), T + 30 * 40 + 9));
    expect(noticed(rx.log, 'key-too-far')).toBe(true);
  });

  it('an anchor signed by anybody else is refused', () => {
    const c = new Crafter(SHORT);
    const rx = receiver();
    rx.log.push(...rx.rx.onBody(MMSI, 5, c.anchor(T, m0 - 1, fakeSign(MMSI + 1)), T + 0.5));
    expect(noticed(rx.log, 'anchor-bad-signature')).toBe(true);
  });
});

describe('clock skew at the tolerance edge (δ = 2 s, d = 8 s: K_m public at (m+1)·P + 8)', () => {
  const SHORT: TeslaParams = { intervalS: 30, disclosureDelayS: 8, tagBytes: 3, keyBytes: 8, window: 1 };
  const deadline = T + 30 + 8; // K_m0 disclosure

  function attempt(batchAtLocal: number, receiverLagS: number, forge: boolean): string {
    const c = new Crafter(SHORT);
    const rx = receiver({ skewToleranceS: 2 });
    rx.log.push(...rx.rx.onBody(MMSI, 5, c.anchor(T, m0 - 1), T + 0.5 - receiverLagS));
    const r = forge ? positionReport(T + 10, 'A', 42) : positionReport(T + 10, 'A');
    const id = idOf(rx.rx.onReport(MMSI, r, T + 10.1 - receiverLagS));
    // A forger holds K_m0 only from its disclosure on; the genuine sender built its batch at T+30.
    rx.log.push(...rx.rx.onBody(MMSI, 6, c.batch(T + 30, [r]), batchAtLocal));
    rx.log.push(...rx.rx.onBody(MMSI, 6, c.bareKey(deadline), deadline + 0.5 - receiverLagS));
    rx.log.push(...rx.rx.tick(T + 300));
    return statusIn(rx.log, id);
  }

  it('a batch received just inside the window is used; at the edge it is not', () => {
    expect(attempt(deadline - 2 - 0.001, 0, false)).toBe('authenticated');
    expect(attempt(deadline - 2, 0, false)).toBe('failed:unverifiable');
  });

  it('a forgery made with the disclosed key is refused by a receiver lagging exactly δ', () => {
    const lag = 2;
    // Sent the instant the key is out (true time = deadline), seen at local time deadline − lag.
    expect(attempt(deadline - lag, lag, true)).not.toBe('authenticated');
    expect(attempt(deadline + 0.001 - lag, lag, true)).not.toBe('authenticated');
  });

  it('beyond the tolerance the security condition no longer holds (the stated clock assumption)', () => {
    // A receiver 3 s behind with δ = 2 s accepts a tag forged after disclosure: why δ must bound the real skew.
    expect(attempt(deadline + 0.5 - 3, 3, true)).toBe('authenticated');
  });
});

describe('limits', () => {
  it('evicts the least recently heard sender past maxSenders and fails its pending reports', () => {
    const rx = receiver({ maxSenders: 2 });
    const id = idOf(rx.rx.onReport(1, positionReport(T, 'A'), T));
    rx.rx.onReport(2, positionReport(T + 1, 'A'), T + 1);
    const ev = rx.rx.onReport(3, positionReport(T + 2, 'A'), T + 2);
    expect(statusIn(ev, id)).toBe('failed:evicted');
    expect(rx.rx.senderCount).toBe(2);
  });

  it('expires reports whose sender never sends an anchor', () => {
    const rx = receiver({ pendingExpiryS: 60 });
    const id = idOf(rx.rx.onReport(MMSI, positionReport(T, 'A'), T));
    expect(statusIn(rx.rx.tick(T + 61), id)).toBe('failed:expired');
  });
});
