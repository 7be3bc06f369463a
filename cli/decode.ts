/**
 * `mibc-ais decode` (DESIGN.md §4): NMEA lines on stdin (or `--in` endpoint), one gpsd-style JSON object per AIS
 * message on stdout (or `--out`).
 * Bad lines are reported on stderr with their line number and reason, and decoding goes on; a summary of the
 * counters by error code closes stderr when anything went wrong. Input is read and output written in large blocks;
 * one-sentence lines are read from their bytes (nmea/vdm-scan.ts) and messages written from their bits by the writers
 * generated from the layouts and payload tables (nmea/gpsd-compiled.ts, nmea/gpsd-compiled-asm.ts); the rest takes the
 * full parsers and the object view.
 */
import { once } from 'node:events';
import { readSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { Command } from 'commander';
import { MAX_TEXT_BYTES, writeCompiledGpsd, writeCompiledGpsdOf } from '../nmea/gpsd-compiled.js';
import { NmeaError } from '../nmea/errors.js';
import { gpsdJsonText } from '../nmea/gpsd.js';
import { AisLineDecoder, type StreamCounters } from '../nmea/stream.js';
import { VdmScanner } from '../nmea/vdm-scan.js';
import { inOption, openFilterStreams, outOption } from './endpoint-io.js';

export interface DecodeIo {
  readonly input: Readable;
  readonly output: Writable;
  readonly errors: Writable;
  /** Milliseconds; drives the expiry of incomplete multi-sentence messages. */
  readonly now: () => number;
  /**
   * The descriptor behind `input` (standard input), read directly in blocks of `READ_BYTES`: a stream's 64 KiB
   * chunks and its events cost more than the reading. `input` is used when the descriptor cannot be read that way.
   */
  readonly fd?: number;
}

export interface DecodeOptions {
  readonly unscaled: boolean;
  /** gpsd 3.22's readings where it departs from ITU-R M.1371-5 (nmea/gpsd.ts `gpsdCompat`). */
  readonly gpsdCompat?: boolean;
}

/** Output is handed to the stream in batches of about this many bytes, not one write per message. */
const BATCH_BYTES = 256 * 1024;
/** A line longer than this without a line break is not NMEA: framing rejects it; it is not held in memory. */
const MAX_HELD = 1024 * 1024;
const LF = 10;
const CR = 13;
const HASH = 0x23;
const ONE = 0x31;
const TWO = 0x32;

const READ_BYTES = 1024 * 1024;

/** Whether a lone \r splits `buf[start, end)` into more lines. */
function hasCr(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] === CR) return true;
  return false;
}

/** The input in blocks: read from `fd` while it can be read without waiting, then from the stream. */
async function* blocks(io: DecodeIo): AsyncGenerator<Buffer | string> {
  if (io.fd !== undefined) {
    for (;;) {
      const block = Buffer.allocUnsafe(READ_BYTES);
      let got: number;
      try {
        got = readSync(io.fd, block, 0, READ_BYTES, null);
      } catch (e) {
        // A non-blocking descriptor (a terminal, some pipes) has nothing yet: the stream waits for it.
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
        throw e;
      }
      if (got === 0) return;
      yield block.subarray(0, got);
    }
  }
  yield* io.input as AsyncIterable<Buffer | string>;
}

export async function runDecode(options: DecodeOptions, io: DecodeIo): Promise<StreamCounters> {
  const scanner = new VdmScanner();
  const scaled = !options.unscaled;
  const compat = options.gpsdCompat ?? false;
  const view = { scaled, bits: undefined as { bytes: Uint8Array; bitLength: number } | undefined, gpsdCompat: compat };
  let n = 0;
  // Each message's text goes straight into one large buffer: joining strings and encoding the joined text at write
  // time cost more than the decoding.
  let out = Buffer.allocUnsafe(2 * BATCH_BYTES);
  let used = 0;
  const room = (bytes: number): void => {
    if (used + bytes <= out.length) return;
    const bigger = Buffer.allocUnsafe(2 * out.length + bytes);
    out.copy(bigger, 0, 0, used);
    out = bigger;
  };
  const emit = (text: string): void => {
    room(3 * text.length + 1);
    used += out.write(text, used, 'utf8');
    out[used++] = LF;
  };
  let err = '';
  // Messages that a generated writer covers are written from their bits, never decoded into objects.
  const decoder = new AisLineDecoder({
    direct: (bits) => {
      room(MAX_TEXT_BYTES + 1);
      const end = writeCompiledGpsdOf(bits.bytes, bits.bitLength, scaled, compat, out, used);
      if (end < 0) return false;
      out[end] = LF;
      used = end + 1;
      return true;
    },
  });
  /** The general path: sentence.ts, vdm.ts, the assembler, the object view; errors named by line. */
  const line = (text: string, now: number): void => {
    n++;
    const { messages, errors } = decoder.push(text, now);
    for (const e of errors) err += `line ${n}: ${e.code}: ${e.message}\n`;
    for (const { message, assembled } of messages) {
      view.bits = assembled.bits;
      emit(gpsdJsonText(message, view));
    }
  };
  /** Writes or decodes the message in `scanner`, read from `sentences` lines. */
  const scanned = (sentences: number): void => {
    n += sentences;
    room(MAX_TEXT_BYTES + 1);
    const written = writeCompiledGpsd(scanner.bytes, scanner.bitLength, scaled, compat, out, used);
    if (written >= 0) {
      decoder.countDecoded(sentences, scanner.overLengths);
      out[written] = LF;
      used = written + 1;
      return;
    }
    // Type 24, the few 6/8 the writers decline, undecodable messages: decoded from the bits already read.
    const bits = scanner.bits();
    const r = decoder.pushScanned(bits, scanner.channel === 0 ? '' : String.fromCharCode(scanner.channel), sentences, scanner.overLengths);
    if (r instanceof NmeaError) err += `line ${n}: ${r.code}: ${r.message}\n`;
    else if (r !== undefined) {
      view.bits = bits;
      emit(gpsdJsonText(r, view));
    }
  };
  /** Lines in `buf[start, end)`, which holds no \n: split at lone \r as node:readline does. */
  const segment = (buf: Buffer, start: number, end: number, now: number): void => {
    if (start === end || (buf[start] === HASH && !hasCr(buf, start, end))) {
      n++;
      decoder.countSkipped();
      return;
    }
    if (decoder.pending === 0 && scanner.scan(buf, start, end)) {
      scanned(1);
      return;
    }
    const text = buf.toString('utf8', start, end);
    if (text.indexOf('\r') < 0) line(text, now);
    else for (const l of text.split('\r')) line(l, now);
  };
  const flush = async (): Promise<void> => {
    if (err !== '') io.errors.write(err);
    err = '';
    if (used === 0) return;
    // The stream may hold the bytes after write() returns: hand it this buffer and fill a new one.
    const ok = io.output.write(out.subarray(0, used));
    out = Buffer.allocUnsafe(2 * BATCH_BYTES);
    used = 0;
    // Respect back-pressure so a slow consumer cannot make us buffer the whole input.
    if (!ok) await once(io.output, 'drain');
  };
  // Lines end at \n, \r\n or a lone \r, as node:readline splits them; text after the last \n waits for the next chunk.
  let rest: Buffer | undefined;
  for await (const chunk of blocks(io)) {
    const piece = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const buf = rest === undefined ? piece : Buffer.concat([rest, piece]);
    let end = buf.lastIndexOf(LF) + 1;
    const forced = end === 0 && buf.length >= MAX_HELD;
    if (end === 0 && !forced) {
      rest = buf;
      continue;
    }
    if (forced) end = buf.length;
    rest = end < buf.length ? buf.subarray(end) : undefined;
    const now = io.now();
    for (let pos = 0; pos < end; ) {
      let lf = buf.indexOf(LF, pos);
      if (lf < 0 || lf >= end) lf = end;
      const stop = lf > pos && buf[lf - 1] === CR && lf < end ? lf - 1 : lf;
      // `!ccVDx,2,1,`: a two-sentence message whose second line follows is read from its bytes as one.
      if (buf[pos + 7] === TWO && buf[pos + 9] === ONE && decoder.pending === 0 && lf < end) {
        const lf2 = buf.indexOf(LF, lf + 1);
        if (lf2 > lf + 1 && lf2 < end && scanner.scanPair(buf, pos, stop, lf + 1, buf[lf2 - 1] === CR ? lf2 - 1 : lf2)) {
          scanned(2);
          pos = lf2 + 1;
          if (used >= BATCH_BYTES) await flush();
          continue;
        }
      }
      segment(buf, pos, stop, now);
      pos = lf + 1;
      if (used >= BATCH_BYTES) await flush();
    }
    await flush();
  }
  if (rest !== undefined) segment(rest, 0, rest[rest.length - 1] === CR ? rest.length - 1 : rest.length, io.now());
  await flush();
  const c = decoder.counters;
  const codes = Object.entries(c.errors);
  if (codes.length > 0) {
    io.errors.write(
      `decode: ${c.lines} lines, ${c.sentences} sentences, ${c.messages} messages; errors: ${codes.map(([k, v]) => `${k}=${v}`).join(' ')}\n`,
    );
  }
  return c;
}

export function decodeCommand(): Command {
  return new Command('decode')
    .description('decode NMEA AIS sentences (stdin) to gpsd-style JSON, one object per message (stdout)')
    .option('-u, --unscaled', 'raw integer fields, as `gpsdecode -u`', false)
    .option('--gpsd-compat', "gpsd 3.22's readings where it departs from ITU-R M.1371-5 (see README)", false)
    .addOption(inOption())
    .addOption(outOption('JSON output'))
    .action(async (opts: DecodeOptions & { in: string; out: string }) => {
      // A closed pipe (`| head`) ends the job quietly, like other filters.
      process.stdout.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') process.exit(0);
        throw e;
      });
      const streams = openFilterStreams(opts, process.stderr);
      const fd = opts.in === '-' ? 0 : undefined;
      await runDecode(opts, { input: streams.input, output: streams.output, errors: process.stderr, now: () => Date.now(), fd });
      await streams.close();
    });
}
