/**
 * The byte scanner for one-sentence VDM/VDO (nmea/vdm-scan.ts) accepts only lines that sentence.ts and vdm.ts
 * accept as a one-sentence message, and then yields the same bits, over-length flag and channel; it accepts every
 * such line our own encoder writes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VdmScanner } from '../../nmea/vdm-scan.js';
import { encodeVdm, NmeaError, parseSentence, parseVdm, unarmour } from '../../nmea/index.js';
import { anyMessageArb } from './arbitraries.js';
import { line } from './lines.js';

const scanner = new VdmScanner();

function scan(text: string): boolean {
  const bytes = Buffer.from(text, 'utf8');
  return scanner.scan(bytes, 0, bytes.length);
}

/** What the full parsers make of the line, or undefined when they reject it or it is not a one-sentence message. */
function reference(text: string): { bytes: Uint8Array; bitLength: number; overLength: boolean; channel: string } | undefined {
  try {
    const s = parseSentence(text.trim());
    const f = parseVdm(s);
    if (f.count !== 1) return undefined;
    const bits = unarmour(f.payload, f.fillBits);
    return { ...bits, overLength: s.overLength, channel: f.channel };
  } catch (e) {
    if (e instanceof NmeaError) return undefined;
    throw e;
  }
}

/** One-sentence lines with a random edit: a character replaced, inserted or dropped, a trailer, fill bits. */
const lineArb = fc
  .tuple(anyMessageArb, fc.constantFrom<'' | 'A' | 'B' | '1' | '2'>('', 'A', 'B', '1', '2'), fc.integer({ min: 0, max: 9 }))
  .map(([m, channel, seqId]) => encodeVdm(m, { channel, seqId }))
  .filter((l) => l.length === 1)
  .map((l) => l[0]!)
  .chain((l) =>
    fc.oneof(
      fc.constant(l),
      fc.tuple(fc.nat(l.length - 1), fc.integer({ min: 0, max: 127 })).map(([at, c]) => l.slice(0, at) + String.fromCharCode(c) + l.slice(at + 1)),
      fc.tuple(fc.nat(l.length - 1), fc.integer({ min: 0, max: 255 })).map(([at, c]) => l.slice(0, at) + String.fromCharCode(c) + l.slice(at)),
      fc.nat(l.length - 1).map((at) => l.slice(0, at) + l.slice(at + 1)),
      fc.constantFrom(',s36310,d-081,T59.01777335', ' ', '\t', '*', '\u00e9').map((t) => l + t),
      // Same body with a fresh checksum, so edits to the fields are not all caught by the checksum.
      fc.tuple(fc.nat(l.length - 4), fc.constantFrom(',', '0', '5', '6', '9', 'A', 'C', 'x', '')).map(([at, c]) => {
        const body = l.slice(1, -3);
        const k = Math.min(at, body.length - 1);
        return line('!', body.slice(0, k) + c + body.slice(k + 1));
      }),
    ),
  );

describe('VdmScanner', () => {
  it('accepts every one-sentence line the encoder writes, with the bits unarmour gives', () => {
    fc.assert(
      fc.property(lineArb.filter((l) => reference(l) !== undefined && !/\s$/.test(l)), (l) => {
        if (!/^!AIVD[MO],1,1,\d?,[AB12C]?,[0-9:;<=>?@A-W`a-w]+,[0-5]\*[0-9A-F]{2}(,[ -~]*)?$/.test(l)) return;
        expect(scan(l)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('accepts only what sentence.ts and vdm.ts accept as one sentence, and reads the same bits', () => {
    fc.assert(
      fc.property(lineArb, (l) => {
        const ref = reference(l);
        if (!scan(l)) return;
        expect(ref, JSON.stringify(l)).toBeDefined();
        expect(scanner.bitLength).toBe(ref!.bitLength);
        expect(scanner.bytes.subarray(0, ref!.bytes.length)).toEqual(ref!.bytes);
        expect(scanner.bytes.subarray(ref!.bytes.length).every((b) => b === 0)).toBe(true);
        expect(scanner.overLength).toBe(ref!.overLength);
        expect(scanner.channel === 0 ? '' : String.fromCharCode(scanner.channel)).toBe(ref!.channel);
      }),
      { numRuns: 2000 },
    );
  });

  it('declines fragments, TAG blocks, other sentences and bad checksums', () => {
    for (const l of [
      '!AIVDM,2,1,3,B,55P5TL01VIaAL@7WKO@mBplU@<PDhh000000001S;AJ::4A80?4i@E53,0*3E',
      '\\s:2573135,c:1671620143*0B\\!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24',
      '$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47',
      '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B',
      '!AIVDM,01,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*7A',
    ]) {
      expect(scan(l), l).toBe(false);
    }
    expect(scan('!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A')).toBe(true);
  });
});
