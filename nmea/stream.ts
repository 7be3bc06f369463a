/**
 * Line-level AIS decoding for a stream of NMEA text: framing, VDM/VDO assembly, message decoding and message 24
 * pairing, with counters by error code (STYLE.md: "a pipeline stage counts and reports bad input instead of
 * throwing through the stream"). Blank lines and `#` comments are skipped; sentences other than VDM/VDO are
 * counted and passed over. The caller supplies the time of each line.
 */
import { decodeAis, type AisMessage } from './ais.js';
import { VdmAssembler, type AssembledVdm, type AssemblerOptions } from './assembler.js';
import type { AisBits } from './sixbit.js';
import { NmeaError, nmeaErrorStacks, type NmeaErrorCode } from './errors.js';
import { parseSentence } from './sentence.js';
import { Type24Merger } from './type24.js';
import { isVdm, parseVdm } from './vdm.js';

export interface DecodedAis {
  readonly message: AisMessage;
  readonly assembled: AssembledVdm;
}

export interface LineResult {
  readonly messages: readonly DecodedAis[];
  /** Problems found on this line, or incomplete messages given up while handling it. */
  readonly errors: readonly NmeaError[];
}

export interface StreamCounters {
  lines: number;
  sentences: number;
  /** Well-formed sentences that are not VDM/VDO. */
  other: number;
  messages: number;
  /** Over-long sentences accepted anyway (IEC 61162-1 allows 82 characters). */
  overLength: number;
  errors: Partial<Record<NmeaErrorCode, number>>;
}

export interface AisLineDecoderOptions extends Omit<AssemblerOptions, 'onDiscard'> {
  /** Report message 24 as gpsd does: part A held until its part B, then one merged message (default true). */
  readonly mergeType24?: boolean;
  /**
   * Offered each complete message's bits before they are decoded; true means the caller has presented the message
   * from its bits (gpsd-compiled.ts) and it is counted without being decoded or returned. It must decline (false)
   * any message the codec would reject, and message 24, which is paired here.
   */
  readonly direct?: (bits: AisBits) => boolean;
}

export class AisLineDecoder {
  readonly counters: StreamCounters = { lines: 0, sentences: 0, other: 0, messages: 0, overLength: 0, errors: {} };
  private readonly assembler: VdmAssembler;
  private readonly merger: Type24Merger | undefined;
  private queued: NmeaError[] = [];
  private readonly direct: ((bits: AisBits) => boolean) | undefined;

  constructor(options: AisLineDecoderOptions = {}) {
    const { mergeType24 = true, direct, ...assembler } = options;
    this.direct = direct;
    this.assembler = new VdmAssembler({ ...assembler, onDiscard: (e) => this.queued.push(e) });
    this.merger = mergeType24 ? new Type24Merger() : undefined;
  }

  /** Incomplete multi-sentence messages held (bounded by `maxPending`). */
  get pending(): number {
    return this.assembler.pending;
  }

  /**
   * Counts a message the caller decoded itself from its `sentences` lines, one sentence each, in order, well formed
   * (vdm-scan.ts), of a type that is not paired; `overLengths` of them over-long. Only while nothing is pending, so
   * no incomplete message can expire unreported or be superseded.
   */
  countDecoded(sentences: number, overLengths: number): void {
    const c = this.counters;
    c.lines += sentences;
    c.sentences += sentences;
    c.messages++;
    c.overLength += overLengths;
  }

  /**
   * Decodes a message the caller framed and de-armoured itself from its `sentences` lines (vdm-scan.ts) but did not
   * present: the same counting, decoding and message 24 pairing as `push` line by line, without parsing the lines
   * again. Only while nothing is pending, so no incomplete message can expire unreported or be superseded. Returns
   * the message to report, `undefined` (a held part A, an unmatched part B) or the error, counted.
   */
  pushScanned(bits: AisBits, channel: string, sentences: number, overLengths: number): AisMessage | NmeaError | undefined {
    const c = this.counters;
    c.lines += sentences;
    c.sentences += sentences;
    c.overLength += overLengths;
    let message: AisMessage | undefined;
    const stacks = nmeaErrorStacks(false);
    try {
      const decoded = decodeAis(bits);
      message = this.merger === undefined ? decoded : this.merger.push(decoded, channel);
    } catch (e) {
      if (!(e instanceof NmeaError)) throw e;
      c.errors[e.code] = (c.errors[e.code] ?? 0) + 1;
      return e;
    } finally {
      nmeaErrorStacks(stacks);
    }
    if (message !== undefined) c.messages++;
    return message;
  }

  /** Counts a blank line or a `#` comment the caller has passed over itself. */
  countSkipped(): void {
    this.counters.lines++;
  }

  /** Decodes one line received at `now` (ms). Never throws for bad input: errors are returned and counted. */
  push(line: string, now: number): LineResult {
    this.counters.lines++;
    const messages: DecodedAis[] = [];
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return { messages, errors: [] };
    const stacks = nmeaErrorStacks(false);
    try {
      const sentence = parseSentence(trimmed);
      this.counters.sentences++;
      if (sentence.overLength) this.counters.overLength++;
      if (!isVdm(sentence)) {
        this.counters.other++;
      } else {
        const assembled = this.assembler.push(parseVdm(sentence), now);
        if (assembled !== undefined && this.direct !== undefined && this.direct(assembled.bits)) {
          this.counters.messages++;
        } else if (assembled !== undefined) {
          const decoded = decodeAis(assembled.bits);
          const message = this.merger === undefined ? decoded : this.merger.push(decoded, assembled.fragments[0]!.channel);
          if (message !== undefined) {
            this.counters.messages++;
            messages.push({ message, assembled });
          }
        }
      }
    } catch (e) {
      if (!(e instanceof NmeaError)) throw e;
      this.queued.push(e);
    } finally {
      nmeaErrorStacks(stacks);
    }
    const errors = this.queued;
    if (errors.length > 0) {
      this.queued = [];
      for (const e of errors) this.counters.errors[e.code] = (this.counters.errors[e.code] ?? 0) + 1;
    }
    return { messages, errors };
  }
}
