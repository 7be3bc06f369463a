/**
 * `decode` on worker threads gives exactly what one thread gives: the same output bytes, the same error lines and
 * the same counters, however the input is cut into blocks. Small blocks put many boundaries in a small input,
 * through multi-sentence messages, message 24 pairs, orphans and broken lines.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DecodeOptions } from '../../cli/decode.js';
import { blockCut } from '../../cli/decode-parallel.js';
import { encodeVdm, type AisMessage } from '../../nmea/index.js';
import { CORPUS } from '../corpus.js';
import { decodeFile, type DecodeRun } from './_decode-run.js';

async function expectSameAsOneThread(text: string | Buffer, blockBytes: number, options: Omit<DecodeOptions, 'threads'> = { unscaled: true }): Promise<DecodeRun> {
  const one = await decodeFile(text, { ...options, threads: 1 });
  const many = await decodeFile(text, { ...options, threads: 3, blockBytes, parallelFrom: 0 });
  expect(many.counters).toEqual(one.counters);
  expect(many.err).toBe(one.err);
  expect(many.out).toBe(one.out);
  return one;
}

/** Message 24 parts for a few ships, both channels: pairs that straddle blocks, repeats, parts B without A. */
function type24(mmsi: number, name: string, channel: 'A' | 'B'): { a: string; b: string } {
  const [a] = encodeVdm({ type: 24, repeat: 0, mmsi, partno: 0, shipname: name }, { channel });
  const [b] = encodeVdm(
    { type: 24, repeat: 0, mmsi, partno: 1, shiptype: 60, vendorid: '1D0', model: 0, serial: 0, callsign: 'TC6163', to_bow: 0, to_stern: 15, to_port: 0, to_starboard: 5 } as AisMessage,
    { channel },
  );
  return { a: a!, b: b! };
}

const t24 = [
  type24(271041815, 'PROGUY', 'A'),
  type24(271041815, 'PROGUY TWO', 'A'),
  type24(244000001, 'ALPHA"Q', 'B'),
  type24(244000002, 'BRAVO', 'A'),
];
/** A two-sentence message 5 (seq ids 1 and 2), and a three-sentence message 8. */
const five = (seqId: number): string[] =>
  encodeVdm(
    { type: 5, repeat: 0, mmsi: 235000001, ais_version: 0, imo: 9000001, callsign: 'GABC', shipname: 'LONG NAME', shiptype: 70, to_bow: 100, to_stern: 20, to_port: 10, to_starboard: 10, epfd: 1, month: 5, day: 12, hour: 3, minute: 30, draught: 55, destination: 'SOUTHAMPTON', dte: 0 } as AisMessage,
    { channel: 'B', seqId },
  );
const eight = encodeVdm(
  { type: 8, repeat: 0, mmsi: 2655619, dac: 1, fid: 31, data: Uint8Array.from({ length: 90 }, (_, i) => (i * 29) & 0xff), dataBits: 720 } as AisMessage,
  { channel: 'A', seqId: 3 },
);
const pool: string[] = [
  '!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23',
  '!AIVDM,1,1,,B,13HOI:0P0000VOHLCnHQKwvL05Ip,0*20',
  ...t24.flatMap((t) => [t.a, t.b]),
  ...five(1),
  ...five(2),
  ...eight,
  five(1)[1]!, // a second part without its first: out of order
  five(2)[0]!, // a first part that a later one supersedes
  eight[0]!,
  '!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*24', // bad checksum
  '$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47',
  '# a comment',
  '',
  'junk that is not NMEA',
  '\\s:2573345,c:1671620143*0B\\!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23',
];

describe('decode on worker threads', () => {
  it('cuts a block before a later fragment, never inside a message', () => {
    const text = Buffer.from(`${pool[0]}\n${five(1).join('\n')}\n`);
    // The last line break is followed by nothing: cut there.
    expect(blockCut(text)).toBe(text.length);
    const open = Buffer.from(`${pool[0]}\n${five(1).join('\n')}`);
    // The line after the last break is fragment 2 of 2: the cut moves back before fragment 1.
    expect(blockCut(open)).toBe(pool[0]!.length + 1);
    expect(blockCut(Buffer.from('no line break'))).toBe(0);
  });

  it('gives the output, error lines and counters of one thread on random mixes cut into small blocks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...pool.keys()), { minLength: 50, maxLength: 400 }),
        fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 64, max: 2048 }),
        fc.boolean(),
        async (picks, ends, blockBytes, lastBreak) => {
          const text = picks.map((k, i) => `${pool[k]}${ends[i % ends.length]}`).join('');
          await expectSameAsOneThread(lastBreak ? text : text.replace(/[\r\n]+$/, ''), blockBytes);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('pairs message 24 across a block boundary with the part A of an earlier block', async () => {
    const filler = Array.from({ length: 60 }, () => pool[0]!).join('\n');
    const text = `${t24[0]!.a}\n${filler}\n${t24[0]!.b}\n${t24[3]!.b}\n`;
    const one = await expectSameAsOneThread(text, 512);
    expect(one.out).toContain('"shipname":"PROGUY"');
  });

  it('carries an incomplete message held at a block end into the next block', async () => {
    // An abandoned first fragment stays held; its successor with the same key much later supersedes it.
    const filler = Array.from({ length: 40 }, () => pool[0]!).join('\n');
    const text = `${five(1)[0]}\n${filler}\n${five(1).join('\n')}\n${filler}\n`;
    const one = await expectSameAsOneThread(text, 256);
    expect(one.err).toContain('AIS_FRAGMENT_MISSING');
  });

  it.skipIf(CORPUS === undefined)('gives what one thread gives on every corpus recording, scaled and gpsd-compat', async () => {
    const text = ['gpsd/sample.aivdm', 'gpsd/ais-nmea-type6-fid55.log', 'libais/test.aivdm', 'libais/typeexamples.nmea', 'libais/tagblock.nmea']
      .map((f) => readFileSync(resolve(CORPUS!, f)))
      .reduce((a, b) => Buffer.concat([a, b]));
    for (const blockBytes of [4096, 65536]) {
      await expectSameAsOneThread(text, blockBytes, { unscaled: true });
      await expectSameAsOneThread(text, blockBytes, { unscaled: false, gpsdCompat: true });
    }
  });

});
