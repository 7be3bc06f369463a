/** The verification budget's token buckets on a simulated clock (docs/verification-budget.md). */
import { describe, expect, it } from 'vitest';
import { DEFAULT_VERIFY_BUDGET, VerifyBudget } from '../../firmware/rx/verify-budget.js';

const T0 = 1_795_521_600_000;

describe('VerifyBudget', () => {
  it('grants a source its burst at once, then refuses it with BUDGET_SOURCE without charging the total', () => {
    const b = new VerifyBudget({ perSourceRate: 1, perSourceBurst: 3, totalRate: 100, totalBurst: 100 });
    expect([0, 1, 2].map(() => b.take(1, T0))).toEqual([undefined, undefined, undefined]);
    expect(b.take(1, T0)).toBe('BUDGET_SOURCE');
    expect(b.take(1, T0)).toBe('BUDGET_SOURCE');
    expect(b.counters).toEqual({ granted: 3, refusedSource: 2, refusedTotal: 0 });
    // Another source still gets its full burst: the refusals above cost the total nothing.
    for (let i = 0; i < 3; i++) expect(b.take(2, T0)).toBeUndefined();
  });

  it('refills a source at its rate as simulated time passes', () => {
    const b = new VerifyBudget({ perSourceRate: 2, perSourceBurst: 2, totalRate: 100, totalBurst: 100 });
    b.take(7, T0);
    b.take(7, T0);
    expect(b.take(7, T0 + 499)).toBe('BUDGET_SOURCE'); // 0.998 of a token
    expect(b.take(7, T0 + 500)).toBeUndefined();
    expect(b.take(7, T0 + 500)).toBe('BUDGET_SOURCE');
    // A long silence refills to the burst, never beyond it.
    expect([0, 1, 2].map(() => b.take(7, T0 + 60_000))).toEqual([undefined, undefined, 'BUDGET_SOURCE']);
  });

  it('caps all sources together with BUDGET_TOTAL however many MMSIs an attacker rotates through', () => {
    const b = new VerifyBudget({ perSourceRate: 10, perSourceBurst: 10, totalRate: 5, totalBurst: 5 });
    let granted = 0;
    // One second of a flood from 1,000 different MMSIs, 10 ms apart.
    for (let i = 0; i < 1000; i++) if (b.take(200_000_000 + i, T0 + i * 10) === undefined) granted++;
    // The burst plus ten seconds at 5/s, whatever the per-source buckets say.
    expect(granted).toBeLessThanOrEqual(5 + 5 * 10);
    expect(granted).toBeGreaterThanOrEqual(5 * 10);
    expect(b.counters.refusedTotal).toBe(1000 - granted);
  });

  it('keeps the source table bounded, forgetting the least recently charged source first', () => {
    const b = new VerifyBudget({ perSourceRate: 1, perSourceBurst: 1, totalRate: 1000, totalBurst: 1000, maxSources: 3 });
    for (const s of [1, 2, 3]) b.take(s, T0);
    b.take(1, T0); // refused, but 1 is now the most recent
    b.take(4, T0); // evicts 2
    expect(b.sources).toBe(3);
    expect(b.take(1, T0)).toBe('BUDGET_SOURCE');
    expect(b.take(3, T0)).toBe('BUDGET_SOURCE');
    expect(b.take(2, T0)).toBeUndefined(); // forgotten: back with a full bucket (the total still bounds it)
  });

  it('does not refill when the clock steps backwards', () => {
    const b = new VerifyBudget({ perSourceRate: 1, perSourceBurst: 1, totalRate: 1000, totalBurst: 1000 });
    expect(b.take(9, T0)).toBeUndefined();
    expect(b.take(9, T0 - 10_000)).toBe('BUDGET_SOURCE');
    expect(b.take(9, T0 + 999)).toBe('BUDGET_SOURCE');
    expect(b.take(9, T0 + 1000)).toBeUndefined();
  });

  it('never refuses a genuine ship at its normal rate under the defaults (a report every 2 s, three bodies each)', () => {
    const b = new VerifyBudget();
    for (let s = 0; s < 3600; s += 2) for (let body = 0; body < 3; body++) expect(b.take(211_000_001, T0 + s * 1000)).toBeUndefined();
    expect(b.counters.refusedSource + b.counters.refusedTotal).toBe(0);
  });

  it('rejects nonsensical limits', () => {
    expect(() => new VerifyBudget({ perSourceRate: 0 })).toThrow(RangeError);
    expect(() => new VerifyBudget({ totalBurst: 0.5 })).toThrow(RangeError);
    expect(() => new VerifyBudget({ maxSources: 0 })).toThrow(RangeError);
    expect(DEFAULT_VERIFY_BUDGET.perSourceBurst).toBeLessThanOrEqual(DEFAULT_VERIFY_BUDGET.totalBurst);
  });
});
