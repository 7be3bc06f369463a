/**
 * `mibc-ais decode` (DESIGN.md §4): NMEA lines on stdin (or `--in` endpoint), one gpsd-style JSON object per AIS
 * message on stdout (or `--out`).
 * Bad lines are reported on stderr with their line number and reason, and decoding goes on; a summary of the
 * counters by error code closes stderr when anything went wrong.
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { Command } from 'commander';
import { AisLineDecoder, toGpsdJson, type StreamCounters } from '../nmea/index.js';
import { inOption, openFilterStreams, outOption } from './endpoint-io.js';

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

export async function runDecode(options: DecodeOptions, io: DecodeIo): Promise<StreamCounters> {
  const decoder = new AisLineDecoder();
  const lines = createInterface({ input: io.input, crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    const { messages, errors } = decoder.push(line, io.now());
    for (const e of errors) io.errors.write(`line ${n}: ${e.code}: ${e.message}\n`);
    for (const { message, assembled } of messages) {
      const json = JSON.stringify(toGpsdJson(message, { scaled: !options.unscaled, bits: assembled.bits, gpsdCompat: options.gpsdCompat ?? false }));
      // Respect back-pressure so a slow consumer cannot make us buffer the whole input.
      if (!io.output.write(`${json}\n`)) await once(io.output, 'drain');
    }
  }
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
      await runDecode(opts, { input: streams.input, output: streams.output, errors: process.stderr, now: () => Date.now() });
      await streams.close();
    });
}
