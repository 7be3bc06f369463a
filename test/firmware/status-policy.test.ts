/** The display's status policy: `news` leaves out `U`, limits `F` per (source, reason) and in all; `all` keeps every one. */
import { describe, expect, it } from 'vitest';
import { StatusFilter } from '../../firmware/rx/status-policy.js';
import { formatStatus, parseStatus, Result } from '../../firmware/status.js';

const vdm = '!AIVDM,1,1,,A,13`l7@0P1sPBCp0NDrh8h6g208CQ,0*55';
const u = formatStatus({ result: Result.Unverified, mode: 1, source: 244_123_456, messageType: 1 });
const v = formatStatus({ result: Result.Verified, mode: 2, source: 244_123_456, identity: 244_123_456, messageType: 1, second: 1_795_521_600 });
const f = (source: number, reason = 'FRAGMENT_EXPIRED') => formatStatus({ result: Result.Failed, mode: 0, source, reason });

describe('display status policy', () => {
  it('all: every line, unchanged', () => {
    const lines = [vdm, u, vdm, v, f(1), f(1)];
    expect(new StatusFilter({ policy: 'all' }).filter(lines, 0)).toEqual(lines);
  });

  it('news: the report without its U status; V kept', () => {
    const filter = new StatusFilter();
    expect(filter.filter([vdm, u, vdm, v], 0)).toEqual([vdm, vdm, v]);
    expect(filter.counters.unverifiedOmitted).toBe(1);
  });

  it('news: a flood of bogus fragments from one source is one F per window, and the verified statuses all get through', () => {
    const filter = new StatusFilter();
    const shown: string[] = [];
    // 200 bogus fragments/s for 5 s, with a genuine verified report every 10 ms.
    for (let ms = 0; ms < 5_000; ms += 5) {
      shown.push(...filter.filter([f(666_000_001)], ms));
      if (ms % 10 === 0) shown.push(...filter.filter([vdm, v], ms));
    }
    const results = shown.filter((l) => l.startsWith('$PMIBV')).map((l) => parseStatus(l)!.result);
    expect(results.filter((r) => r === 'V')).toHaveLength(500);
    expect(results.filter((r) => r === 'F')).toHaveLength(1);
    expect(filter.counters.failuresSuppressed).toBe(999);
  });

  it('news: failures from invented sources are held to the per-second budget', () => {
    const filter = new StatusFilter({ failuresPerSecond: 5 });
    const shown = Array.from({ length: 1_000 }, (_, i) => filter.filter([f(100_000_000 + i)], i)).flat();
    // 1 000 ms: the first second's five.
    expect(shown).toHaveLength(5);
    expect(filter.counters.failuresSuppressed).toBe(995);
  });
});
