/**
 * Random valid messages from an independent generator (`independent.ts`), fed to `gpsdecode -u` and to our decoder:
 * every disagreement must be one of README's "Deliberate differences", each reconciled here by the rule that
 * entry states (and checked to be exactly that difference, not merely tolerated). More messages:
 *   MIBC_GPSDECODE_RUNS=500 npx vitest run test/nmea/gpsdecode-asm.test.ts
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { GPSDECODE, warnWithoutGpsdecode } from './_gpsdecode.js';
import { AisLineDecoder, toGpsdJson, type AisBits, type AisMessage } from '../../nmea/index.js';
import { generate, PAYLOADS } from './independent.js';

type Json = Record<string, unknown>;

warnWithoutGpsdecode('the payload cross-check with gpsd');

const RUNS = Number(process.env['MIBC_GPSDECODE_RUNS'] ?? 12);

/** Fields gpsd 3.22 prints without JSON escaping (README: invalid JSON for text containing `"` or `\`). */
const UNESCAPED = ['country', 'locode', 'section', 'terminal', 'hectometre', 'signal_text', 'nextsignal_text'];

function bitsAt(bits: AisBits, start: number, width: number): number {
  let v = 0;
  for (let k = start; k < start + width; k++) v = v * 2 + (k < bits.bitLength ? (bits.bytes[k >> 3]! >> (7 - (k & 7))) & 1 : 0);
  return v;
}

/**
 * gpsd's line made comparable with ours by the documented differences; returns the names of those applied.
 * Each rule first checks that gpsd's value is exactly what the README says gpsd prints.
 */
function reconcile(key: string, line: string, ours: Json, bits: AisBits): { theirs: Json; applied: string[] } {
  const applied: string[] = [];
  // gpsd writes these texts verbatim: a `"` breaks the line, and `\\` parses as a different string.
  let fixed = line.replace(/("nextsignal":\d+)("nextsignal_text")/, '$1,$2');
  for (const k of UNESCAPED) fixed = fixed.replace(new RegExp(`"${k}":"(.*?)"(?=,"[a-z_]|\\})`), (_, v: string) => `"${k}":${JSON.stringify(v)}`);
  if (fixed !== line) applied.push('invalid JSON');
  const theirs = JSON.parse(fixed) as Json;
  delete theirs['device'];
  switch (key) {
    case '26':
      applied.push('type 26 radio');
      expect(theirs['radio']).toBe(0);
      theirs['radio'] = ours['radio'];
      break;
    case '6/1/15':
      applied.push('air draught offset');
      expect(theirs['airdraught']).toBe(bitsAt(bits, 56, 11));
      theirs['airdraught'] = ours['airdraught'];
      break;
    case '6/1/16':
      applied.push('persons on board offset');
      expect(theirs['persons']).toBe(bitsAt(bits, 55, 13));
      theirs['persons'] = ours['persons'];
      break;
    case '8/1/17': {
      const t = theirs['targets'] as Json[];
      expect(t.length).toBe((ours['targets'] as Json[]).length + 1);
      expect(t[t.length - 1]).toEqual({ idtype: 0, idtype_text: 'mmsi', mmsi: '0', lat: 0, lon: 0, course: 0, second: 0, speed: 0 });
      applied.push('spurious all-zero element');
      t.pop();
      break;
    }
    case '8/1/19':
      applied.push('lat/lon scaled under -u');
      // Printed with 4 decimals (%.4f).
      for (const k of ['lon', 'lat']) expect(Math.abs((theirs[k] as number) - (ours[k] as number) / 60_000)).toBeLessThanOrEqual(0.5e-4 + 1e-9);
      theirs['lon'] = ours['lon'];
      theirs['lat'] = ours['lat'];
      break;
    case '8/200/23': {
      applied.push('duplicate JSON keys');
      // JSON.parse keeps the last of a repeated key: gpsd's "type" and "class" are the warning's.
      expect([theirs['type'], theirs['type_text'], theirs['class'], theirs['class_text']]).toEqual([ours['emma_type'], ours['emma_type_text'], ours['intensity'], ours['intensity_text']]);
      for (const k of ['type_text', 'class_text']) delete theirs[k];
      Object.assign(theirs, { class: 'AIS', type: 8, emma_type: ours['emma_type'], emma_type_text: ours['emma_type_text'], intensity: ours['intensity'], intensity_text: ours['intensity_text'] });
      applied.push('EMMA time order');
      // gpsd prints the start's hour, minute and day where the day, hour and minute belong (the end is right).
      const [, y, mo, d, h, mi] = /^(\d+)-(\d\d)-(\d\d)T(\d\d):(\d\d)$/.exec(ours['start'] as string)!;
      expect(theirs['start']).toBe(`${y}-${mo}-${h}T${mi}:${d}`);
      theirs['start'] = ours['start'];
      break;
    }
  }
  return { theirs, applied };
}

/** Keys where the standard's reading and `gpsdCompat` may differ (README: M.1371-5 where gpsd agrees with us). */
const COMPAT_KEYS: Readonly<Record<string, readonly string[]>> = { '24': ['vendorid'], '25': ['app_id', 'data'], '26': ['app_id', 'data'], '6/1/14': ['tidals'], '6/1/32': ['tidals'] };

/** Both decoders on the same lines: gpsd's output lines and ours, message by message. */
function decodeBoth(generated: readonly { lines: string[] }[], scaled: boolean): { theirLines: string[]; ours: { message: AisMessage; bits: AisBits }[] } {
  const lines = generated.flatMap((g) => g.lines);
  const theirLines = execFileSync('gpsdecode', scaled ? [] : ['-u'], { input: `${lines.join('\n')}\n`, encoding: 'utf8', maxBuffer: 1 << 28 }).trim().split('\n');
  const decoder = new AisLineDecoder();
  const ours: { message: AisMessage; bits: AisBits }[] = [];
  for (const line of lines) {
    const { messages, errors } = decoder.push(line, 0);
    expect(errors).toEqual([]);
    for (const { message, assembled } of messages) ours.push({ message, bits: assembled.bits });
  }
  expect(theirLines.length).toBe(generated.length);
  expect(ours.length).toBe(generated.length);
  return { theirLines, ours };
}

/** Equal, numbers within gpsd's printed precision (it prints degrees with 4 or 6 decimals, others with 1–2). */
function expectClose(ours: unknown, theirs: unknown, path: string): void {
  if (typeof theirs === 'number' && typeof ours === 'number') expect(Math.abs(ours - theirs), path).toBeLessThanOrEqual(0.5e-4 + 1e-9);
  else if (Array.isArray(theirs)) {
    expect((ours as unknown[]).length, path).toBe(theirs.length);
    theirs.forEach((x, k) => expectClose((ours as unknown[])[k], x, `${path}[${k}]`));
  } else if (typeof theirs === 'object' && theirs !== null) {
    expect(Object.keys(ours as Json).sort(), path).toEqual(Object.keys(theirs).sort());
    for (const k of Object.keys(theirs)) expectClose((ours as Json)[k], (theirs as Json)[k], `${path}.${k}`);
  } else expect(ours, path).toEqual(theirs);
}

describe.skipIf(!GPSDECODE)('cross-check with gpsdecode on an independent generator (payloads, 24, 25, 26)', () => {
  it(`disagrees only as README lists, ${RUNS} messages of each kind`, () => {
    const generated = generate(RUNS, 13);
    const { theirLines, ours } = decodeBoth(generated, false);
    const tally: Record<string, number> = {};
    generated.forEach(({ key }, k) => {
      const { message, bits } = ours[k]!;
      const compat = toGpsdJson(message, { scaled: false, bits, gpsdCompat: true });
      const standard = toGpsdJson(message, { scaled: false, bits });
      const { theirs, applied } = reconcile(key, theirLines[k]!, compat, bits);
      for (const a of applied) tally[a] = (tally[a] ?? 0) + 1;
      expect(compat, `message ${k + 1} (${key}): ${theirLines[k]}`).toEqual(theirs);
      // The default output differs from gpsd's reading only in the keys README lists for it.
      const allowed = COMPAT_KEYS[key] ?? [];
      for (const f of new Set([...Object.keys(standard), ...Object.keys(compat)])) {
        if (!allowed.includes(f)) expect(standard[f], `${key} ${f}`).toEqual(compat[f]);
      }
    });
    // Every payload kind was exercised, and each documented difference actually occurred.
    expect(new Set(generated.map((g) => g.key))).toEqual(new Set([...Object.keys(PAYLOADS), '24', '25', '26']));
    for (const d of ['invalid JSON', 'air draught offset', 'persons on board offset', 'spurious all-zero element', 'lat/lon scaled under -u', 'duplicate JSON keys', 'EMMA time order']) {
      expect(tally[d], d).toBeGreaterThan(0);
    }
    if (process.env['MIBC_GPSDECODE_RUNS'] !== undefined) console.log(`gpsdecode cross-check: ${generated.length} messages; reconciled: ${JSON.stringify(tally)}`);
  });

  it(`scaled output agrees numerically, but for the same list, ${RUNS} messages of each kind`, () => {
    const generated = generate(RUNS, 14);
    const { theirLines, ours } = decodeBoth(generated, true);
    const tally: Record<string, number> = {};
    generated.forEach(({ key }, k) => {
      const { message, bits } = ours[k]!;
      const compat = toGpsdJson(message, { scaled: true, bits, gpsdCompat: true });
      // Under scaling gpsd's 8/1/19 degrees are what the README says they are, so no lat/lon rule is needed.
      const { theirs, applied } = reconcile(key === '8/1/19' ? 'scaled 8/1/19' : key, theirLines[k]!, compat, bits);
      for (const a of applied) tally[a] = (tally[a] ?? 0) + 1;
      const raw = toGpsdJson(message, { scaled: false, bits });
      if (key === '8/1/31' && (raw['waterlevel'] as number) < 1000) {
        // gpsd subtracts the offset in unsigned arithmetic: levels below the datum wrap around 2^32.
        tally['water level wraps'] = (tally['water level wraps'] ?? 0) + 1;
        expect(Math.abs((theirs['waterlevel'] as number) - (2 ** 32 + (raw['waterlevel'] as number) - 1000) / 100)).toBeLessThanOrEqual(0.05 + 1e-6);
        theirs['waterlevel'] = compat['waterlevel'];
      }
      expectClose(compat, theirs, `message ${k + 1} (${key})`);
    });
    expect(tally['water level wraps']).toBeGreaterThan(0);
    if (process.env['MIBC_GPSDECODE_RUNS'] !== undefined) console.log(`gpsdecode cross-check (scaled): ${generated.length} messages; reconciled: ${JSON.stringify(tally)}`);
  });
});
