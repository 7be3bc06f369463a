import { describe, expect, it } from 'vitest';
import { finalStatus, link, run } from './_harness.js';

describe('smoke', () => {
  it('authenticates every report on a lossless link', () => {
    const l = link();
    run(l, { from: 1_800_000_000, to: 1_800_000_600, reportEveryS: 10 });
    const st = [...l.ids.entries()].filter(([s]) => s < 1_800_000_600 - 120).map(([, id]) => finalStatus(l, id));
    console.log(st.filter((s) => s.status !== 'authenticated'), l.emissions.map((e) => `${e.at % 1000} ${e.e.what} ${e.e.interval} ${e.e.body.length}`).slice(0, 12));
    expect(st.every((s) => s.status === 'authenticated')).toBe(true);
  });
});
