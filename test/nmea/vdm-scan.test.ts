/**
 * The byte scanner for one-sentence VDM/VDO (nmea/vdm-scan.ts) accepts only lines that sentence.ts and vdm.ts
 * accept as a one-sentence message, and then yields the same bits, over-length flag and channel; it accepts every
 * such line our own encoder writes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VdmScanner } from '../../nmea/vdm-scan.js';
import { encodeVdm, NmeaError, parseSentence, parseVdm, unarmour, VdmAssembler } from '../../nmea/index.js';
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

  it('reads two lines as one message only when the assembler joins them from those lines, with the same bits', () => {
    /** The assembler's reading of two lines fed to it fresh: the message when the second completes the first. */
    const joined = (a: string, b: string): { bytes: Uint8Array; bitLength: number; channel: string; overLengths: number } | undefined => {
      const asm = new VdmAssembler();
      try {
        const [s1, s2] = [parseSentence(a.trim()), parseSentence(b.trim())];
        const first = parseVdm(s1);
        if (asm.push(first, 0) !== undefined || first.count !== 2) return undefined;
        const done = asm.push(parseVdm(s2), 0);
        return done === undefined ? undefined : { ...done.bits, channel: first.channel, overLengths: (s1.overLength ? 1 : 0) + (s2.overLength ? 1 : 0) };
      } catch (e) {
        if (e instanceof NmeaError) return undefined;
        throw e;
      }
    };
    const edit = (l: string) =>
      fc.oneof(
        { weight: 3, arbitrary: fc.constant(l) },
        fc.tuple(fc.nat(l.length - 1), fc.integer({ min: 0, max: 127 })).map(([at, c]) => l.slice(0, at) + String.fromCharCode(c) + l.slice(at + 1)),
        fc.tuple(fc.nat(l.length - 4), fc.constantFrom(',', '0', '1', '2', '3', '5', 'A', 'B', 'x', '')).map(([at, c]) => {
          const body = l.slice(1, -3);
          const k = Math.min(at, body.length - 1);
          return line('!', body.slice(0, k) + c + body.slice(k + 1));
        }),
      );
    const pairArb = fc
      .tuple(anyMessageArb, fc.constantFrom<'' | 'A' | 'B' | '1' | '2'>('', 'A', 'B', '1', '2'), fc.integer({ min: 0, max: 9 }), fc.boolean())
      .map(([m, channel, seqId, swap]) => {
        const l = encodeVdm(m, { channel, seqId });
        return swap ? [...l].reverse() : l;
      })
      .filter((l) => l.length === 2)
      .chain(([a, b]) => fc.tuple(edit(a!), edit(b!)));
    let accepted = 0;
    fc.assert(
      fc.property(pairArb, ([a, b]) => {
        const bytes = Buffer.from(`${a}\n${b}`, 'utf8');
        const split = Buffer.byteLength(a, 'utf8');
        const ref = joined(a, b);
        const clean = /^!AIVD[MO],2,1,\d?,[AB12C]?,[0-9:;<=>?@A-W`a-w]+,0\*[0-9A-F]{2}$/.test(a) && /^!AIVD[MO],2,2,\d?,[AB12C]?,[0-9:;<=>?@A-W`a-w]+,[0-5]\*[0-9A-F]{2}$/.test(b);
        const ok = scanner.scanPair(bytes, 0, split, split + 1, bytes.length);
        if (ref !== undefined && clean) expect(ok, `${a} ${b}`).toBe(true);
        if (!ok) return;
        accepted++;
        expect(ref, `${a} ${b}`).toBeDefined();
        expect(scanner.bitLength).toBe(ref!.bitLength);
        expect(scanner.bits()).toEqual({ bytes: ref!.bytes, bitLength: ref!.bitLength });
        expect(scanner.bytes.subarray(ref!.bytes.length).every((x) => x === 0)).toBe(true);
        expect(scanner.overLengths).toBe(ref!.overLengths);
        expect(scanner.channel === 0 ? '' : String.fromCharCode(scanner.channel)).toBe(ref!.channel);
      }),
      { numRuns: 1500 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it('declines two lines of different messages, out of order, or with fill bits on the first', () => {
    const [a, b] = encodeVdm({ type: 5, repeat: 0, mmsi: 351759000, ais_version: 0, imo: 9134270, callsign: '3FOF8', shipname: 'EVER DIADEM', shiptype: 70, to_bow: 225, to_stern: 70, to_port: 1, to_starboard: 31, epfd: 1, month: 5, day: 15, hour: 14, minute: 0, draught: 122, destination: 'NEW YORK', dte: 0 }, { seqId: 3, channel: 'B' });
    const [c, d] = encodeVdm({ type: 5, repeat: 0, mmsi: 351759001, ais_version: 0, imo: 9134270, callsign: '3FOF8', shipname: 'EVER DIADEM', shiptype: 70, to_bow: 225, to_stern: 70, to_port: 1, to_starboard: 31, epfd: 1, month: 5, day: 15, hour: 14, minute: 0, draught: 122, destination: 'NEW YORK', dte: 0 }, { seqId: 4, channel: 'B' });
    const pair = (x: string, y: string): boolean => {
      const bytes = Buffer.from(`${x}\n${y}`, 'latin1');
      return scanner.scanPair(bytes, 0, x.length, x.length + 1, bytes.length);
    };
    expect(pair(a!, b!)).toBe(true);
    expect(pair(a!, d!)).toBe(false);
    expect(pair(c!, b!)).toBe(false);
    expect(pair(b!, a!)).toBe(false);
    expect(pair(line('!', a!.slice(1, -3).replace(/,0$/, ',2')), b!)).toBe(false);
    expect(pair(a!, line('!', b!.slice(1, -3).replace(',B,', ',A,')))).toBe(false);
  });
});
