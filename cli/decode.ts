/**
 * `mibc-ais decode` (DESIGN.md §4): NMEA lines on stdin (or `--in` endpoint), one gpsd-style JSON object per AIS
 * message on stdout (or `--out`).
 * Bad lines are reported on stderr with their line number and reason, and decoding goes on; a summary of the
 * counters by error code closes stderr when anything went wrong. Input is read and output written in large blocks;
 * one-sentence lines are read from their bytes (nmea/vdm-scan.ts) and messages written from their bits by the writers
 * generated from the layouts (nmea/gpsd-compiled.ts); the rest takes the full parsers and the object view.
 */
import { once } from 'node:events';
import { fstatSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { Command, InvalidArgumentError } from 'commander';
import type { StreamCounters } from '../nmea/stream.js';
import { ChunkDecoder } from './decode-chunk.js';
import { BlockJoiner, blockCut, DecodePool } from './decode-parallel.js';
import { decodeBlock, type BlockJob, type BlockResult } from './decode-block.js';
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
  /**
   * Threads that decode a regular file of at least `parallelFrom` bytes read through `fd` (cli/decode-parallel.ts):
   * this one and `threads − 1` workers; 1 or absent: this thread alone. Pipes, terminals and sockets are always read
   * by one thread, as they arrive, so a live feed is never held back.
   */
  readonly threads?: number;
  /** Smallest file shared out (default `PARALLEL_FROM_BYTES`): below it the workers' start and warm-up cost more than they bring. */
  readonly parallelFrom?: number;
  /** Bytes per block given to a thread (tests use small blocks to put many boundaries in a small input). */
  readonly blockBytes?: number;
}

/** Output is handed to the stream in batches of about this many bytes, not one write per message. */
const BATCH_BYTES = 256 * 1024;
/** A line longer than this without a line break is not NMEA: framing rejects it; it is not held in memory. */
const MAX_HELD = 1024 * 1024;
const LF = 10;
const READ_BYTES = 1024 * 1024;
/** A block for a decode thread: small enough to share out evenly, large enough that handing it over is cheap. */
const BLOCK_BYTES = 256 * 1024;
/**
 * Files from this size are shared out. Each worker compiles and warms up the decoder again (≈ 0.2 s of CPU) and two
 * threads contend for memory bandwidth, so on a 2-core host two threads were slower than one on a 12 MB log and
 * faster from a few tens of MB (docs: README "mibc-ais decode").
 */
export const PARALLEL_FROM_BYTES = 32 * 1024 * 1024;
/** Threads for a large file by default: two where there are two cores (the join in this thread limits more). */
export const DEFAULT_DECODE_THREADS = Math.min(2, availableParallelism());

/** The input in blocks: read from `fd` while it can be read without waiting, then from the stream. */
async function* blocks(io: DecodeIo, size: number): AsyncGenerator<Buffer | string> {
  if (io.fd !== undefined) {
    for (;;) {
      const block = Buffer.allocUnsafe(size);
      let got: number;
      try {
        got = readSync(io.fd, block, 0, size, null);
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

/** Whether `fd` is a regular file of at least `bytes` (one that workers may share out). */
function largeFile(fd: number | undefined, bytes: number): boolean {
  if (fd === undefined) return false;
  try {
    const st = fstatSync(fd);
    return st.isFile() && st.size >= bytes;
  } catch {
    return false;
  }
}

/** Writes `data`, waiting while the stream is full so a slow consumer cannot make us buffer the whole input. */
async function write(output: Writable, data: Uint8Array): Promise<void> {
  if (data.length === 0) return;
  if (!output.write(data)) await once(output, 'drain');
}

function summary(io: DecodeIo, c: StreamCounters): void {
  const codes = Object.entries(c.errors);
  if (codes.length > 0) {
    io.errors.write(
      `decode: ${c.lines} lines, ${c.sentences} sentences, ${c.messages} messages; errors: ${codes.map(([k, v]) => `${k}=${v}`).join(' ')}\n`,
    );
  }
}

export async function runDecode(options: DecodeOptions, io: DecodeIo): Promise<StreamCounters> {
  const blockBytes = options.blockBytes ?? BLOCK_BYTES;
  const threads = options.threads ?? 1;
  const c = threads > 1 && largeFile(io.fd, Math.max(2 * blockBytes, options.parallelFrom ?? PARALLEL_FROM_BYTES)) ? await decodeParallel(options, io, threads - 1, blockBytes) : await decodeSerial(options, io);
  summary(io, c);
  return c;
}

/** One thread, the input decoded as it arrives. */
async function decodeSerial(options: DecodeOptions, io: DecodeIo): Promise<StreamCounters> {
  const d = new ChunkDecoder({ scaled: !options.unscaled, gpsdCompat: options.gpsdCompat ?? false, outBytes: 2 * BATCH_BYTES });
  const flush = async (): Promise<void> => {
    if (d.errorLines.length > 0) {
      let err = '';
      for (let i = 0; i < d.errorLines.length; i++) err += `line ${d.errorLines[i]}: ${d.errorTexts[i]}\n`;
      d.errorLines.length = d.errorTexts.length = 0;
      io.errors.write(err);
    }
    // The stream may hold the bytes after write() returns: it is handed this buffer and the decoder fills a new one.
    if (d.used > 0) await write(io.output, d.take());
  };
  // Lines end at \n, \r\n or a lone \r, as node:readline splits them; text after the last \n waits for the next chunk.
  let rest: Buffer | undefined;
  for await (const chunk of blocks(io, READ_BYTES)) {
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
      pos = d.lines(buf, pos, end, now, BATCH_BYTES);
      if (d.used >= BATCH_BYTES) await flush();
    }
    await flush();
  }
  if (rest !== undefined) d.last(rest, io.now());
  await flush();
  return d.counters;
}

/**
 * Blocks of a large file decoded by `workers` worker threads and by this one, joined in input order
 * (cli/decode-parallel.ts). A worker is given a block while it has fewer than two; otherwise this thread decodes
 * the block itself, so a worker still starting or warming up (or slowed by other load) takes a smaller share.
 */
async function decodeParallel(options: DecodeOptions, io: DecodeIo, workers: number, blockBytes: number): Promise<StreamCounters> {
  const pool = new DecodePool(workers);
  const joiner = new BlockJoiner(pool);
  const scaled = !options.unscaled;
  const gpsdCompat = options.gpsdCompat ?? false;
  const queue: Array<{ job: BlockJob; result: Promise<BlockResult>; done: boolean }> = [];
  let id = 0;
  const send = (bytes: Uint8Array, final: boolean): void => {
    const job: BlockJob = { id: id++, bytes, final, now: io.now(), scaled, gpsdCompat, prime: undefined };
    if (pool.waiting >= 2 * workers) {
      queue.push({ job, result: Promise.resolve(decodeBlock(job)), done: true });
      return;
    }
    const entry = { job, result: pool.run(job), done: false };
    // A worker's failure is thrown where the result is awaited, in order; not as an unhandled rejection before.
    entry.result.then(
      () => (entry.done = true),
      () => (entry.done = true),
    );
    queue.push(entry);
  };
  const takeOldest = async (): Promise<void> => {
    const { job, result } = queue.shift()!;
    const { parts, errors } = joiner.join(await joiner.settle(job, await result));
    if (errors !== '') io.errors.write(errors);
    for (const p of parts) await write(io.output, p);
  };
  try {
    let rest: Buffer | undefined;
    for await (const chunk of blocks(io, blockBytes)) {
      const piece = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      const buf = rest === undefined ? piece : Buffer.concat([rest, piece]);
      if (buf.length < blockBytes) {
        rest = buf;
        continue;
      }
      let cut = blockCut(buf);
      // A line longer than MAX_HELD without a break is cut where it stands, as one thread would.
      if (cut === 0 && buf.length < MAX_HELD) {
        rest = buf;
        continue;
      }
      if (cut === 0) cut = buf.length;
      rest = cut < buf.length ? Buffer.from(buf.subarray(cut)) : undefined;
      send(buf.subarray(0, cut), false);
      // Let the workers' answers in, write what is ready, and hold at most a few blocks' output in memory.
      await new Promise(setImmediate);
      while (queue.length > 0 && (queue[0]!.done || queue.length > 4 * (workers + 1))) await takeOldest();
    }
    if (rest !== undefined) send(rest, true);
    while (queue.length > 0) await takeOldest();
  } finally {
    await pool.close();
  }
  return joiner.counters;
}

export function decodeCommand(): Command {
  return new Command('decode')
    .description('decode NMEA AIS sentences (stdin) to gpsd-style JSON, one object per message (stdout)')
    .option('-u, --unscaled', 'raw integer fields, as `gpsdecode -u`', false)
    .option('--gpsd-compat', "gpsd 3.22's readings where it departs from ITU-R M.1371-5 (see README)", false)
    .option(
      '--threads <n>',
      'threads that share out a large file on standard input; pipes and sockets always take one [1..8]',
      threadCount,
      DEFAULT_DECODE_THREADS,
    )
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

function threadCount(text: string): number {
  const n = Number(text);
  if (!/^[1-8]$/.test(text)) throw new InvalidArgumentError('expected a whole number from 1 to 8');
  return n;
}
