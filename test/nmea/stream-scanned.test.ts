/**
 * AisLineDecoder.pushScanned (nmea/stream.ts): a one-sentence message read by the byte reader (nmea/vdm-scan.ts)
 * gives the same message, message 24 pairing, error and counters as the same line through `push`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AisLineDecoder, encodeVdm, NmeaError, parseSentence } from '../../nmea/index.js';
import { VdmScanner } from '../../nmea/vdm-scan.js';
import { anyMessageArb } from './arbitraries.js';
import { line as sentence } from './lines.js';

/** One-sentence lines: encoded messages, and random payloads of any length (bad types and lengths included). */
const lineArb = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(anyMessageArb, fc.constantFrom<'A' | 'B' | '1' | '2' | ''>('A', 'B', '1', '2', '')).map(([m, ch]) => encodeVdm(m, { channel: ch, formatter: ch === '' ? 'VDO' : 'VDM', seqId: 3 })) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.array(fc.integer({ min: 0, max: 63 }), { minLength: 1, maxLength: 80 }), fc.integer({ min: 0, max: 5 }), fc.constantFrom('A', 'B')).map(([vs, fill, ch]) => {
      const payload = vs.map((v) => String.fromCharCode(v < 40 ? v + 48 : v + 56)).join('');
      const body = `AIVDM,1,1,,${ch},${payload},${vs.length * 6 > fill ? fill : 0}`;
      let sum = 0;
      for (const c of body) sum ^= c.charCodeAt(0);
      return [`!${body}*${sum.toString(16).toUpperCase().padStart(2, '0')}`];
    }),
  },
);

describe('AisLineDecoder.pushScanned', () => {
  it('reports what push reports for the same line, pairing message 24 parts and counting errors alike', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 30 }), (entries) => {
        const plain = new AisLineDecoder();
        const scanned = new AisLineDecoder();
        const scanner = new VdmScanner();
        for (const line of entries.flat()) {
          const bytes = Buffer.from(line, 'latin1');
          if (!scanner.scan(bytes, 0, bytes.length)) {
            // Only lines the byte reader takes are compared; it declines multi-sentence messages.
            plain.push(line, 0);
            scanned.push(line, 0);
            continue;
          }
          const { messages, errors } = plain.push(line, 0);
          const r = scanned.pushScanned(scanner.bits(), scanner.channel === 0 ? '' : String.fromCharCode(scanner.channel), 1, scanner.overLengths);
          if (r instanceof NmeaError) {
            expect(messages).toEqual([]);
            expect(errors.map((e) => [e.code, e.message])).toEqual([[r.code, r.message]]);
          } else {
            expect(errors).toEqual([]);
            expect(r === undefined ? [] : [r]).toEqual(messages.map((m) => m.message));
            if (r !== undefined) expect(scanner.bits()).toEqual(messages[0]!.assembled.bits);
          }
        }
        expect(scanned.counters).toEqual(plain.counters);
      }),
      { numRuns: 300 },
    );
  });

  it('pairs a part B read from bytes with the part A held on the same channel', () => {
    const d = new AisLineDecoder();
    const scanner = new VdmScanner();
    const feed = (line: string) => {
      const b = Buffer.from(line, 'latin1');
      expect(scanner.scan(b, 0, b.length)).toBe(true);
      return d.pushScanned(scanner.bits(), 'A', 1, 0);
    };
    const [a] = encodeVdm({ type: 24, repeat: 0, mmsi: 271041815, partno: 0, shipname: 'PROGUY' }, { channel: 'A' });
    const [b] = encodeVdm(
      { type: 24, repeat: 0, mmsi: 271041815, partno: 1, shiptype: 60, vendorid: '1D0', model: 0, serial: 0, callsign: 'TC6163', to_bow: 0, to_stern: 15, to_port: 0, to_starboard: 5 },
      { channel: 'A' },
    );
    expect(feed(a!)).toBeUndefined();
    expect(feed(b!)).toMatchObject({ type: 24, partno: 1, shipname: 'PROGUY@@@@@@@@@@@@@@', callsign: 'TC6163@' });
    expect(d.counters).toMatchObject({ lines: 2, sentences: 2, messages: 1 });
  });
});

describe('AisLineDecoder errors', () => {
  it('carry code and message but no stack frames, and errors thrown elsewhere keep theirs', () => {
    const d = new AisLineDecoder();
    const bad = ['!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B', sentence('!', 'AIVDM,2,2,3,B,88888888880,2'), '!AIVDM,1,1,,A,0000000000,0*26'];
    const errors = bad.flatMap((l) => d.push(l, 0).errors);
    expect(errors.map((e) => e.code)).toEqual(['NMEA_CHECKSUM', 'AIS_FRAGMENT_ORDER', 'AIS_TYPE']);
    for (const e of errors) {
      expect(e).toBeInstanceOf(NmeaError);
      expect(e.stack ?? '').not.toMatch(/\n\s+at /);
    }
    const scanner = new VdmScanner();
    const line = Buffer.from('!AIVDM,1,1,,A,0000000000,0*26', 'latin1');
    expect(scanner.scan(line, 0, line.length)).toBe(true);
    const r = d.pushScanned(scanner.bits(), 'A', 1, 0);
    expect(r).toBeInstanceOf(NmeaError);
    expect((r as NmeaError).stack ?? '').not.toMatch(/\n\s+at /);
    let thrown: unknown;
    try {
      parseSentence('!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(NmeaError);
    expect((thrown as NmeaError).stack).toMatch(/\n\s+at /);
  });
});
