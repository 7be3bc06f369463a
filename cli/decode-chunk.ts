/**
 * The decoding of `mibc-ais decode` for a run of input bytes: lines split as node:readline splits them, one-sentence
 * lines and consecutive two-sentence pairs read from their bytes (nmea/vdm-scan.ts) and written by the generated
 * writers (nmea/gpsd-compiled.ts), everything else through the full parsers and the object view. Errors are kept
 * with their line numbers, counted from 1 in this decoder.
 *
 * One decoder reads a whole input in order (cli/decode.ts). A decode worker gives one to each block of a large
 * input (cli/decode-parallel.ts); the only state a block can need from the blocks before it is the incomplete
 * multi-sentence messages still held (carried over with `prime`) and message 24's part A's, which the worker
 * cannot see. With `holes`, message 24 is therefore not paired here: each part is recorded as an event, a part B
 * with its text around a stand-in for the name, and the caller pairs them in input order.
 */
import { MAX_TEXT_BYTES, writeCompiledGpsd, writeCompiledGpsdOf } from '../nmea/gpsd-compiled.js';
import { gpsdJsonText, gpsdText } from '../nmea/gpsd.js';
import { jsonValue } from '../nmea/gpsd-writer.js';
import type { AisMessage } from '../nmea/ais.js';
import { NmeaError } from '../nmea/errors.js';
import type { AisBits } from '../nmea/sixbit.js';
import { AisLineDecoder, type StreamCounters } from '../nmea/stream.js';
import { type24Ring } from '../nmea/type24.js';
import { VdmScanner } from '../nmea/vdm-scan.js';

const LF = 10;
const CR = 13;
const HASH = 0x23;
const ONE = 0x31;
const TWO = 0x32;

/** Message 24 seen by a decoder with `holes`, in input order. */
export type Type24Event =
  /** A part A: its ring (type24.ts) and MMSI, and its name as JSON text (`"NAME"`). */
  | { readonly part: 'A'; readonly ring: number; readonly mmsi: number; readonly name: string }
  /**
   * A part B, reported only if a part A pairs with it: then `prefix + name + suffix` and a line break go in at byte
   * `at` of the decoder's output.
   */
  | { readonly part: 'B'; readonly ring: number; readonly mmsi: number; readonly at: number; readonly prefix: string; readonly suffix: string };

/** Incomplete multi-sentence messages held at the end of a block (FragmentAssembler.held). */
export type HeldMessages = ReturnType<AisLineDecoder['held']>;

/** Stands for the name in a part B's text: capitals only, so gpsdText keeps it, and longer than any other text field of message 24. */
const NAME_STAND_IN = 'MIBCDECODEHELDNAMEOFPARTA';
const NAME_JSON = `"${NAME_STAND_IN}"`;

/** Whether a lone \r splits `buf[start, end)` into more lines. */
function hasCr(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] === CR) return true;
  return false;
}

export interface ChunkDecoderOptions {
  readonly scaled: boolean;
  readonly gpsdCompat: boolean;
  /** Leave message 24 unpaired and record it in `events` (above). */
  readonly holes?: boolean;
  /** Output bytes to reserve at first (it grows as needed). */
  readonly outBytes?: number;
}

export class ChunkDecoder {
  /** Lines read so far (the number of the last one). */
  n = 0;
  /** Output written and not yet taken: `out[0, used)`. */
  out: Buffer;
  used = 0;
  /** Errors not yet taken, each `line <n>: <code>: <message>` without the line number: see `errorLines`. */
  readonly errorLines: number[] = [];
  readonly errorTexts: string[] = [];
  readonly events: Type24Event[] = [];
  readonly decoder: AisLineDecoder;
  private readonly scanner = new VdmScanner();
  private readonly scaled: boolean;
  private readonly compat: boolean;
  private readonly holes: boolean;
  private readonly view: { scaled: boolean; bits: AisBits | undefined; gpsdCompat: boolean };

  constructor(options: ChunkDecoderOptions) {
    this.scaled = options.scaled;
    this.compat = options.gpsdCompat;
    this.holes = options.holes ?? false;
    this.out = Buffer.allocUnsafe(options.outBytes ?? 512 * 1024);
    this.view = { scaled: this.scaled, bits: undefined, gpsdCompat: this.compat };
    // Messages that a generated writer covers are written from their bits, never decoded into objects.
    this.decoder = new AisLineDecoder({
      mergeType24: !this.holes,
      direct: (bits) => {
        this.room(MAX_TEXT_BYTES + 1);
        const end = writeCompiledGpsdOf(bits.bytes, bits.bitLength, this.scaled, this.compat, this.out, this.used);
        if (end < 0) return false;
        this.out[end] = LF;
        this.used = end + 1;
        return true;
      },
    });
  }

  get counters(): StreamCounters {
    return this.decoder.counters;
  }

  /**
   * Rebuilds the incomplete messages another decoder held at the end of the input before this one's: their
   * sentences are read again, silently (they were counted where they were read).
   */
  prime(held: HeldMessages): void {
    for (const { sentences, firstSeen } of held) for (const s of sentences) this.decoder.push(s, firstSeen);
    const c = this.decoder.counters;
    c.lines = c.sentences = c.other = c.messages = c.overLength = 0;
    for (const k of Object.keys(c.errors)) delete c.errors[k as keyof typeof c.errors];
  }

  /** Takes the output written so far; the decoder goes on in a new buffer of the same size. */
  take(): Buffer {
    const done = this.out.subarray(0, this.used);
    this.out = Buffer.allocUnsafe(this.out.length);
    this.used = 0;
    return done;
  }

  /**
   * Decodes the lines of `buf[pos, end)`, where `end` follows a line break or the end of the input, until `end` or
   * until `stopAt` bytes of output are waiting. Returns where it stopped.
   */
  lines(buf: Buffer, pos: number, end: number, now: number, stopAt = Infinity): number {
    const decoder = this.decoder;
    const scanner = this.scanner;
    while (pos < end) {
      let lf = buf.indexOf(LF, pos);
      if (lf < 0 || lf >= end) lf = end;
      const stop = lf > pos && buf[lf - 1] === CR && lf < end ? lf - 1 : lf;
      // `!ccVDx,2,1,`: a two-sentence message whose second line follows is read from its bytes as one.
      if (buf[pos + 7] === TWO && buf[pos + 9] === ONE && decoder.pending === 0 && lf < end) {
        const lf2 = buf.indexOf(LF, lf + 1);
        if (lf2 > lf + 1 && lf2 < end && scanner.scanPair(buf, pos, stop, lf + 1, buf[lf2 - 1] === CR ? lf2 - 1 : lf2)) {
          this.scanned(2);
          pos = lf2 + 1;
          if (this.used >= stopAt) return pos;
          continue;
        }
      }
      this.segment(buf, pos, stop, now);
      pos = lf + 1;
      if (this.used >= stopAt) return Math.min(pos, end);
    }
    return end;
  }

  /** The last line of the input, which has no line break: `buf[start, end)`, a trailing \r left out. */
  last(buf: Buffer, now: number): void {
    this.segment(buf, 0, buf[buf.length - 1] === CR ? buf.length - 1 : buf.length, now);
  }

  private room(bytes: number): void {
    if (this.used + bytes <= this.out.length) return;
    const bigger = Buffer.allocUnsafe(2 * this.out.length + bytes);
    this.out.copy(bigger, 0, 0, this.used);
    this.out = bigger;
  }

  private emit(text: string): void {
    this.room(3 * text.length + 1);
    this.used += this.out.write(text, this.used, 'utf8');
    this.out[this.used++] = LF;
  }

  private error(e: NmeaError): void {
    this.errorLines.push(this.n);
    this.errorTexts.push(`${e.code}: ${e.message}`);
  }

  /** A decoded message to report: message 24 becomes an event with `holes`. */
  private report(m: AisMessage, bits: AisBits, channel: string): void {
    this.view.bits = bits;
    if (!this.holes || m.type !== 24) {
      this.emit(gpsdJsonText(m, this.view));
      return;
    }
    const ring = type24Ring(channel);
    if (m['partno'] === 0) {
      const name = jsonValue(gpsdText(typeof m['shipname'] === 'string' ? m['shipname'] : ''))!;
      this.events.push({ part: 'A', ring, mmsi: m.mmsi, name });
      return;
    }
    const text = gpsdJsonText({ ...m, shipname: NAME_STAND_IN }, this.view);
    const k = text.indexOf(NAME_JSON);
    this.events.push({ part: 'B', ring, mmsi: m.mmsi, at: this.used, prefix: text.slice(0, k), suffix: text.slice(k + NAME_JSON.length) });
  }

  /** Writes or decodes the message in the scanner, read from `sentences` lines. */
  private scanned(sentences: number): void {
    const scanner = this.scanner;
    this.n += sentences;
    this.room(MAX_TEXT_BYTES + 1);
    const written = writeCompiledGpsd(scanner.bytes, scanner.bitLength, this.scaled, this.compat, this.out, this.used);
    if (written >= 0) {
      this.decoder.countDecoded(sentences, scanner.overLengths);
      this.out[written] = LF;
      this.used = written + 1;
      return;
    }
    // Types 6, 8 and 24 and undecodable messages: decoded from the bits already read, not parsed again.
    const bits = scanner.bits();
    const channel = scanner.channel === 0 ? '' : String.fromCharCode(scanner.channel);
    const r = this.decoder.pushScanned(bits, channel, sentences, scanner.overLengths);
    if (r instanceof NmeaError) this.error(r);
    else if (r !== undefined) this.report(r, bits, channel);
  }

  /** The general path: sentence.ts, vdm.ts, the assembler, the object view. */
  private line(text: string, now: number): void {
    this.n++;
    const { messages, errors } = this.decoder.push(text, now);
    for (const e of errors) this.error(e);
    for (const { message, assembled } of messages) this.report(message, assembled.bits, assembled.fragments[0]!.channel);
  }

  /** Lines in `buf[start, end)`, which holds no \n: split at lone \r as node:readline does. */
  private segment(buf: Buffer, start: number, end: number, now: number): void {
    if (start === end || (buf[start] === HASH && !hasCr(buf, start, end))) {
      this.n++;
      this.decoder.countSkipped();
      return;
    }
    if (this.decoder.pending === 0 && this.scanner.scan(buf, start, end)) {
      this.scanned(1);
      return;
    }
    const text = buf.toString('utf8', start, end);
    if (text.indexOf('\r') < 0) this.line(text, now);
    else for (const l of text.split('\r')) this.line(l, now);
  }
}
