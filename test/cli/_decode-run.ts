/** `runDecode` driven in process, as the `decode` tests need it: the input written to a stream chunk by chunk. */
import { PassThrough } from 'node:stream';
import { runDecode, type DecodeIo, type DecodeOptions } from '../../cli/decode.js';
import type { StreamCounters } from '../../nmea/stream.js';

export interface DecodeRun {
  readonly out: string;
  readonly err: string;
  readonly counters: StreamCounters;
}

async function run(options: DecodeOptions, io: Omit<DecodeIo, 'output' | 'errors' | 'now'>): Promise<DecodeRun> {
  const output = new PassThrough();
  const errors = new PassThrough();
  let out = '';
  let err = '';
  output.on('data', (d: Buffer) => (out += d.toString('utf8')));
  errors.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const counters = await runDecode(options, { ...io, output, errors, now: () => 0 });
  return { out, err, counters };
}

/** The input written to a stream chunk by chunk (each chunk arrives as written). */
export function decodeChunks(chunks: readonly (string | Buffer)[], options: DecodeOptions): Promise<DecodeRun> {
  const input = new PassThrough();
  for (const c of chunks) input.write(c);
  input.end();
  return run(options, { input });
}
