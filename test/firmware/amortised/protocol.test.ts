/** Sender and receiver together: schedule, losses, late joiners, chain changes. */
import { describe, expect, it } from 'vitest';
import {
  TESLA_PRESETS,
  checkParams,
  disclosureTimeOf,
  displayStatus,
  intervalOf,
  messageSlotsForBody,
  type TeslaParams,
} from '../../../firmware/amortised/index.js';
import { T } from './_craft.js';
import { PARAMS, finalStatus, link, notices, run } from './_harness.js';

const SHORT: TeslaParams = { intervalS: 25, disclosureDelayS: 8, tagBytes: 3, keyBytes: 8, window: 2 };

function authenticatedShare(l: ReturnType<typeof link>, from: number, to: number): number {
  const ids = [...l.ids.entries()].filter(([s]) => s >= from && s < to).map(([, id]) => id);
  return ids.filter((id) => finalStatus(l, id).status === 'authenticated').length / ids.length;
}

describe('sender schedule', () => {
  for (const params of [PARAMS, SHORT]) {
    it(`never sends tags after their key could be public, nor a key before its time (P=${params.intervalS}, d=${params.disclosureDelayS})`, () => {
      const l = link(params);
      run(l, { from: T, to: T + 1200, reportEveryS: 10 });
      for (const { at, e } of l.emissions) {
        if (e.what === 'batch') expect(at + 7).toBeLessThanOrEqual(disclosureTimeOf(params, e.interval));
        if (e.what === 'key') expect(at).toBeGreaterThanOrEqual(disclosureTimeOf(params, e.interval));
        if (e.what === 'anchor') expect(e.interval).toBeLessThan(intervalOf(params, at));
      }
      const keys = l.emissions.filter(({ e }) => e.what === 'key');
      expect(keys.length > 0).toBe(params.disclosureDelayS < params.intervalS);
      for (const { e } of keys) expect(messageSlotsForBody(e.body.length)).toEqual([1]);
      const batches = l.emissions.filter(({ e }) => e.what === 'batch');
      for (const { e } of batches) expect(messageSlotsForBody(e.body.length)).toEqual([2]);
    });
  }
});

describe('fast reporters', () => {
  it('split a batch into unfragmented bodies of ≤ 3 slots, each verified on its own', () => {
    const l = link(PARAMS, {}, undefined, { retagExtraShare: 1 });
    let dropped = 0;
    // The first part of one batch is lost; its reports are re-tagged in the next batch.
    const dropBody = (at: number, e: { what: string }): boolean => e.what === 'batch' && at === T + 120 && dropped++ === 0;
    run(l, { from: T, to: T + 600, reportEveryS: 2, dropBody });
    expect(dropped).toBeGreaterThan(1);
    const batches = l.emissions.filter(({ e }) => e.what === 'batch');
    for (const { e } of batches) expect(messageSlotsForBody(e.body.length)).toHaveLength(1);
    expect(batches.filter(({ at }) => at === T + 120).length).toBeGreaterThan(1);
    expect(authenticatedShare(l, T, T + 480)).toBe(1);
  });
});

describe('receiver on a clean link', () => {
  it('authenticates every report, and only once its key is out', () => {
    const l = link();
    run(l, { from: T, to: T + 900, reportEveryS: 10 });
    expect(authenticatedShare(l, T, T + 780)).toBe(1);
    const secondOf = new Map([...l.ids.entries()].map(([s, id]) => [id, s]));
    for (const ev of l.events) {
      if (ev.type !== 'report' || ev.status !== 'authenticated') continue;
      const s = secondOf.get(ev.id) ?? 0;
      expect(ev.atS).toBeGreaterThanOrEqual(disclosureTimeOf(PARAMS, intervalOf(PARAMS, s)));
    }
  });
});

describe('losses', () => {
  it('a lost batch is covered by the next one (W = 2); a lost key by any later key (chain)', () => {
    const l = link();
    const lostBatch = T + 120;
    const lostKeyCarrier = T + 240;
    run(l, { from: T, to: T + 900, reportEveryS: 10, dropBody: (at, e) => e.what === 'batch' && (at === lostBatch || at === lostKeyCarrier) });
    expect(authenticatedShare(l, T, T + 780)).toBe(1);
  });

  it('reports whose batches are all lost fail as unverifiable, never as authenticated', () => {
    const l = link();
    run(l, { from: T, to: T + 900, reportEveryS: 10, dropBody: (at, e) => e.what === 'batch' && at >= T + 120 && at <= T + 180 });
    const lost = [...l.ids.entries()].filter(([s]) => s >= T + 120 && s < T + 150).map(([, id]) => finalStatus(l, id));
    expect(lost.length).toBeGreaterThan(0);
    for (const st of lost) expect(st).toEqual({ status: 'failed', reason: 'unverifiable' });
  });

  it('with a short disclosure delay, a lost bare key is recovered from the next batch', () => {
    const l = link(SHORT);
    run(l, { from: T, to: T + 900, reportEveryS: 10, dropBody: (_at, e) => e.what === 'key' && e.interval % 3 === 0 });
    expect(authenticatedShare(l, T, T + 780)).toBe(1);
  });
});

describe('late joiners and chain changes', () => {
  it('a receiver that missed the first anchor keeps bodies and reports, then catches up at the next anchor', () => {
    const l = link(PARAMS, {}, undefined, { anchorPeriodS: 300 });
    run(l, { from: T, to: T + 900, reportEveryS: 10, dropBody: (at, e) => e.what === 'anchor' && at === T });
    // Evidence older than pendingExpiryS (180 s) before the anchor at T+300 is gone; everything after is verified.
    expect(authenticatedShare(l, T + 300 - 120, T + 780)).toBe(1);
    const early = [...l.ids.entries()].filter(([s]) => s < T + 60).map(([, id]) => finalStatus(l, id));
    for (const st of early) expect(st).toEqual({ status: 'failed', reason: 'expired' });
  });

  it('follows the sender across chain changes (generation bit flips, new anchor)', () => {
    const l = link(PARAMS, {}, undefined, { chainIntervals: 8 });
    run(l, { from: T, to: T + 1500, reportEveryS: 10 });
    expect(authenticatedShare(l, T, T + 1380)).toBe(1);
    expect(notices(l, 'anchor-accepted')).toBeGreaterThanOrEqual(1500 / 240);
    expect(notices(l, 'key-rejected')).toBe(0);
  });

  it('keeps senders apart: one ship’s tags never authenticate another’s reports', () => {
    const a = link(PARAMS, {}, 211_000_001);
    run(a, { from: T, to: T + 300, reportEveryS: 10, mmsi: 211_000_002 });
    const statuses = [...a.ids.values()].map((id) => finalStatus(a, id).status);
    expect(statuses.includes('authenticated')).toBe(false);
  });
});

describe('presets and display', () => {
  it('both measured presets are valid parameter sets and authenticate a clean link', () => {
    for (const params of Object.values(TESLA_PRESETS)) {
      checkParams(params);
      const l = link(params);
      run(l, { from: T, to: T + 900, reportEveryS: 10 });
      expect(authenticatedShare(l, T, T + 700)).toBe(1);
    }
  });

  it('says which state a report is in', () => {
    expect(displayStatus('authenticated')).toBe('AUTH');
    expect(displayStatus('pending')).toBe('PEND');
    expect(displayStatus('failed', 'tag-mismatch')).toBe('FAIL(tag-mismatch)');
  });
});
