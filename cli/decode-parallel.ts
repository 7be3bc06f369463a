/**
 * `mibc-ais decode` on several cores: a large file (cli/decode.ts `PARALLEL_FROM_BYTES`) is cut into blocks of whole
 * lines, decoded by worker threads (cli/decode-worker.ts) and by the main thread, and the results are joined in input
 * order, so the output, the error lines and the counters are those of one decoder reading the whole input
 * (test/cli/decode-parallel.test.ts).
 *
 * A block is decoded from an empty state. Two things can cross a block boundary, and the join settles both:
 * - incomplete multi-sentence messages: blocks are cut before a line that starts a message where one is near, and
 *   when a block still ends holding some, the next block is decoded again primed with them (rare: a fragment
 *   that was never completed);
 * - message 24's part A's, kept by gpsd's rule (type24.ts): workers leave message 24 unpaired and record both
 *   parts; the join pairs them with the one real Type24Merger, in input order, and writes each paired part B.
 */
import { Worker } from 'node:worker_threads';
import type { AisMessage } from '../nmea/ais.js';
import type { StreamCounters } from '../nmea/stream.js';
import { Type24Merger } from '../nmea/type24.js';
import type { HeldMessages } from './decode-chunk.js';
import type { BlockJob, BlockResult } from './decode-block.js';

const LF = 10;
const BANG = 0x21;
const COMMA = 0x2c;
const ONE = 0x31;
const NINE = 0x39;
/** How many lines a cut may move back to avoid splitting a multi-sentence message. */
const CUT_SEARCH_LINES = 8;

/** The channel that selects each of Type24Merger's rings (type24Ring). */
const RING_CHANNEL = ['A', 'B', ''] as const;

/**
 * Where to cut `buf` (a position after a line break; 0 if it holds none): after its last line break, moved back a
 * few lines while the line after the cut is a later fragment of a multi-sentence message (`!ccVDx,n,k,` with
 * k > 1), so that a block seldom ends holding an incomplete message.
 */
export function blockCut(buf: Uint8Array): number {
  const last = buf.lastIndexOf(LF) + 1;
  let cut = last;
  for (let i = 0; i < CUT_SEARCH_LINES && cut > 0; i++) {
    const k = buf[cut + 9];
    const continues = buf[cut] === BANG && buf[cut + 8] === COMMA && buf[cut + 10] === COMMA && k !== undefined && k > ONE && k <= NINE;
    if (!continues) return cut;
    cut = cut >= 2 ? buf.lastIndexOf(LF, cut - 2) + 1 : 0;
  }
  return last;
}

/**
 * A worker on the TypeScript sources (tests, `npx tsx`): Node 20 does not apply a loader given in a worker's
 * execArgv to the worker's own entry, so the worker registers tsx first and then imports the entry.
 */
function sourceWorker(url: URL): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { eval: true });
}

/** A fixed set of decode workers; each answers its jobs in the order it was given them. */
export class DecodePool {
  private readonly workers: Array<{ readonly worker: Worker; readonly waiting: Array<{ ok: (r: BlockResult) => void; fail: (e: Error) => void }> }>;
  private failure: Error | undefined;

  constructor(size: number) {
    const ts = import.meta.url.endsWith('.ts');
    const url = new URL(ts ? './decode-worker.ts' : './decode-worker.js', import.meta.url);
    this.workers = Array.from({ length: size }, () => {
      const worker = ts ? sourceWorker(url) : new Worker(url);
      const entry = { worker, waiting: [] as Array<{ ok: (r: BlockResult) => void; fail: (e: Error) => void }> };
      worker.on('message', (r: BlockResult) => entry.waiting.shift()?.ok(r));
      const fail = (e: Error): void => {
        this.failure ??= e;
        for (const w of entry.waiting.splice(0)) w.fail(e);
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`decode worker exited with code ${code}`)));
      return entry;
    });
  }

  /** Blocks given to the workers and not yet answered. */
  get waiting(): number {
    let n = 0;
    for (const w of this.workers) n += w.waiting.length;
    return n;
  }

  /** Decodes a block on the least busy worker. */
  run(job: BlockJob): Promise<BlockResult> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    let best = this.workers[0]!;
    for (const w of this.workers) if (w.waiting.length < best.waiting.length) best = w;
    return new Promise((ok, fail) => {
      best.waiting.push({ ok, fail });
      best.worker.postMessage(job);
    });
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map((w) => {
        w.worker.removeAllListeners('exit');
        return w.worker.terminate();
      }),
    );
  }
}

/** The join: results taken in input order become output bytes, error text and counters. */
export class BlockJoiner {
  readonly counters: StreamCounters = { lines: 0, sentences: 0, other: 0, messages: 0, overLength: 0, errors: {} };
  private readonly merger = new Type24Merger();
  private held: HeldMessages = [];
  private lines = 0;

  constructor(private readonly pool: DecodePool) {}

  /**
   * The block's result as one decoder reading the whole input would have it: decoded again, primed, if the block
   * before ended holding incomplete messages.
   */
  async settle(job: BlockJob, result: BlockResult): Promise<BlockResult> {
    if (this.held.length === 0 || result.primed) return result;
    return this.pool.run({ ...job, prime: this.held });
  }

  /** Takes the next block's result, in input order: the output to write and the error lines. */
  join(r: BlockResult): { parts: Uint8Array[]; errors: string } {
    const base = this.lines;
    this.lines += r.lines;
    const out = r.out;
    const parts: Uint8Array[] = [];
    let pos = 0;
    let paired = 0;
    for (const ev of r.events) {
      const channel = RING_CHANNEL[ev.ring] ?? '';
      if (ev.part === 'A') {
        this.merger.push({ type: 24, repeat: 0, mmsi: ev.mmsi, partno: 0, shipname: ev.name } as AisMessage, channel);
        continue;
      }
      const m = this.merger.push({ type: 24, repeat: 0, mmsi: ev.mmsi, partno: 1 } as AisMessage, channel);
      if (m === undefined) continue;
      if (ev.at > pos) parts.push(out.subarray(pos, ev.at));
      parts.push(Buffer.from(`${ev.prefix}${m['shipname'] as string}${ev.suffix}\n`, 'utf8'));
      pos = ev.at;
      paired++;
    }
    if (pos < out.length) parts.push(out.subarray(pos));
    let errors = '';
    for (let i = 0; i < r.errorLines.length; i++) errors += `line ${base + (r.errorLines[i] as number)}: ${r.errorTexts[i]}\n`;
    const c = this.counters;
    const b = r.counters;
    c.lines += b.lines;
    c.sentences += b.sentences;
    c.other += b.other;
    c.overLength += b.overLength;
    // The block counted both parts of each message 24 as messages; one decoder counts a pair once.
    c.messages += b.messages - r.events.length + paired;
    for (const [k, v] of Object.entries(b.errors)) c.errors[k as keyof typeof c.errors] = (c.errors[k as keyof typeof c.errors] ?? 0) + (v as number);
    this.held = r.held;
    return { parts, errors };
  }
}
