/**
 * `npm run bench:nmea`: decode throughput of the NMEA/AIS layer — framing + checksum, VDM assembly and message
 * decoding — over the shared corpus (or generated traffic when the corpus is not checked out), in sentences per
 * second on one core. Not asserted anywhere: a measurement to watch.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeAis, NmeaError, parseSentence, parseVdm, VdmAssembler, isVdm } from '../nmea/index.js';
import { sampleTraffic } from './sample-traffic.js';
import { writeResults } from './results.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = [process.env['MIBC_CORPUS'], resolve(repo, '../shared/corpus'), resolve(repo, '../../shared/corpus')].find(
  (c): c is string => c !== undefined && c !== '' && existsSync(resolve(c, 'SOURCES.md')),
);
const FILES = ['gpsd/sample.aivdm', 'gpsd/ais-nmea-type6-fid55.log', 'libais/test.aivdm'];

function load(): { lines: string[]; source: string } {
  if (corpus === undefined) return { lines: [...sampleTraffic(200).sentences], source: 'generated sample traffic' };
  const all = FILES.flatMap((f) => readFileSync(resolve(corpus, f), 'latin1').split('\n')).filter((l) => l.startsWith('!') || l.startsWith('\\'));
  // Keep the sentences that go through cleanly, so the loop measures decoding rather than exception handling.
  const asm = new VdmAssembler();
  const lines = all.filter((l) => {
    try {
      const s = parseSentence(l);
      if (!isVdm(s)) return false;
      const out = asm.push(parseVdm(s), 0);
      if (out !== undefined) decodeAis(out.bits);
      return true;
    } catch (e) {
      if (e instanceof NmeaError) return false;
      throw e;
    }
  });
  return { lines, source: `${FILES.join(', ')} (${lines.length} of ${all.length} sentences)` };
}

function run(lines: readonly string[], rounds: number): { sentences: number; messages: number; ms: number } {
  const asm = new VdmAssembler();
  let messages = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const line of lines) {
      const out = asm.push(parseVdm(parseSentence(line)), r);
      if (out !== undefined) {
        decodeAis(out.bits);
        messages++;
      }
    }
  }
  return { sentences: rounds * lines.length, messages, ms: performance.now() - t0 };
}

const { lines, source } = load();
run(lines, 20);
const rounds = Math.max(1, Math.ceil(400_000 / lines.length));
const results = [0, 1, 2].map(() => run(lines, rounds));
const best = results.reduce((a, b) => (b.ms < a.ms ? b : a));
const rate = (best.sentences / best.ms) * 1000;
console.log(`nmea decode throughput: ${Math.round(rate).toLocaleString('en-US')} sentences/s (${Math.round((best.messages / best.ms) * 1000).toLocaleString('en-US')} messages/s)`);
console.log(`  input: ${source}; ${best.sentences} sentences per run, best of ${results.length} runs, one core`);
writeResults('nmea', { source, sentencesPerRun: best.sentences, runs: results.length, sentencesPerS: rate, messagesPerS: (best.messages / best.ms) * 1000 });
