/**
 * `mibc-ais decode` (DESIGN.md §4): NMEA lines on stdin, one gpsd-style JSON object per AIS message on stdout.
 * Bad lines are reported on stderr with their line number and reason, and decoding goes on; a summary of the
 * counters by error code closes stderr when anything went wrong. Lines are read and results written in large batches
 * and each message's JSON comes from a compiled writer (nmea/gpsd-writer.ts), so the filter keeps up with gpsdecode.
 */
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { Command } from 'commander';
import { AisLineDecoder, gpsdJsonText, type AisBits, type StreamCounters } from '../nmea/index.js';

const LINE_BREAK = /\r\n|\r|\n/;

export interface DecodeIo {
  readonly input: Readable;
  readonly output: Writable;
  readonly errors: Writable;
  /** Milliseconds; drives the expiry of incomplete multi-sentence messages. */
  readonly now: () => number;
}

export interface DecodeOptions {
  readonly unscaled: boolean;
  /** gpsd 3.22's readings where it departs from ITU-R M.1371-5 (nmea/gpsd.ts `gpsdCompat`). */
  readonly gpsdCompat?: boolean;
}

/** Output is handed to the stream in batches of about this many characters, not one write per message. */
const BATCH_CHARS = 64 * 1024;

export async function runDecode(options: DecodeOptions, io: DecodeIo): Promise<StreamCounters> {
  const decoder = new AisLineDecoder();
  const view = { scaled: !options.unscaled, bits: undefined as AisBits | undefined, gpsdCompat: options.gpsdCompat ?? false };
  let n = 0;
  let out = '';
  let err = '';
  const line = (text: string, now: number): void => {
    n++;
    const { messages, errors } = decoder.push(text, now);
    for (const e of errors) err += `line ${n}: ${e.code}: ${e.message}\n`;
    for (const { message, assembled } of messages) {
      view.bits = assembled.bits;
      out += `${gpsdJsonText(message, view)}\n`;
    }
  };
  const flush = async (): Promise<void> => {
    if (err !== '') io.errors.write(err);
    err = '';
    if (out === '') return;
    const ok = io.output.write(out);
    out = '';
    // Respect back-pressure so a slow consumer cannot make us buffer the whole input.
    if (!ok) await once(io.output, 'drain');
  };
  // Lines end at \n, \r\n or a lone \r, as node:readline splits them; a \r at a chunk's end waits for the next.
  io.input.setEncoding('utf8');
  let rest = '';
  for await (const chunk of io.input as AsyncIterable<string>) {
    const text = rest + chunk;
    let end = text.length;
    while (end > 0 && text.charCodeAt(end - 1) !== 10) end--;
    if (end === 0) {
      rest = text;
      if (rest.length < BATCH_CHARS * 16) continue;
      // A line longer than any NMEA sentence: framing rejects it; do not hold the input in memory.
      end = rest.length;
    }
    rest = text.slice(end);
    const lines = text.slice(0, end).split(LINE_BREAK);
    if (text.charCodeAt(end - 1) === 10) lines.pop(); // the empty string after the last line break
    const now = io.now();
    for (const l of lines) {
      line(l, now);
      if (out.length >= BATCH_CHARS) await flush();
    }
    await flush();
  }
  if (rest !== '') {
    const tail = rest.split(LINE_BREAK);
    if (tail[tail.length - 1] === '') tail.pop();
    const now = io.now();
    for (const l of tail) line(l, now);
  }
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
    .action(async (opts: DecodeOptions) => {
      // A closed pipe (`| head`) ends the job quietly, like other filters.
      process.stdout.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') process.exit(0);
        throw e;
      });
      await runDecode(opts, { input: process.stdin, output: process.stdout, errors: process.stderr, now: () => Date.now() });
    });
}
