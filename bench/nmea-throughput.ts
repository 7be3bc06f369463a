/**
 * `npm run bench:nmea`: decode throughput over the shared corpus (or generated traffic when the corpus is not
 * checked out), three figures that include progressively more:
 *  1. decode only: framing + checksum, VDM assembly and message decoding, in process (no JSON, no output);
 *  2. end to end in process: the same plus gpsd's JSON view and its text (nmea/gpsd.ts, nmea/gpsd-writer.ts);
 *     and the path `decode` itself takes, in process without IO: sentences read from bytes, messages written from
 *     their bits by the writers generated from the layouts (cli/decode.ts, nmea/vdm-scan.ts, nmea/gpsd-compiled.ts);
 *  3. whole process, what a user gets: `mibc-ais decode -u < log > /dev/null` (the built CLI, start-up included) on
 *     the corpus repeated to ≈250 000 sentences, bad lines and all, alternated with `gpsdecode -u` on the same file
 *     when gpsd's tool is installed, with the ratio pair by pair (wall time; > 1 means faster than gpsdecode).
 * Not asserted anywhere: a measurement to watch.
 */
import { spawnSync } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeAis, gpsdJsonText, NmeaError, parseSentence, parseVdm, VdmAssembler, isVdm } from '../nmea/index.js';
import { runDecode } from '../cli/decode.js';
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

/** Keeps the JSON text from being optimised away. */
let sink = 0;

function run(lines: readonly string[], rounds: number, json = false): { sentences: number; messages: number; ms: number } {
  const asm = new VdmAssembler();
  let messages = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const line of lines) {
      const out = asm.push(parseVdm(parseSentence(line)), r);
      if (out !== undefined) {
        const m = decodeAis(out.bits);
        if (json) sink += gpsdJsonText(m, { scaled: false, bits: out.bits }).length;
        messages++;
      }
    }
  }
  return { sentences: rounds * lines.length, messages, ms: performance.now() - t0 };
}

/** Runs a command with stdin from `input` and stdout, stderr to /dev/null; wall milliseconds. */
function timed(cmd: string, args: readonly string[], input: string): number {
  const [fin, fout] = [openSync(input, 'r'), openSync('/dev/null', 'w')];
  try {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { stdio: [fin, fout, fout] });
    if (r.error !== undefined || r.status !== 0) throw new Error(`${cmd} failed: ${r.error?.message ?? `exit ${r.status}`}`);
    return performance.now() - t0;
  } finally {
    closeSync(fin);
    closeSync(fout);
  }
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Figure 3: the built CLI as a process, against gpsdecode on the same file in the same run. */
function wholeProcess(): void {
  const cli = resolve(repo, 'dist/cli/main.js');
  if (corpus === undefined || !existsSync(cli)) {
    console.log('  whole process: skipped (needs the corpus and `npm run build`)');
    return;
  }
  const log = ['gpsd/sample.aivdm', 'gpsd/ais-nmea-type6-fid55.log', 'libais/test.aivdm', 'libais/tagblock.nmea', 'libais/typeexamples.nmea']
    .map((f) => readFileSync(resolve(corpus, f), 'latin1'))
    .join('');
  const perCopy = log.split('\n').length - 1;
  const copies = Math.ceil(250_000 / perCopy);
  const file = resolve(tmpdir(), `mibc-ais-bench-${process.pid}.nmea`);
  writeFileSync(file, log.repeat(copies), 'latin1');
  try {
    const sentences = perCopy * copies;
    const gpsdecode = spawnSync('gpsdecode', ['-V'], { stdio: 'ignore' }).error === undefined;
    const ours: number[] = [];
    const theirs: number[] = [];
    const pairs = 5;
    timed(process.execPath, [cli, 'decode', '-u'], file); // warm the file cache
    for (let k = 0; k < pairs; k++) {
      ours.push(timed(process.execPath, [cli, 'decode', '-u'], file));
      if (gpsdecode) theirs.push(timed('gpsdecode', ['-u'], file));
    }
    const rate = (sentences / median(ours)) * 1000;
    console.log(`  whole process (\`mibc-ais decode -u < log > /dev/null\`, start-up included): ${fmt(rate)} sentences/s, median of ${pairs} on ${fmt(sentences)} lines`);
    if (gpsdecode) {
      const ratios = ours.map((t, k) => theirs[k]! / t);
      console.log(
        `  gpsdecode -u, same file, alternated: ${fmt((sentences / median(theirs)) * 1000)} sentences/s; ` +
          `ratio mibc-ais/gpsdecode ${median(ratios).toFixed(2)} (pairs ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}; > 1 is faster)`,
      );
    } else console.log('  gpsdecode not installed: no ratio (apt install gpsd-clients)');
  } finally {
    rmSync(file, { force: true });
  }
}

/** The `decode` command's own loop over `rounds` copies of the lines, in memory. */
async function cliPath(lines: readonly string[], rounds: number): Promise<{ sentences: number; messages: number; ms: number }> {
  const text = Buffer.from(`${lines.join('\n')}\n`.repeat(rounds), 'latin1');
  const input = new PassThrough();
  const output = new Writable({ write: (chunk: Buffer, _e, done) => ((sink += chunk.length), done()) });
  const errors = new Writable({ write: (_c, _e, done) => done() });
  input.end(text);
  const t0 = performance.now();
  const c = await runDecode({ unscaled: true }, { input, output, errors, now: () => 0 });
  return { sentences: rounds * lines.length, messages: c.messages, ms: performance.now() - t0 };
}

const { lines, source } = load();
run(lines, 20);
const rounds = Math.max(1, Math.ceil(400_000 / lines.length));
const best = (json: boolean) => [0, 1, 2].map(() => run(lines, rounds, json)).reduce((a, b) => (b.ms < a.ms ? b : a));
run(lines, 5, true);
const decodeOnly = best(false);
const endToEnd = best(true);
const per = (r: { sentences: number; messages: number; ms: number }) =>
  `${fmt((r.sentences / r.ms) * 1000)} sentences/s (${fmt((r.messages / r.ms) * 1000)} messages/s)`;
console.log(`nmea decode throughput, one core (input: ${source}; ${decodeOnly.sentences} sentences per run, best of 3)`);
console.log(`  decode only (framing, assembly, fields; no JSON, no output): ${per(decodeOnly)}`);
console.log(`  end to end in process (plus gpsd JSON view and text, no IO): ${per(endToEnd)}`);
await cliPath(lines, 5);
const direct = await cliPath(lines, rounds);
const direct2 = await cliPath(lines, rounds);
const directBest = direct2.ms < direct.ms ? direct2 : direct;
console.log(`  decode's own path in process (bytes to generated writers, no objects, no IO): ${per(directBest)}`);
wholeProcess();
writeResults('nmea', {
  source,
  sentencesPerRun: decodeOnly.sentences,
  decodeOnly: { sentencesPerS: (decodeOnly.sentences / decodeOnly.ms) * 1000, messagesPerS: (decodeOnly.messages / decodeOnly.ms) * 1000 },
  endToEnd: { sentencesPerS: (endToEnd.sentences / endToEnd.ms) * 1000, messagesPerS: (endToEnd.messages / endToEnd.ms) * 1000 },
  decodePath: { sentencesPerS: (directBest.sentences / directBest.ms) * 1000, messagesPerS: (directBest.messages / directBest.ms) * 1000 },
});
if (sink < 0) console.log(sink);
