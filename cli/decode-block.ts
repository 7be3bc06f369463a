/**
 * One block of a large input (cli/decode-parallel.ts), decoded from an empty state or primed with the incomplete
 * messages held at the end of the block before: its output, errors, counters, message 24 events and what it holds
 * at the end. What a decode worker (cli/decode-worker.ts) runs for each job, and the main thread for its share.
 */
import { ChunkDecoder, type HeldMessages, type Type24Event } from './decode-chunk.js';
import type { StreamCounters } from '../nmea/stream.js';

export interface BlockJob {
  readonly id: number;
  readonly bytes: Uint8Array;
  /** The input ends with this block: its last line may lack a line break. */
  readonly final: boolean;
  readonly now: number;
  readonly scaled: boolean;
  readonly gpsdCompat: boolean;
  /** Incomplete messages from the blocks before, or undefined to start empty. */
  readonly prime: HeldMessages | undefined;
}

export interface BlockResult {
  readonly id: number;
  readonly primed: boolean;
  readonly out: Uint8Array;
  readonly lines: number;
  readonly errorLines: number[];
  readonly errorTexts: string[];
  readonly counters: StreamCounters;
  readonly events: Type24Event[];
  readonly held: HeldMessages;
}

export function decodeBlock(job: BlockJob): BlockResult {
  const buf = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
  const d = new ChunkDecoder({ scaled: job.scaled, gpsdCompat: job.gpsdCompat, holes: true, outBytes: 4 * buf.length + 4096 });
  if (job.prime !== undefined) d.prime(job.prime);
  const lastLf = buf.lastIndexOf(10);
  const end = job.final ? lastLf + 1 : buf.length;
  d.lines(buf, 0, end, job.now);
  if (job.final && end < buf.length) d.last(buf.subarray(end), job.now);
  const out = d.out.subarray(0, d.used);
  return {
    id: job.id,
    primed: job.prime !== undefined,
    out,
    lines: d.n,
    errorLines: d.errorLines,
    errorTexts: d.errorTexts,
    counters: d.counters,
    events: d.events,
    held: d.decoder.held(),
  };
}

