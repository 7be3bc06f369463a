/** `runDecode` driven in process, as the `decode` tests need it: the input written to a stream chunk by chunk. */
import { PassThrough } from 'node:stream';
import { runDecode, type DecodeOptions } from '../../cli/decode.js';
import type { StreamCounters } from '../../nmea/stream.js';

export interface DecodeRun {
  readonly out: string;
  readonly err: string;
  readonly counters: StreamCounters;
}

/** Decodes `chunks`, each arriving as written; returns standard output, standard error and the counters. */
export async function decodeChunks(chunks: readonly (string | Buffer)[], options: DecodeOptions): Promise<DecodeRun> {
  const input = new PassThrough();
  const output = new PassThrough();
  const errors = new PassThrough();
  let out = '';
  let err = '';
  output.on('data', (d: Buffer) => (out += d.toString('utf8')));
  errors.on('data', (d: Buffer) => (err += d.toString('utf8')));
  for (const c of chunks) input.write(c);
  input.end();
  const counters = await runDecode(options, { input, output, errors, now: () => 0 });
  return { out, err, counters };
}
