/**
 * Replays recorded AIVDM/AIVDO text (e.g. ../shared/corpus/gpsd/sample.aivdm) as a time-ordered stream of messages
 * with synthetic timestamps, another traffic source besides the simulated fleet — real sentences, odd fill bits,
 * TAG blocks and all. Sentences pass through unchanged: checksums and payloads are the NMEA codec's business. Only
 * the IEC 61162-1 framing fields are read here (count, number, sequential id, channel, fill bits) so that the parts
 * of one multi-sentence message stay together and its length on the air is known.
 */
import type { Rng } from './rng.js';
import { slotsForBits } from './vdl.js';

export interface ReplayedMessage {
  /** Synthetic time, ms. */
  readonly t: number;
  /** The sentence lines of one AIS message, as recorded (TAG blocks included). */
  readonly sentences: readonly string[];
  /** The VDL channel from the sentences ('A'/'B'; IEC 61162-1 also allows '1'/'2' or empty). */
  readonly channel: string;
  /** Message length: 6 bits per armoured character less the fill bits. */
  readonly bits: number;
  /** Slots on the air (slotsForBits 'fixed'), undefined when longer than five slots could carry. */
  readonly slots: number | undefined;
}

export interface ReplayResult {
  readonly messages: ReplayedMessage[];
  /** Lines that were neither comments nor a usable part of a complete message (malformed, orphaned fragments). */
  readonly skipped: number;
}

export interface ReplayOptions {
  readonly startMs?: number;
  /** Mean spacing between messages, ms. */
  readonly spacingMs: number;
  /** With an RNG the spacing is exponential (Poisson arrivals); without, it is exact. */
  readonly rng?: Rng;
}

/**
 * IEC 61162-1 encapsulation: `!ccVDM,count,number,seqid,channel,payload,fill*hh` after an optional TAG block; what
 * follows the checksum (USCG receiver fields, stray escapes in recordings) is kept with the line but not read.
 */
const SENTENCE = /^(?:\\[^\\]*\\)?!(?:[A-Z]{2})VD[MO],(\d),(\d),(\d?),([^,]*),([^,]*),(\d)\*[0-9A-Fa-f]{2}/;
/** Most sentences per message the framing allows (count is one digit; AIS needs at most 5). */
const MAX_PARTS = 9;
/**
 * Messages in assembly at once, keyed by (channel, sequential id, count) as receivers do: recordings interleave the
 * parts of messages on both channels. Beyond the limit the oldest is dropped and its lines counted as skipped.
 */
const MAX_OPEN = 8;

export function replaySentences(text: string, options: ReplayOptions): ReplayResult {
  if (!(options.spacingMs > 0)) throw new RangeError(`spacingMs must be positive, got ${options.spacingMs}`);
  const messages: ReplayedMessage[] = [];
  let skipped = 0;
  let t = options.startMs ?? 0;
  const open = new Map<string, { count: number; lines: string[]; payload: string; channel: string }>();

  const finish = (g: { lines: string[]; payload: string; channel: string }, fill: number) => {
    const bits = 6 * g.payload.length - fill;
    let slots: number | undefined;
    try {
      slots = slotsForBits(bits);
    } catch {
      slots = undefined;
    }
    messages.push({ t, sentences: g.lines, channel: g.channel, bits, slots });
    t += options.rng === undefined ? options.spacingMs : -options.spacingMs * Math.log(1 - options.rng.next());
  };

  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (line === '' || line.startsWith('#')) continue;
    const m = SENTENCE.exec(line);
    if (m === null) {
      skipped++;
      continue;
    }
    const [countS = '', numberS = '', seqid = '', channel = '', payload = '', fillS = ''] = m.slice(1);
    const count = Number(countS);
    const number = Number(numberS);
    const fill = Number(fillS);
    if (count < 1 || count > MAX_PARTS || number < 1 || number > count || fill > 5) {
      skipped++;
      continue;
    }
    if (count === 1) {
      finish({ lines: [line], payload, channel }, fill);
      continue;
    }
    const key = `${channel},${seqid},${count}`;
    let g = open.get(key);
    if (number === 1) {
      if (g !== undefined) skipped += g.lines.length;
      open.delete(key);
      if (open.size >= MAX_OPEN) {
        const [oldestKey, oldest] = open.entries().next().value as [string, { lines: string[] }];
        skipped += oldest.lines.length;
        open.delete(oldestKey);
      }
      g = { count, lines: [line], payload, channel };
      open.set(key, g);
    } else if (g !== undefined && g.lines.length === number - 1) {
      g.lines.push(line);
      g.payload += payload;
    } else {
      skipped++;
      continue;
    }
    if (number === count) {
      open.delete(key);
      finish(g, fill);
    }
  }
  for (const g of open.values()) skipped += g.lines.length;
  return { messages, skipped };
}
