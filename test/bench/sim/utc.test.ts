import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { etaString, isoSecond, utcParts } from '../../../bench/sim/_utc.js';

describe('UTC fields without Date', () => {
  it('match Date (the oracle) from 1900 to 2200, leap years and negative times included', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2_208_988_800_000, max: 7_258_118_400_000 }), (ms) => {
        const d = new Date(ms);
        expect(utcParts(ms)).toEqual({
          year: d.getUTCFullYear(),
          month: d.getUTCMonth() + 1,
          day: d.getUTCDate(),
          hour: d.getUTCHours(),
          minute: d.getUTCMinutes(),
          second: d.getUTCSeconds(),
        });
        expect(isoSecond(ms)).toBe(d.toISOString().replace(/\.\d{3}Z$/, 'Z'));
        expect(etaString(ms)).toBe(d.toISOString().slice(5, 16) + 'Z');
      }),
      { numRuns: 2000 },
    );
  });
});
