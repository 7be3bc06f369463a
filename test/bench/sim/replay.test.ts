import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replaySentences } from '../../../bench/sim/replay.js';
import { createRng } from '../../../bench/sim/rng.js';

const corpus = (() => {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  return [resolve(root, '../shared'), resolve(root, '../../shared')]
    .map((dir) => resolve(dir, 'corpus/gpsd/sample.aivdm'))
    .find((f) => existsSync(f));
})();

describe('replaySentences', () => {
  it('keeps the parts of interleaved multi-sentence messages together, keyed by channel and sequence id', () => {
    const text = [
      '# comment',
      '!AIVDM,2,1,6,B,542M92h00001@<7;?G0PD4i@R0<tqA8tj37>220o0h:2240Ht50000000000,0*3B',
      '!AIVDM,2,1,2,A,542M92h00001@<7;?G0PD4i@R0<tqA8tj37>220o0h:2240Ht500000000000000,0*3C',
      '!AIVDM,2,2,2,A,0000002,2*24',
      '\\s:2573555,c:1707873398*05\\!BSVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A',
      '!AIVDM,2,2,6,B,00000000000,2*21',
      'AIVDM,2,2,1,B,00000000000,2*26',
      '!AIVDM,2,2,3,A,0000002,2*24',
    ].join('\n');
    const { messages, skipped } = replaySentences(text, { spacingMs: 1000, startMs: 500 });
    expect(messages.map((m) => [m.t, m.channel, m.sentences.length, m.bits, m.slots])).toEqual([
      [500, 'A', 2, 424, 2], // msg 5, 424 bits in 2 slots
      [1500, 'A', 1, 168, 1],
      [2500, 'B', 2, 424, 2],
    ]);
    // The TAG block stays on the line; the line without '!' and the orphaned second part are skipped.
    expect(messages[1]?.sentences[0]?.startsWith('\\s:2573555')).toBe(true);
    expect(skipped).toBe(2);
  });

  it('spaces messages exponentially with the given mean when an RNG is given', () => {
    const line = '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A';
    const { messages } = replaySentences(Array(20_000).fill(line).join('\n'), { spacingMs: 100, rng: createRng(3) });
    const gaps = messages.slice(1).map((m, i) => m.t - (messages[i] as { t: number }).t);
    expect(gaps.every((g) => g >= 0)).toBe(true);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    // Exponential: sd = mean, so the sample mean's standard error is 100/√20000 ≈ 0.7 ms.
    expect(Math.abs(mean - 100)).toBeLessThan(3.5);
  });

  it.skipIf(corpus === undefined)("replays gpsd's sample.aivdm with its USCG trailers and odd recordings", () => {
    const { messages, skipped } = replaySentences(readFileSync(corpus as string, 'utf8'), { spacingMs: 100 });
    expect(messages.length).toBeGreaterThanOrEqual(97);
    expect(skipped).toBe(1);
    expect(messages.every((m) => m.bits > 0 && m.sentences.every((s) => /VD[MO],/.test(s)))).toBe(true);
  });
});
