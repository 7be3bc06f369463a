import { describe, expect, it } from 'vitest';
import { sampleTraffic } from '../../bench/sample-traffic.js';
import { AisLineDecoder, encodeAis } from '../../nmea/index.js';

describe('sample own-ship traffic (make run)', () => {
  it('is valid VDM that decodes back to the bits of the messages it was built from', () => {
    const { messages, sentences } = sampleTraffic(2);
    expect(new Set(messages.map((m) => m.type))).toEqual(new Set([1, 5, 8, 18, 24]));
    for (const s of sentences) expect(s.length + 2).toBeLessThanOrEqual(82);
    const decoder = new AisLineDecoder({ mergeType24: false });
    const decoded = sentences.flatMap((s, k) => decoder.push(s, k).messages.map((d) => d.message));
    // Text comes back padded with `@` to its field width, so compare what goes on the air.
    expect(decoded.map(encodeAis)).toEqual(messages.map(encodeAis));
    expect(decoder.counters.errors).toEqual({});
  });
});
