import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GPSDECODE, warnWithoutGpsdecode } from './_gpsdecode.js';
import { decodeAis, encodeAis, encodeVdm, toGpsdJson, type AisMessage } from '../../nmea/index.js';
import { ALL_TYPES, messageArb } from './arbitraries.js';

warnWithoutGpsdecode('the cross-check with gpsd');

describe.skipIf(!GPSDECODE)('cross-check: gpsdecode -u reads what our encoder writes (decode --gpsd-compat)', () => {
  it('agrees field by field on random messages of all 27 types', () => {
    // Message 24 is reported by gpsdecode only as an A+B pair: send each part B after a part A of the same ship.
    const singles = ALL_TYPES.filter((t) => t !== 24).flatMap((t) => fc.sample(messageArb(t), { numRuns: 40, seed: 1000 + t }));
    const pairs = fc.sample(messageArb(24), { numRuns: 120, seed: 24 }).flatMap((b, k): AisMessage[] => {
      if (b['partno'] !== 1) return [];
      return [{ type: 24, repeat: 0, mmsi: b.mmsi, partno: 0, shipname: `SHIP ${k}` }, b];
    });
    const messages = [...singles, ...pairs];
    // gpsd pairs message 24 parts per channel: keep both parts of a pair on one channel.
    const lines = messages.flatMap((m, k) => encodeVdm(m, { seqId: k % 10, channel: Math.floor(k / 2) % 2 === 0 ? 'A' : 'B' }));
    const theirs = execFileSync('gpsdecode', ['-u'], { input: `${lines.join('\n')}\n`, encoding: 'utf8', maxBuffer: 1 << 26 })
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const ours = messages
      .filter((m) => m.type !== 24 || m['partno'] === 1)
      .map((m) => {
        const bits = encodeAis(m);
        const decoded = decodeAis(bits);
        if (m.type === 24) decoded['shipname'] = messages[messages.indexOf(m) - 1]!['shipname'] as string;
        return toGpsdJson(decoded, { scaled: false, bits, gpsdCompat: true });
      });
    const count = (xs: Record<string, unknown>[]) => xs.reduce<Record<string, number>>((a, x) => ((a[String(x["type"])] = (a[String(x["type"])] ?? 0) + 1), a), {});
    expect(count(theirs)).toEqual(count(ours));
    expect(theirs.length).toBe(ours.length);
    theirs.forEach((t, k) => {
      const { device: _device, ...rest } = t;
      // gpsd 3.22 never decodes the type 26 radio status (nmea/gpsd.ts).
      if (rest['type'] === 26) rest['radio'] = ours[k]!['radio'];
      expect(ours[k], `message ${k + 1} (type ${String(t['type'])})`).toEqual(rest);
    });
  });
});
