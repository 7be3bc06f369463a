/**
 * `decode` reads one-sentence messages from bytes and writes covered messages from their bits (cli/decode.ts,
 * nmea/vdm-scan.ts, nmea/gpsd-compiled.ts). Whatever the traffic — fragments, damaged lines, comments, any line end,
 * any chunking — its output and its error report equal the plain reading: AisLineDecoder line by line and
 * JSON.stringify of the object view.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AisLineDecoder, encodeVdm, toGpsdJson } from '../../nmea/index.js';
import { anyMessageArb } from '../nmea/arbitraries.js';
import { decodeChunks } from './_decode-run.js';

type Options = { unscaled: boolean; gpsdCompat: boolean };

/** The plain reading of `text`: split as node:readline splits, each line through AisLineDecoder. */
function plain(text: string, o: Options): { out: string; err: string } {
  const d = new AisLineDecoder();
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  let out = '';
  let err = '';
  lines.forEach((l, k) => {
    const { messages, errors } = d.push(l, 0);
    for (const e of errors) err += `line ${k + 1}: ${e.code}: ${e.message}\n`;
    for (const { message, assembled } of messages) {
      out += `${JSON.stringify(toGpsdJson(message, { scaled: !o.unscaled, bits: assembled.bits, gpsdCompat: o.gpsdCompat }))}\n`;
    }
  });
  const c = d.counters;
  const codes = Object.entries(c.errors);
  if (codes.length > 0) err += `decode: ${c.lines} lines, ${c.sentences} sentences, ${c.messages} messages; errors: ${codes.map(([k, v]) => `${k}=${v}`).join(' ')}\n`;
  return { out, err };
}

async function decode(chunks: readonly Buffer[], o: Options): Promise<{ out: string; err: string }> {
  const { out, err } = await decodeChunks(chunks, o);
  return { out, err };
}

/** A line of traffic: an encoded message (possibly several sentences), perhaps damaged, or a comment or blank. */
const linesArb = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(anyMessageArb, fc.integer({ min: 0, max: 9 }), fc.constantFrom<'A' | 'B'>('A', 'B')).map(([m, seqId, channel]) => encodeVdm(m, { seqId, channel })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(anyMessageArb, fc.nat(), fc.integer({ min: 32, max: 126 }))
      .map(([m, at, c]) => encodeVdm(m, { seqId: 1 }).map((l, k) => (k === 0 ? l.slice(0, at % l.length) + String.fromCharCode(c) + l.slice((at % l.length) + 1) : l))),
  },
  { weight: 1, arbitrary: fc.constantFrom(['# comment'], [''], ['  '], ['!AIVDM,1,1,,B,15Mw1U?P00qNGTP@v`0@9wwn26sd,0*0E,b2003669950,1272412827'], ['\\s:2573135,c:1671620143*0B\\!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24']) },
);

const trafficArb = fc.tuple(
  fc.array(fc.tuple(linesArb, fc.constantFrom('\n', '\r\n', '\r')), { minLength: 1, maxLength: 40 }),
  fc.boolean(),
  fc.array(fc.nat(), { maxLength: 6 }),
  fc.record({ unscaled: fc.boolean(), gpsdCompat: fc.boolean() }),
);

describe('decode: the direct path prints what the plain reading prints', () => {
  it('for random traffic, line ends and chunking, in every output mode', async () => {
    await fc.assert(
      fc.asyncProperty(trafficArb, async ([entries, finalBreak, cuts, o]) => {
        let text = entries.map(([lines, end]) => lines.map((l) => l + end).join('')).join('');
        if (!finalBreak) text = text.replace(/[\r\n]+$/, '');
        const bytes = Buffer.from(text, 'utf8');
        const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...at].map((from, k) => bytes.subarray(from, k < at.length ? at[k] : bytes.length));
        expect(await decode(chunks, o)).toEqual(plain(text, o));
      }),
      { numRuns: 200 },
    );
  });
});
